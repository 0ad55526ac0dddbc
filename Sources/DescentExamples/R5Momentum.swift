import Descent
import DescentPlot

/// R5: R4's fit with `SGD`, then with momentum 0.9, which ends lower after the same 500 epochs.
public enum R5Momentum: Experiment {
  public static let name = "r5"
  public static let summary = "R4 with optim.SGD, then SGD with momentum 0.9"

  /// Trains W·X + B from W = B = 1 for 500 epochs; returns the loss every 10 epochs.
  static func train(momentum: Double) -> [(epoch: Int, loss: Double)] {
    let (X, Y) = R4HeightWeight.centred(
      Tensor(R4HeightWeight.heights, dtype: .float64),
      Tensor(R4HeightWeight.weights, dtype: .float64))
    let W = Tensor(1.0, requiresGrad: true)
    let B = Tensor(1.0, requiresGrad: true)
    let optimizer = SGD([W, B], lr: 0.001, momentum: momentum)
    var history: [(epoch: Int, loss: Double)] = []
    for epoch in 0..<500 {
      let loss = ((W * X + B - Y) ** 2).mean()
      optimizer.zeroGrad()
      loss.backward()
      optimizer.step()
      if epoch % 10 == 0 { history.append((epoch, loss.item())) }
    }
    return history
  }

  public static func run(_ context: ExperimentContext) throws {
    let plain = train(momentum: 0)
    let withMomentum = train(momentum: 0.9)
    context.say("epoch    SGD      SGD + momentum")
    for (a, b) in zip(plain, withMomentum) where a.epoch % 50 == 0 || a.epoch == 490 {
      context.say("\(padded(a.epoch, 5))  \(fixed(a.loss, 4))  \(fixed(b.loss, 4))")
    }
    context.say("SGD: final loss \(fixed(plain.last!.loss, 4))")
    context.say("SGD + momentum 0.9: final loss \(fixed(withMomentum.last!.loss, 4))")

    // Both learning curves on one chart, coloured as the notes draw them.
    func curve(_ name: String, _ history: [(epoch: Int, loss: Double)], _ color: Color) -> Series {
      Series(name, xs: history.map { Double($0.epoch) }, ys: history.map(\.loss), color: color)
    }
    try context.figure(
      "learning-curves",
      LineChart(
        series: [curve("SGD", plain, .tabRed), curve("SGD + momentum", withMomentum, .tabBlue)],
        title: "epoch vs loss (lr 0.001)", xLabel: "epoch", yLabel: "loss"))
  }
}
