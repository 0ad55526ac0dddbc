import Descent

/// R10, second half: W and b on y = 2x with `SGD` (lr 0.01), 1000 epochs.
public enum R10OptimSGD: Experiment {
  public static let name = "r10b"
  public static let summary = "W and b on y = 2x with optim.SGD, 1000 epochs"

  public static func run(say: (String) -> Void) {
    let xTrain = Tensor([[1], [2], [3]])
    let yTrain = Tensor([[2], [4], [6]])
    let W = Tensor.zeros([1], requiresGrad: true)
    let b = Tensor.zeros([1], requiresGrad: true)
    let optimizer = SGD([W, b], lr: 0.01)
    let epochs = 1000
    for epoch in 0...epochs {
      let hypothesis = xTrain * W + b
      let cost = ((hypothesis - yTrain) ** 2).mean()
      if epoch % 100 == 0 {
        say(
          "Epoch \(padded(epoch, 4))/\(epochs) W: \(fixed(W.item(), 3)), b: \(fixed(b.item(), 3)) Cost: \(fixed(cost.item(), 6))"
        )
      }
      optimizer.zeroGrad()
      cost.backward()
      optimizer.step()
    }
  }
}
