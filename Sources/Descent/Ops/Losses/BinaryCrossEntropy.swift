import RealModule

/// The binary cross entropies, on probabilities and on raw scores (logits), with their
/// kernels.

/// Binary cross entropy between probabilities `input` and `target`
/// (`torch.nn.functional.binary_cross_entropy`): −w·(y·log x + (1 − y)·log(1 − x)), reduced.
///
/// As in PyTorch, each log is clamped at −100, so an input of exactly 0 or 1 gives a large
/// finite loss instead of inf, and the gradient's denominator x(1 − x) is kept above about
/// 1e-12. Inputs and targets outside [0, 1] stop. `weight` (no gradient) must broadcast to the
/// input's shape. Prefer `binaryCrossEntropyWithLogits` on raw scores: it is more stable.
/// The node is `BinaryCrossEntropyBackward0`.
public func binaryCrossEntropy(
  _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean
) -> Tensor {
  Tensor.op(input, target, weight) { () throws(OpError) in
    try checkedBinaryCrossEntropy(input, target, weight: weight, reduction: reduction)
  }
}

private func checkedBinaryCrossEntropy(
  _ input: Tensor, _ target: Tensor, weight: Tensor?, reduction: Reduction
) throws(OpError) -> Tensor {
  let op = "binary_cross_entropy"
  let type = try checkedPointwiseOperands(op, input, target)
  let w = try checkedElementWeight(op, "weight", weight, against: input.shape, dtype: type)
  for (tensor, role) in [(input, "input"), (target, "target")] {
    if let (index, value) = firstOutsideUnitInterval(tensor) {
      let hint =
        role == "input"
        ? " The input must hold probabilities: apply sigmoid first, or pass the raw scores to binaryCrossEntropyWithLogits."
        : ""
      throw OpError(
        op,
        "all elements of \(role) should be between 0 and 1 (found \(value) at flat index \(index) of \(role) shape \(shapeText(tensor.shape))).\(hint)"
      )
    }
  }
  let x = input.converted(to: type)
  let y = target.converted(to: type)
  let values = noGrad { () -> Tensor in
    let raw = binary(x, y, to: x.shape, BCEValueKernel())
    return w.map { raw * $0 } ?? raw
  }
  return recordWeightedBinaryLoss(
    "BinaryCrossEntropyBackward0", values: values, x: x, y: y, input: input, target: target,
    weight: w, reduction: reduction
  ) { savedX, savedY, wantInput, wantTarget in
    var dInput: Tensor?
    var dTarget: Tensor?
    if GradMode.isEnabled {
      // Recorded: the same formulas with differentiable ops, from the inputs themselves.
      let (x, y) = (input.to(type), target.to(type))
      if wantInput { dInput = (x - y) / ((1 - x) * x).clamp(min: Double(Float(1e-12))) }
      if wantTarget { dTarget = -(x / (1 - x)).log() }
    } else {
      let (x, y) = (savedX.value, savedY.value)
      if wantInput { dInput = binary(x, y, to: x.shape, BCEInputSlopeKernel()) }
      // ∂ℓ/∂y = log(1 − x) − log x = −logit(x), not clamped (PyTorch's formula).
      if wantTarget { dTarget = binary(x, y, to: x.shape, BCETargetSlopeKernel()) }
    }
    return (dInput, dTarget)
  }
}

/// Records a binary cross entropy node: `derivatives` gives the slopes in the input and in the
/// target (each only when wanted) from the saved operands `x` and `y`, converted to the
/// loss's dtype; the element weight `w` scales them both, as it scales the loss `values`.
private func recordWeightedBinaryLoss(
  _ name: String, values: Tensor, x: Tensor, y: Tensor, input: Tensor, target: Tensor,
  weight w: Tensor?, reduction: Reduction,
  derivatives:
    @escaping (
      _ x: SavedTensor, _ y: SavedTensor, _ wantInput: Bool, _ wantTarget: Bool
    ) -> (Tensor?, Tensor?)
) -> Tensor {
  let savedX = SavedTensor(x, op: name)
  let savedY = SavedTensor(y, op: name)
  return recordPointwiseLoss(
    name, values: values, input: input, target: target, reduction: reduction
  ) { wantInput, wantTarget in
    let (dInput, dTarget) = derivatives(savedX, savedY, wantInput, wantTarget)
    guard let w else { return (dInput, dTarget) }
    return (dInput.map { $0 * w }, dTarget.map { $0 * w })
  }
}

