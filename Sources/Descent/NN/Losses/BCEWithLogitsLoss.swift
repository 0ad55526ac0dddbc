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
  let op = "binary_cross_entropy_with_logits"
  let type = checkedPointwiseOperands(op, input, target)
  let w = checkedElementWeight(op, "weight", weight, against: input.shape, dtype: type)
  let p = checkedElementWeight(op, "posWeight", posWeight, against: input.shape, dtype: type)
  let x = input.converted(to: type)
  let y = target.converted(to: type)
  let values = noGrad { () -> Tensor in
    var logSigmoid = lossMap(x, LogSigmoidKernel())
    if let p { logSigmoid = logSigmoid * ((p - 1) * y + 1) }
    let loss = (1 - y) * x - logSigmoid
    return w.map { loss * $0 } ?? loss
  }
  let name = "BinaryCrossEntropyWithLogitsBackward0"
  let savedX = SavedTensor(x, op: name)
  let savedY = SavedTensor(y, op: name)
  return recordPointwiseLoss(
    name, values: values, input: input, target: target, reduction: reduction
  ) { wantInput, wantTarget in
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
        p.map { lossMap(-x, LogSigmoidKernel()) - lossMap(x, LogSigmoidKernel()) * $0 } ?? -x
    }
    guard let w else { return (dInput, dTarget) }
    return (dInput.map { $0 * w }, dTarget.map { $0 * w })
  }
}

/// Binary cross entropy on raw scores as a module (`torch.nn.BCEWithLogitsLoss`).
public final class BCEWithLogitsLoss: Module {
  /// Per-element rescaling (broadcast to the input's shape), or nil; a buffer, as in PyTorch.
  public let weight: Tensor?
  /// How the per-element losses are combined.
  public let reduction: Reduction
  /// Weight of the positive term (broadcast to the input's shape), or nil; a buffer.
  public let posWeight: Tensor?

  /// A binary cross entropy loss on raw scores, optionally weighted.
  public init(weight: Tensor? = nil, reduction: Reduction = .mean, posWeight: Tensor? = nil) {
    self.weight = weight
    self.reduction = reduction
    self.posWeight = posWeight
    super.init()
    if let weight { registerBuffer("weight", weight) }
    if let posWeight { registerBuffer("pos_weight", posWeight) }
  }

  /// The loss of scores `input` against `target`; see
  /// `binaryCrossEntropyWithLogits(_:_:weight:reduction:posWeight:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    binaryCrossEntropyWithLogits(
      input, target, weight: weight, reduction: reduction, posWeight: posWeight)
  }

  /// Stops: a loss needs a target, so call `loss(input, target)`.
  public override func forward(_ input: Tensor) -> Tensor { lossTakesTwoTensors(typeName, input) }
}
