import Descent
import DescentPlot

/// R10, first half: one weight, no bias, and the gradient of the cost written by hand:
/// `gradient = Σ (W·x − y)·x`.
public enum R10CostCurve: Experiment {
  public static let name = "r10"
  public static let summary = "cost of a one-weight model, gradient written by hand"

  public static func run(_ context: ExperimentContext) throws {
    let x = Tensor([[1], [2], [3]])
    let y = Tensor([[1], [2], [3]])
    let W = Tensor.zeros([1])
    let learningRate = 0.1
    let epochs = 10
    var visited: [Double] = []
    for epoch in 0...epochs {
      let hypothesis = x * W
      let cost = ((hypothesis - y) ** 2).mean()
      let gradient = ((W * x - y) * x).sum()
      context.say(
        "Epoch \(padded(epoch, 4))/\(epochs) W: \(fixed(W.item(), 3)), Cost: \(fixed(cost.item(), 6))"
      )
      visited.append(W.item())
      W -= learningRate * gradient
    }

    // cost(W) = mean((W·x − y)²) is a parabola; the steps overshoot 1 and swing back.
    func cost(_ w: Double) -> Double {
      ((x * w - y) ** 2).mean().item()
    }
    try context.figure(
      "cost-curve",
      CurvePlot(
        function: cost, over: -0.5...2.5, steps: visited, samples: 121, curveName: "cost(W)",
        stepsName: "W at each epoch", title: "cost(W) and the steps of gradient descent",
        xLabel: "W", yLabel: "cost"))
  }
}
