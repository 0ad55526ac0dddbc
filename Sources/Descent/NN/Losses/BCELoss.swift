import RealModule

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
  let op = "binary_cross_entropy"
  let type = checkedPointwiseOperands(op, input, target)
  let w = checkedElementWeight(op, "weight", weight, against: input.shape, dtype: type)
  for (tensor, role) in [(input, "input"), (target, "target")] {
    if let (index, value) = firstOutsideUnitInterval(tensor) {
      let hint =
        role == "input"
        ? " The input must hold probabilities: apply sigmoid first, or pass the raw scores to binaryCrossEntropyWithLogits."
        : ""
      opFailure(
        op,
        "all elements of \(role) should be between 0 and 1 (found \(value) at flat index \(index) of \(role) shape \(shapeText(tensor.shape))).\(hint)"
      )
    }
  }
  let x = input.converted(to: type)
  let y = target.converted(to: type)
  let values = noGrad { () -> Tensor in
    let raw = lossMap(x, y, BCEValueKernel(), op: op)
    return w.map { raw * $0 } ?? raw
  }
  let name = "BinaryCrossEntropyBackward0"
  let savedX = SavedTensor(x, op: name)
  let savedY = SavedTensor(y, op: name)
  return recordPointwiseLoss(
    name, values: values, input: input, target: target, reduction: reduction
  ) { wantInput, wantTarget in
    let (x, y) = (savedX.value, savedY.value)
    let dInput = wantInput ? lossMap(x, y, BCEInputSlopeKernel(), op: op) : nil
    // ∂ℓ/∂y = log(1 − x) − log x = −logit(x), not clamped (PyTorch's formula).
    let dTarget = wantTarget ? lossMap(x, y, BCETargetSlopeKernel(), op: op) : nil
    guard let w else { return (dInput, dTarget) }
    return (dInput.map { $0 * w }, dTarget.map { $0 * w })
  }
}

/// (y − 1)·max(log(1 − x), −100) − y·max(log x, −100), PyTorch's forward kernel.
private struct BCEValueKernel: LossPairKernel {
  func apply<T: FloatScalar>(_ x: T, _ y: T) -> T {
    (y - 1) * Swift.max(T.log(onePlus: -x), -100) - y * Swift.max(T.log(x), -100)
  }
}

/// (x − y) / max(x(1 − x), ε), PyTorch's backward kernel. Its ε is the float32 nearest
/// 1e-12 even for float64 (1 − 4e-9 times 1e-12), which shows in the clamped gradients.
private struct BCEInputSlopeKernel: LossPairKernel {
  func apply<T: FloatScalar>(_ x: T, _ y: T) -> T {
    (x - y) / Swift.max((1 - x) * x, T(Float(1e-12)))
  }
}

/// −log(x / (1 − x)).
private struct BCETargetSlopeKernel: LossPairKernel {
  func apply<T: FloatScalar>(_ x: T, _ y: T) -> T { -T.log(x / (1 - x)) }
}

/// Binary cross entropy as a module (`torch.nn.BCELoss`).
public final class BCELoss: Module {
  /// Per-element rescaling (broadcast to the input's shape), or nil; a buffer, as in PyTorch.
  public let weight: Tensor?
  /// How the per-element losses are combined.
  public let reduction: Reduction

  /// A binary cross entropy loss, optionally weighting each element.
  public init(weight: Tensor? = nil, reduction: Reduction = .mean) {
    self.weight = weight
    self.reduction = reduction
    super.init()
    if let weight { registerBuffer("weight", weight) }
  }

  /// The loss of probabilities `input` against `target`; see
  /// `binaryCrossEntropy(_:_:weight:reduction:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    binaryCrossEntropy(input, target, weight: weight, reduction: reduction)
  }

  /// Stops: a loss needs a target, so call `loss(input, target)`.
  public override func forward(_ input: Tensor) -> Tensor { lossTakesTwoTensors(typeName, input) }
}
