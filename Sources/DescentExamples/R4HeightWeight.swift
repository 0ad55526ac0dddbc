import Descent
import Foundation

/// R4: heights and weights of five people, centred, fitted by gradient descent with the update
/// written by hand inside `noGrad`.
public enum R4HeightWeight: Experiment {
  public static let name = "r4"
  public static let summary = "height and weight, centred data, autograd with a hand-written update"

  public static func run(say: (String) -> Void) {
    // The data, and the same data centred on its mean.
    let heights = Tensor([166, 176, 171, 173, 169])
    let weights = Tensor([58.7, 75.7, 62.1, 70.4, 60.1])
    let X = heights - heights.mean()
    let Y = weights - weights.mean()
    say("X = \(X)")
    say("Y = \(Y)")

    // The parameters of the line W·X + B, with gradients.
    var W = Tensor(1.0, requiresGrad: true)
    var B = Tensor(1.0, requiresGrad: true)
    func predict(_ X: Tensor) -> Tensor { W * X + B }
    func mse(_ Yp: Tensor, _ Y: Tensor) -> Tensor { ((Yp - Y) ** 2).mean() }

    // One step, shown piece by piece.
    let Yp = predict(X)
    say("Yp = \(Yp)")
    let loss = mse(Yp, Y)
    say("loss = \(loss)")
    loss.backward()
    say("after backward: W.grad = \(W.grad!), B.grad = \(B.grad!)")
    let learningRate = 0.001
    noGrad {
      W -= learningRate * W.grad!
      B -= learningRate * B.grad!
    }
    W.grad!.zero_()
    B.grad!.zero_()
    say("after one update inside noGrad with lr = 0.001: W = \(W), B = \(B), W.grad = \(W.grad!), B.grad = \(B.grad!)")

    // The training loop: 500 epochs from W = B = 1, the loss recorded every 10 epochs.
    W = Tensor(1.0, requiresGrad: true)
    B = Tensor(1.0, requiresGrad: true)
    var history: [(epoch: Int, loss: Double)] = []
    for epoch in 0..<500 {
      let loss = mse(predict(X), Y)
      loss.backward()
      noGrad {
        W -= learningRate * W.grad!
        B -= learningRate * B.grad!
      }
      W.grad!.zero_()
      B.grad!.zero_()
      if epoch % 10 == 0 {
        history.append((epoch, loss.item()))
        say("epoch = \(epoch) loss = \(fixed(loss.item(), 4))")
      }
    }
    say("W = \(String(format: "%.7g", W.item())), B = \(String(format: "%.7g", B.item()))")
    say("initial loss: \(fixed(history.first!.loss, 4)), final loss: \(fixed(history.last!.loss, 4))")

    // The fitted line over the range of X.
    let xRange = Tensor([X.min().item(), X.max().item()])
    let yRange = noGrad { predict(xRange) }
    say("line over X in [\(fixed(xRange[0].item(), 0)), \(fixed(xRange[1].item(), 0))]: Y = \(yRange)")
  }
}
