/// How a loss combines its per-element values, like PyTorch's `reduction=` argument.
public enum Reduction: String, Sendable, CaseIterable, CustomStringConvertible {
  /// The average: the sum divided by the number of elements, or by the total class weight of
  /// the counted targets for `nllLoss` and `crossEntropy` with class indices.
  case mean
  /// The sum of the per-element losses.
  case sum
  /// No reduction: one loss per element (per sample for the classification losses).
  case none

  /// PyTorch's spelling: `'mean'`, `'sum'`, `'none'`.
  public var description: String { rawValue }
}

/// Reduces per-element loss values (computed outside the graph). An empty mean is NaN, as in
/// PyTorch (0 / 0).
func reduceLossValues(_ values: Tensor, _ reduction: Reduction) -> Tensor {
  switch reduction {
  case .none: return values
  case .sum: return values.rawSumAll()
  case .mean: return values.rawSumAll() / Double(values.count)
  }
}

/// Records a loss computed elementwise, then reduced, as a single node with PyTorch's name
/// (`MseLossBackward0`), as PyTorch's fused loss kernels do.
///
/// - Parameters:
///   - values: the per-element loss, already computed without recording, shaped like input.
///   - derivatives: ∂ℓ/∂input and ∂ℓ/∂target per element, asked for only when backward runs
///     and only for the operands that need them. Backward scales them by the upstream gradient
///     (and by 1/n for the mean) and casts each to its operand's dtype.
func recordPointwiseLoss(
  _ name: String, values: Tensor, input: Tensor, target: Tensor, reduction: Reduction,
  derivatives: @escaping (_ wantInput: Bool, _ wantTarget: Bool) -> (Tensor?, Tensor?)
) -> Tensor {
  let out = reduceLossValues(values, reduction)
  let wantInput = input.requiresGradFlag
  let wantTarget = target.requiresGradFlag
  let inputType = input.dtype
  let targetType = target.dtype
  let n = Double(values.count)
  record(name, out, input, target) { g in
    let upstream = reduction == .mean ? g / n : g
    let (dInput, dTarget) = derivatives(wantInput, wantTarget)
    // `to` keeps a recorded gradient in the graph; `converted` is the raw copy.
    let recording = GradMode.isEnabled
    func cast(_ t: Tensor, _ type: DType) -> Tensor {
      recording ? t.to(type) : t.converted(to: type)
    }
    return (
      wantInput ? dInput.map { cast($0 * upstream, inputType) } : nil,
      wantTarget ? dTarget.map { cast($0 * upstream, targetType) } : nil
    )
  }
  return out
}
