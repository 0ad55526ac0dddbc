import Descent
import DescentPlot

/// R7: a noisy line y = 3x + 2 + 0.5·noise fitted by `Linear(1, 1)` with Adam (lr 0.001),
/// then with SGD (lr 0.01): Adam's steps are small, so its loss falls slowly.
public enum R7AdamNoisyLine: Experiment {
  public static let name = "r7"
  public static let summary = "a noisy line with Adam (lr 0.001) and with SGD (lr 0.01)"

  /// Trains a fresh `Linear(1, 1)` for 100 epochs; returns each epoch's loss.
  static func train(
    _ makeOptimizer: ([Tensor]) -> Optimizer, x: Tensor, y: Tensor
  ) -> [Double] {
    let model = Linear(1, 1)
    let criterion = MSELoss()
    let optimizer = makeOptimizer(model.parameters())
    var losses: [Double] = []
    for _ in 0..<100 {
      optimizer.zeroGrad()
      let loss = criterion(model(x), y)
      loss.backward()
      optimizer.step()
      losses.append(loss.item())
    }
    return losses
  }

  public static func run(_ context: ExperimentContext) throws {
    // With the same seed PyTorch draws the same noise and the same initial weights.
    manualSeed(0)
    let x = Tensor.linspace(0, 10, count: 100).unsqueeze(1)
    let y = 3 * x + 2 + Tensor.randn([100, 1]) * 0.5
    var panels: [any Figure] = []
    for (label, make) in [
      ("Adam, lr 0.001", { (p: [Tensor]) -> Optimizer in Adam(p, lr: 0.001) }),
      ("SGD, lr 0.01", { (p: [Tensor]) -> Optimizer in SGD(p, lr: 0.01) }),
    ] {
      let losses = train(make, x: x, y: y)
      context.say(label + ":")
      for epoch in stride(from: 10, through: 100, by: 10) {
        context.say("epoch : \(epoch), loss : \(fixed(losses[epoch - 1], 4))")
      }
      let falling = zip(losses, losses.dropFirst()).allSatisfy { $0 > $1 }
      context.say(
        falling ? "  the loss fell at every epoch" : "  the loss did not fall at every epoch")
      // Adam creeps down from about 420; SGD falls below 1 within a few epochs (log scale).
      let isAdam = label.hasPrefix("Adam")
      let epochs = (1...100).map(Double.init)
      let curve = Series("", xs: epochs, ys: losses, color: isAdam ? .tabBlue : .tabOrange)
      panels.append(
        try LineChart(
          series: [curve], title: label, xLabel: "epoch",
          yLabel: isAdam ? "loss" : "loss (log scale)", logY: !isAdam, width: 480, height: 380))
    }
    try context.figure(
      "learning-curves",
      FigureGrid(panels: panels, title: "Linear(1, 1) on y = 3x + 2 + noise, MSELoss"))
  }
}
