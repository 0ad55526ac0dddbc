import Descent

/// R10, first half: one weight, no bias, and the gradient of the cost written by hand:
/// `gradient = Σ (W·x − y)·x`.
public enum R10CostCurve: Experiment {
  public static let name = "r10"
  public static let summary = "cost of a one-weight model, gradient written by hand"

  public static func run(say: (String) -> Void) {
    let x = Tensor([[1], [2], [3]])
    let y = Tensor([[1], [2], [3]])
    let W = Tensor.zeros([1])
    let learningRate = 0.1
    let epochs = 10
    for epoch in 0...epochs {
      let hypothesis = x * W
      let cost = ((hypothesis - y) ** 2).mean()
      let gradient = ((W * x - y) * x).sum()
      say("Epoch \(padded(epoch, 4))/\(epochs) W: \(fixed(W.item(), 3)), Cost: \(fixed(cost.item(), 6))")
      W -= learningRate * gradient
    }
  }
}
