/// Mean squared error between `input` and `target` (`torch.nn.functional.mse_loss`):
/// (input − target)², reduced.
///
/// Both tensors must be floating point and of one shape (PyTorch would broadcast differing
/// shapes; Descent stops). Gradients flow to both. The node is `MseLossBackward0`.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
  let type = checkedPointwiseOperands("mse_loss", input, target)
  let difference = noGrad { input.converted(to: type) - target.converted(to: type) }
  let values = noGrad { difference * difference }
  return recordPointwiseLoss(
    "MseLossBackward0", values: values, input: input, target: target, reduction: reduction
  ) { _, wantTarget in
    // d/dx (x − y)² = 2(x − y); d/dy is its negation.
    let slope = difference * 2
    return (slope, wantTarget ? -slope : nil)
  }
}

/// Mean squared error as a module (`torch.nn.MSELoss`): `MSELoss()(input, target)`.
public final class MSELoss: Module {
  /// How the per-element losses are combined.
  public let reduction: Reduction

  /// A mean squared error loss with the given reduction.
  public init(reduction: Reduction = .mean) {
    self.reduction = reduction
    super.init()
  }

  /// The loss of `input` against `target`; see `mseLoss(_:_:reduction:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    mseLoss(input, target, reduction: reduction)
  }

  /// Stops: a loss needs a target, so call `loss(input, target)`.
  public override func forward(_ input: Tensor) -> Tensor { lossTakesTwoTensors(typeName, input) }
}
