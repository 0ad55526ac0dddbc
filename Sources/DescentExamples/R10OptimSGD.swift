import Descent
import DescentPlot

/// R10, second half: W and b on y = 2x with `SGD` (lr 0.01), 1000 epochs.
public enum R10OptimSGD: Experiment {
  public static let name = "r10b"
  public static let summary = "W and b on y = 2x with optim.SGD, 1000 epochs"

  public static func run(_ context: ExperimentContext) throws {
    let xTrain = Tensor([[1], [2], [3]])
    let yTrain = Tensor([[2], [4], [6]])
    let W = Tensor.zeros([1], requiresGrad: true)
    let b = Tensor.zeros([1], requiresGrad: true)
    let optimizer = SGD([W, b], lr: 0.01)
    let epochs = 1000
    var costs: [Double] = []
    for epoch in 0...epochs {
      let hypothesis = xTrain * W + b
      let cost = ((hypothesis - yTrain) ** 2).mean()
      costs.append(cost.item())
      if epoch % 100 == 0 {
        context.say(
          "Epoch \(padded(epoch, 4))/\(epochs) W: \(fixed(W.item(), 3)), b: \(fixed(b.item(), 3)) Cost: \(fixed(cost.item(), 6))"
        )
      }
      optimizer.zeroGrad()
      cost.backward()
      optimizer.step()
    }

    // From 18.7 down to 0.0006: a log scale shows the slow end as well as the fast start.
    try context.figure(
      "learning-curve",
      LineChart(
        series: [Series("", ys: costs)], title: "Learning curve, W and b with SGD (lr 0.01)",
        xLabel: "epoch", yLabel: "cost (log scale)", logY: true))
  }
}
