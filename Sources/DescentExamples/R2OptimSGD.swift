import Descent
import DescentPlot

/// R2: the same regression with autograd and `SGD`: zeroGrad, backward, step. Then the same
/// model as `Linear(1, 1)` with `MSELoss`.
public enum R2OptimSGD: Experiment {
  public static let name = "r2"
  public static let summary = "autograd + SGD on the 30 points, by hand and with Linear + MSELoss"

  static func data() -> (x: Tensor, y: Tensor) {
    let x = Tensor(R1ManualGradientDescent.xs).reshaped(30, 1)
    let y = Tensor(R1ManualGradientDescent.ys).reshaped(30, 1)
    return (x, y)
  }

  static func report(_ epoch: Int, _ weight: Tensor, _ bias: Tensor, _ cost: Tensor) -> String {
    "Epoch : \(padded(epoch, 4)), Weight : \(fixed(weight.item(), 3)), Bias : \(fixed(bias.item(), 3)), Cost : \(fixed(cost.item(), 3))"
  }

  public static func run(_ context: ExperimentContext) throws {
    let (x, y) = data()

    // The parameters as plain tensors, the optimizer updating them.
    let weight = Tensor.zeros([1], requiresGrad: true)
    let bias = Tensor.zeros([1], requiresGrad: true)
    let optimizer = SGD([weight, bias], lr: 0.001)
    var costs: [Double] = []
    for epoch in 0..<10000 {
      let hypothesis = x * weight + bias
      let cost = ((hypothesis - y) ** 2).mean()
      costs.append(cost.item())
      optimizer.zeroGrad()
      cost.backward()
      optimizer.step()
      if (epoch + 1) % 1000 == 0 { context.say(report(epoch + 1, weight, bias, cost)) }
    }

    // The same model as a layer, with both parameters zeroed: the same numbers.
    context.say("Linear(1, 1) + MSELoss, parameters zeroed:")
    let model = Linear(1, 1)
    noGrad {
      model.weight.zero_()
      model.bias!.zero_()
    }
    let criterion = MSELoss()
    let sgd = SGD(model.parameters(), lr: 0.001)
    for epoch in 0..<10000 {
      let cost = criterion(model(x), y)
      sgd.zeroGrad()
      cost.backward()
      sgd.step()
      if (epoch + 1) % 5000 == 0 { context.say(report(epoch + 1, model.weight, model.bias!, cost)) }
    }

    // PyTorch's random initialisation: another path to the same line.
    manualSeed(0)
    let randomStart = Linear(1, 1)
    context.say("Linear(1, 1) with its default initialisation after manualSeed(0): \(randomStart)")
    context.say(
      "  weight \(fixed(randomStart.weight.item(), 4)), bias \(fixed(randomStart.bias!.item(), 4))")
    let adjust = SGD(randomStart.parameters(), lr: 0.001)
    var cost = Tensor(0)
    var randomCosts: [Double] = []
    for _ in 0..<10000 {
      cost = criterion(randomStart(x), y)
      randomCosts.append(cost.item())
      adjust.zeroGrad()
      cost.backward()
      adjust.step()
    }
    context.say(report(10000, randomStart.weight, randomStart.bias!, cost))

    // The same two figures as R1; the cost chart shows both starting points.
    try R1ManualGradientDescent.drawFitAndCost(
      context, weight: weight.item(), bias: bias.item(),
      runs: [("from W = b = 0", costs), ("from manualSeed(0)'s Linear", randomCosts)])
  }
}
