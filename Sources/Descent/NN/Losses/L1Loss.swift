/// Mean absolute error between `input` and `target` (`torch.nn.functional.l1_loss`):
/// |input − target|, reduced.
///
/// Built from `abs` and `mean`/`sum`, as PyTorch builds it, so the graph ends in the same
/// nodes (`MeanBackward0`, `SumBackward0`, `AbsBackward0`) and the gradient at a tie
/// (input == target) is 0. Both tensors must be floating point and of one shape.
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
  _ = checkedPointwiseOperands("l1_loss", input, target)
  let values = (input - target).abs()
  switch reduction {
  case .none: return values
  case .sum: return values.sum()
  case .mean: return values.mean()
  }
}

/// Mean absolute error as a module (`torch.nn.L1Loss`).
public final class L1Loss: Module {
  /// How the per-element losses are combined.
  public let reduction: Reduction

  /// A mean absolute error loss with the given reduction.
  public init(reduction: Reduction = .mean) {
    self.reduction = reduction
    super.init()
  }

  /// The loss of `input` against `target`; see `l1Loss(_:_:reduction:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    l1Loss(input, target, reduction: reduction)
  }

  /// Stops: a loss needs a target, so call `loss(input, target)`.
  public override func forward(_ input: Tensor) -> Tensor { lossTakesTwoTensors(typeName, input) }
}