/// (y − 1)·max(log(1 − x), −100) − y·max(log x, −100), PyTorch's forward kernel.
private struct BCEValueKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T, _ y: T) -> T {
    (y - 1) * Swift.max(T.log(onePlus: -x), -100) - y * Swift.max(T.log(x), -100)
  }
}

/// (x − y) / max(x(1 − x), ε), PyTorch's backward kernel. Its ε is the float32 nearest
/// 1e-12 even for float64 (1 − 4e-9 times 1e-12), which shows in the clamped gradients.
private struct BCEInputSlopeKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T, _ y: T) -> T {
    (x - y) / Swift.max((1 - x) * x, T(Float(1e-12)))
  }
}

/// −log(x / (1 − x)).
private struct BCETargetSlopeKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T, _ y: T) -> T { -T.log(x / (1 - x)) }
}

/// Binary cross entropy on raw scores (`torch.nn.functional.binary_cross_entropy_with_logits`):
/// the sigmoid and the log in one stable formula.
///
/// Per element, with p = `posWeight` (1 when nil) and w = `weight` (1 when nil):
/// ℓ = w·((1 − y)·x − (1 + (p − 1)·y)·log σ(x)), where log σ(x) = min(x, 0) − log(1 + e^−|x|).
/// Without `posWeight` this is max(x, 0) − x·y + log(1 + e^−|x|): no exp overflows, and a
/// confident wrong score gives a large loss rather than inf. `posWeight` (one value per class
/// in the last dimension, typically) scales the positive term to rebalance rare positives.
/// Both weights must broadcast to the input's shape and get no gradient; input and target
/// get one. The node is `BinaryCrossEntropyWithLogitsBackward0`.
public func binaryCrossEntropyWithLogits(
  _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
  posWeight: Tensor? = nil
) -> Tensor {
  Tensor.op([input, target] + [weight, posWeight].compactMap { $0 }) { () throws(OpError) in
    try checkedBinaryCrossEntropyWithLogits(
      input, target, weight: weight, reduction: reduction, posWeight: posWeight)
  }
}

private func checkedBinaryCrossEntropyWithLogits(
  _ input: Tensor, _ target: Tensor, weight: Tensor?, reduction: Reduction, posWeight: Tensor?
) throws(OpError) -> Tensor {
  let op = "binary_cross_entropy_with_logits"
  let type = try checkedPointwiseOperands(op, input, target)
  let w = try checkedElementWeight(op, "weight", weight, against: input.shape, dtype: type)
  let p = try checkedElementWeight(
    op, "posWeight", posWeight, against: input.shape, dtype: type)
  let x = input.converted(to: type)
  let y = target.converted(to: type)
  let values = noGrad { () -> Tensor in
    var logSigmoid = unary(x, LogSigmoidKernel())
    if let p { logSigmoid = logSigmoid * ((p - 1) * y + 1) }
    let loss = (1 - y) * x - logSigmoid
    return w.map { loss * $0 } ?? loss
  }
  return recordWeightedBinaryLoss(
    "BinaryCrossEntropyWithLogitsBackward0", values: values, x: x, y: y, input: input,
    target: target, weight: w, reduction: reduction
  ) { savedX, savedY, wantInput, wantTarget in
    let (x, y) = (savedX.value, savedY.value)
    var dInput: Tensor?
    var dTarget: Tensor?
    if wantInput {
      // σ(x) − y, or with t = p·y: (t + 1 − y)·σ(x) − t.
      if let p {
        let t = p * y
        dInput = (t + 1 - y) * x.sigmoid() - t
      } else {
        dInput = x.sigmoid() - y
      }
    }
    if wantTarget {
      // −x, or log σ(−x) − p·log σ(x).
      dTarget =
        p.map { unary(-x, LogSigmoidKernel()) - unary(x, LogSigmoidKernel()) * $0 } ?? -x
    }
    return (dInput, dTarget)
  }
}

/// The first element of `tensor` outside [0, 1] (NaN included), with its flat index.
func firstOutsideUnitInterval(_ tensor: Tensor) -> (index: Int, value: Double)? {
  for (index, value) in tensor.toDoubles().enumerated() where !(value >= 0 && value <= 1) {
    return (index, value)
  }
  return nil
}
