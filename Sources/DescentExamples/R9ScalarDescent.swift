import Descent

/// R9: gradient descent on a loss of one weight, `loss(w) = (w − 1)² + 2`, with three learning
/// rates: one that converges, one too small, and one so large that the weight diverges.
public enum R9ScalarDescent: Experiment {
  public static let name = "r9"
  public static let summary = "gradient descent on (w - 1)^2 + 2 with learning rates 0.4, 0.001 and 10"

  static func loss(_ w: Tensor) -> Tensor { (w - 1) ** 2 + 2 }

  /// The derivative at `w`, by autograd.
  static func derivative(at w: Double) -> Double {
    let weight = Tensor(w, dtype: .float64, requiresGrad: true)
    loss(weight).backward()
    return weight.grad!.item()
  }

  public static func run(say: (String) -> Void) {
    say("w = 1: loss \(loss(Tensor(1.0, dtype: .float64)).item()), derivative \(derivative(at: 1))")
    let oneStep = 5 - 0.1 * derivative(at: 5)
    say("from w = 5, one step with lr 0.1: w = \(oneStep)")

    for learningRate in [0.4, 0.001, 10] {
      var weight = 2.0
      var iterations = 0
      let maxIterations = 100
      var path = [weight]
      // Stop when the derivative is exactly zero, or after maxIterations steps.
      while derivative(at: weight) != 0 && iterations < maxIterations {
        weight -= learningRate * derivative(at: weight)
        path.append(weight)
        iterations += 1
      }
      let finalLoss = loss(Tensor(weight, dtype: .float64)).item()
      var line = "lr \(learningRate): \(iterations) iterations, w = \(fixed(weight, 5)), loss = \(fixed(finalLoss, 5))"
      if !weight.isFinite || Swift.abs(weight) > 1e6 {
        line = "lr \(learningRate): diverged: after \(iterations) iterations |w| = \(String(format: "%.3e", Swift.abs(weight))) and growing; the learning rate is too large"
      }
      say(line)
    }
  }
}
