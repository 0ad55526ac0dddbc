/// Huber loss (`torch.nn.functional.huber_loss`): with d = |input − target|, 0.5·d² where
/// d < delta and delta·(d − 0.5·delta) elsewhere, reduced.
///
/// It is `smoothL1Loss` scaled by delta (= beta): the slope outside the quadratic zone is
/// delta rather than 1. The node is `HuberLossBackward0`.
public func huberLoss(
  _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, delta: Double = 1
) -> Tensor {
  checkHuberDelta(delta)
  let type = checkedPointwiseOperands("huber_loss", input, target)
  let difference = noGrad { input.converted(to: type) - target.converted(to: type) }
  let values = noGrad { () -> Tensor in
    let distance = difference.abs()
    return Tensor.where(
      distance.lt(delta), distance * 0.5 * distance, (distance - 0.5 * delta) * delta)
  }
  return recordPointwiseLoss(
    "HuberLossBackward0", values: values, input: input, target: target, reduction: reduction
  ) { _, wantTarget in
    // The slope is d inside the quadratic zone and ±delta outside it.
    let slope = difference.clamp(min: -delta, max: delta)
    return (slope, wantTarget ? -slope : nil)
  }
}

/// Stops on a delta that is not positive, with PyTorch's message.
func checkHuberDelta(_ delta: Double) {
  guard delta > 0 else {
    opFailure(
      "huber_loss",
      "huber_loss does not support non-positive values for delta (got \(delta)); use delta > 0.")
  }
}

/// Huber loss as a module (`torch.nn.HuberLoss`).
public final class HuberLoss: Module {
  /// How the per-element losses are combined.
  public let reduction: Reduction
  /// Where the loss changes from quadratic to linear, and the linear part's slope.
  public let delta: Double

  /// A Huber loss; stops unless `delta` is positive.
  public init(reduction: Reduction = .mean, delta: Double = 1) {
    checkHuberDelta(delta)
    self.reduction = reduction
    self.delta = delta
    super.init()
  }

  /// The loss of `input` against `target`; see `huberLoss(_:_:reduction:delta:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    huberLoss(input, target, reduction: reduction, delta: delta)
  }

  /// Stops: a loss needs a target, so call `loss(input, target)`.
  public override func forward(_ input: Tensor) -> Tensor { lossTakesTwoTensors(typeName, input) }
}
