/// The regression losses: mean squared error, L1, Huber and smooth L1, as functions
/// (`torch.nn.functional.mse_loss`, …). Input and target must be floating point and of one
/// shape (PyTorch would broadcast differing shapes with only a warning; Descent refuses).

/// (x − y)².
struct SquaredDifferenceKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T, _ y: T) -> T {
    let d = x - y
    return d * d
  }
}
/// (x − y)·2·(g/n): the gradient of the squared difference, times a scalar upstream gradient
/// `g` (divided by `count` for a mean, in the operands' type as the loss's own arithmetic),
/// negated for the target.
struct SquaredDifferenceSlopeKernel: BinaryKernel {
  let upstream: Double
  var count: Double? = nil
  var negated = false
  func callAsFunction<T: FloatScalar>(_ x: T, _ y: T) -> T {
    let g = T(fromDouble: upstream)
    let scale = count.map { g / T(fromDouble: $0) } ?? g
    let slope = (x - y) * 2
    return (negated ? -slope : slope) * scale
  }
}

/// Mean squared error between `input` and `target` (`torch.nn.functional.mse_loss`):
/// (input − target)², reduced.
///
/// Gradients flow to both. The node is `MseLossBackward0`. The reduced forms are fused: one
/// pass forward (no per-element tensor) and one pass per operand backward.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
  Tensor.op(input, target) { () throws(OpError) in
    let type = try checkedPointwiseOperands("mse_loss", input, target)
    let (x, y) = (input.converted(to: type), target.converted(to: type))
    let n = Double(input.count)
    let out: Tensor
    switch reduction {
    case .none: out = binary(x, y, to: x.shape, SquaredDifferenceKernel())
    case .sum: out = sumOf(x, y, SquaredDifferenceKernel())
    case .mean: out = sumOf(x, y, SquaredDifferenceKernel(), divisor: input.count)
    }
    guard input.requiresGradFlag || target.requiresGradFlag else { return out }
    let savedX = SavedTensor(x, op: "MseLossBackward0")
    let savedY = SavedTensor(y, op: "MseLossBackward0")
    record("MseLossBackward0", out, input, target) { g in
      let (x, y) = (savedX.value, savedY.value)
      if GradMode.isEnabled {
        // Recorded: 2(x − y)·g (over n for the mean), from the inputs themselves.
        let scale = reduction == .mean ? g / n : g
        let slope = (input.to(type) - target.to(type)) * 2 * scale
        return (
          input.requiresGradFlag ? slope.to(input.dtype) : nil,
          target.requiresGradFlag ? (-slope).to(target.dtype) : nil
        )
      }
      func slope(negated: Bool) -> Tensor {
        guard reduction == .none else {
          // A scalar upstream gradient (over n for the mean) folds into the kernel.
          let kernel = SquaredDifferenceSlopeKernel(
            upstream: g.item(), count: reduction == .mean ? n : nil, negated: negated)
          return binary(x, y, to: x.shape, kernel)
        }
        return binary(
          x, y, to: x.shape, SquaredDifferenceSlopeKernel(upstream: 1, negated: negated))
          * g
      }
      return (
        input.requiresGradFlag ? slope(negated: false).converted(to: input.dtype) : nil,
        target.requiresGradFlag ? slope(negated: true).converted(to: target.dtype) : nil
      )
    }
    return out
  }
}

/// Mean absolute error between `input` and `target` (`torch.nn.functional.l1_loss`):
/// |input − target|, reduced.
///
/// Built from `abs` and `mean`/`sum`, as PyTorch builds it, so the graph ends in the same
/// nodes (`MeanBackward0`, `SumBackward0`, `AbsBackward0`) and the gradient at a tie
/// (input == target) is 0.
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
  Tensor.op(input, target) { () throws(OpError) in
    _ = try checkedPointwiseOperands("l1_loss", input, target)
    let values = (input - target).abs()
    switch reduction {
    case .none: return values
    case .sum: return values.sum()
    case .mean: return values.mean()
    }
  }
}

