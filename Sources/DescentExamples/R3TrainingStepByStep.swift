import Descent

/// R3: what `zeroGrad`, `backward` and `step` each do, shown over three epochs of R2.
/// `grad` is nil ("None") before the first backward, and `zeroGrad()` sets it back to nil.
public enum R3TrainingStepByStep: Experiment {
  public static let name = "r3"
  public static let summary = "zeroGrad / backward / step, step by step"

  /// `grad` as the notes print it: the tensor, or None.
  static func gradient(_ tensor: Tensor) -> String { tensor.grad.map { "\($0)" } ?? "None" }

  public static func run(_ context: ExperimentContext) {
    let (x, y) = R2OptimSGD.data()
    let weight = Tensor.zeros([1], requiresGrad: true)
    let bias = Tensor.zeros([1], requiresGrad: true)
    let optimizer = SGD([weight, bias], lr: 0.001)

    for epoch in 0..<3 {
      let hypothesis = weight * x + bias
      let cost = ((hypothesis - y) ** 2).mean()
      func show(_ step: Int) {
        context.say(
          "Step [\(step)] : Gradient : \(gradient(weight)), Weight : \(fixed(weight.item(), 5))")
      }
      context.say("Epoch : \(padded(epoch + 1, 4))")
      show(1)
      optimizer.zeroGrad()  // the gradient is cleared (to nil)
      show(2)
      cost.backward()  // the gradient is computed
      show(3)
      optimizer.step()  // the weight moves against the gradient
      show(4)
    }
  }
}
