/// Smooth L1 loss (`torch.nn.functional.smooth_l1_loss`): with d = |input − target|,
/// 0.5·d²/beta where d < beta and d − 0.5·beta elsewhere, reduced.
///
/// Quadratic near zero, so its gradient shrinks smoothly instead of jumping like L1's.
/// `beta` 0 is exactly `l1Loss`, as in PyTorch. The node is `SmoothL1LossBackward0`.
public func smoothL1Loss(
  _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, beta: Double = 1
) -> Tensor {
  checkSmoothL1Beta(beta)
  let type = checkedPointwiseOperands("smooth_l1_loss", input, target)
  if beta == 0 { return l1Loss(input, target, reduction: reduction) }
  let difference = noGrad { input.converted(to: type) - target.converted(to: type) }
  let values = noGrad { () -> Tensor in
    let distance = difference.abs()
    return Tensor.where(distance.lt(beta), distance * 0.5 * distance / beta, distance - 0.5 * beta)
  }
  return recordPointwiseLoss(
    "SmoothL1LossBackward0", values: values, input: input, target: target, reduction: reduction
  ) { _, wantTarget in
    // The slope is d/beta inside the quadratic zone and ±1 outside it.
    let slope = (difference / beta).clamp(min: -1, max: 1)
    return (slope, wantTarget ? -slope : nil)
  }
}

/// Stops on a negative `beta`, with PyTorch's message.
func checkSmoothL1Beta(_ beta: Double) {
  guard beta >= 0 else {
    opFailure(
      "smooth_l1_loss",
      "smooth_l1_loss does not support negative values for beta (got \(beta)); use beta >= 0 (0 gives the L1 loss)."
    )
  }
}

/// Smooth L1 loss as a module (`torch.nn.SmoothL1Loss`).
public final class SmoothL1Loss: Module {
  /// How the per-element losses are combined.
  public let reduction: Reduction
  /// Where the loss changes from quadratic to linear.
  public let beta: Double

  /// A smooth L1 loss; stops on a negative `beta`.
  public init(reduction: Reduction = .mean, beta: Double = 1) {
    checkSmoothL1Beta(beta)
    self.reduction = reduction
    self.beta = beta
    super.init()
  }

  /// The loss of `input` against `target`; see `smoothL1Loss(_:_:reduction:beta:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    smoothL1Loss(input, target, reduction: reduction, beta: beta)
  }

  /// Stops: a loss needs a target, so call `loss(input, target)`.
  public override func forward(_ input: Tensor) -> Tensor { lossTakesTwoTensors(typeName, input) }
}