/// Huber loss (`torch.nn.functional.huber_loss`): with d = |input − target|, 0.5·d² where
/// d < delta and delta·(d − 0.5·delta) elsewhere, reduced.
///
/// It is `smoothL1Loss` scaled by delta (= beta): the slope outside the quadratic zone is
/// delta rather than 1. The node is `HuberLossBackward0`.
public func huberLoss(
  _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, delta: Double = 1
) -> Tensor {
  Tensor.op(input, target) { () throws(OpError) in
    try checkHuberDelta(delta)
    let type = try checkedPointwiseOperands("huber_loss", input, target)
    return quadraticThenLinearLoss(
      "HuberLossBackward0", input, target, type: type, reduction: reduction, threshold: delta,
      quadratic: { $0 * 0.5 * $0 }, linear: { ($0 - 0.5 * delta) * delta },
      // The slope is d inside the quadratic zone and ±delta outside it.
      slope: { $0.clamp(min: -delta, max: delta) })
  }
}

/// Throws on a delta that is not positive, with PyTorch's message.
func checkHuberDelta(_ delta: Double) throws(OpError) {
  guard delta > 0 else {
    throw OpError(
      "huber_loss",
      "huber_loss does not support non-positive values for delta (got \(delta)); use delta > 0.")
  }
}

/// Smooth L1 loss (`torch.nn.functional.smooth_l1_loss`): with d = |input − target|,
/// 0.5·d²/beta where d < beta and d − 0.5·beta elsewhere, reduced.
///
/// Quadratic near zero, so its gradient shrinks smoothly instead of jumping like L1's.
/// `beta` 0 is exactly `l1Loss`, as in PyTorch. The node is `SmoothL1LossBackward0`.
public func smoothL1Loss(
  _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, beta: Double = 1
) -> Tensor {
  Tensor.op(input, target) { () throws(OpError) in
    try checkSmoothL1Beta(beta)
    let type = try checkedPointwiseOperands("smooth_l1_loss", input, target)
    if beta == 0 { return l1Loss(input, target, reduction: reduction) }
    return quadraticThenLinearLoss(
      "SmoothL1LossBackward0", input, target, type: type, reduction: reduction, threshold: beta,
      quadratic: { $0 * 0.5 * $0 / beta }, linear: { $0 - 0.5 * beta },
      // The slope is d/beta inside the quadratic zone and ±1 outside it.
      slope: { ($0 / beta).clamp(min: -1, max: 1) })
  }
}

/// The shape Huber and smooth L1 share: with d = |input − target|, `quadratic(d)` where
/// d < `threshold` and `linear(d)` elsewhere, reduced; the gradient in the input is
/// `slope(input − target)`, a clamped difference, and its negative in the target.
private func quadraticThenLinearLoss(
  _ node: String, _ input: Tensor, _ target: Tensor, type: DType, reduction: Reduction,
  threshold: Double, quadratic: (Tensor) -> Tensor, linear: (Tensor) -> Tensor,
  slope: @escaping (Tensor) -> Tensor
) -> Tensor {
  let difference = noGrad { input.converted(to: type) - target.converted(to: type) }
  let values = noGrad { () -> Tensor in
    let distance = difference.abs()
    return Tensor.where(distance.lt(threshold), quadratic(distance), linear(distance))
  }
  return recordPointwiseLoss(
    node, values: values, input: input, target: target, reduction: reduction
  ) { _, wantTarget in
    let d = GradMode.isEnabled ? input.to(type) - target.to(type) : difference
    let gradient = slope(d)
    return (gradient, wantTarget ? -gradient : nil)
  }
}

/// Throws on a negative `beta`, with PyTorch's message.
func checkSmoothL1Beta(_ beta: Double) throws(OpError) {
  guard beta >= 0 else {
    throw OpError(
      "smooth_l1_loss",
      "smooth_l1_loss does not support negative values for beta (got \(beta)); use beta >= 0 (0 gives the L1 loss)."
    )
  }
}
