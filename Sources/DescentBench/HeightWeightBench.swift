import Descent

// `descent-bench heightweight`: seed_heightweight_torch.py's workload. The 5-point
// height/weight regression with scalar W and B, SGD lr 1e-3 for 500 epochs, plain and with
// momentum 0.9; `.item()` every 10 epochs inside the timed loop, as in the seed; medians of 7.

private func heightWeightRun(momentum: Double) -> (
  seconds: Double, weight: Double, bias: Double, lastLoss: Double, logged: [Int: Double]
) {
  let epochs = 500
  let x = Tensor([-5.0, 5.0, 0.0, 2.0, -2.0])
  let y = Tensor([-6.7, 10.3, -3.3, 5.0, -5.3])
  let weight = Tensor(1.0, requiresGrad: true)
  let bias = Tensor(1.0, requiresGrad: true)
  let optimizer = SGD([weight, bias], lr: 0.001, momentum: momentum)
  var logged: [Int: Double] = [:]
  var loss = Tensor(0)
  let start = now()
  for epoch in 0..<epochs {
    loss = ((weight * x + bias - y) ** 2).mean()
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0 { logged[epoch] = loss.item() }
  }
  let seconds = now() - start
  return (seconds, weight.item(), bias.item(), loss.item(), logged)
}

@MainActor
func runHeightWeightBenchmark() {
  let epochs = 500.0
  for (tag, momentum) in [("sgd", 0.0), ("sgd momentum=0.9", 0.9)] {
    let runs = (0..<7).map { _ in heightWeightRun(momentum: momentum) }
    let seconds = median(runs.map(\.seconds))
    let last = runs[runs.count - 1]
    print(
      "[\(tag)] loss@0=\(String(format: "%.4f", last.logged[0] ?? .nan)) loss@490=\(String(format: "%.4f", last.logged[490] ?? .nan)) W=\(String(format: "%.6f", last.weight)) B=\(String(format: "%.7f", last.bias)) last_epoch_loss=\(String(format: "%.4f", last.lastLoss)) us_per_epoch=\(String(format: "%.2f", seconds / epochs * 1e6))"
    )
    if momentum == 0 {
      result("heightweight_sgd_us_per_epoch", seconds / epochs * 1e6, "us", format: "%.2f")
    } else {
      result("heightweight_momentum_final_loss", last.lastLoss, "loss", format: "%.4f")
      result("heightweight_momentum_us_per_epoch", seconds / epochs * 1e6, "us", format: "%.2f")
    }
  }
}
