/// Cross entropy between raw scores `input` and a target (`torch.nn.functional.cross_entropy`):
/// `logSoftmax` over the class dimension, then the negative log likelihood.
///
/// The class dimension is 1 for [N, C] and [N, C, d1, …] inputs and 0 for an unbatched [C].
/// The target is either
/// - int64 class indices ([N], [N, d1, …] or 0-d), as `nllLoss` takes them: `weight`,
///   `ignoreIndex` and the weighted mean work as there; or
/// - float class probabilities of the input's shape: the loss is −Σ_c w_c·y_c·log p_c, and
///   the mean divides by the number of samples (N·d1·…, never by weights); `ignoreIndex` does
///   not apply, and the target gets a gradient.
///
/// `labelSmoothing` in [0, 1] mixes the target with the uniform distribution: ε/C on every
/// class plus 1 − ε on the true one. The log-sum-exp inside `logSoftmax` keeps large scores
/// from overflowing.
public func crossEntropy(
  _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
  reduction: Reduction = .mean, labelSmoothing: Double = 0
) -> Tensor {
  Tensor.op(input, target, weight) { () throws(OpError) in
    try checkedCrossEntropy(
      input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction,
      labelSmoothing: labelSmoothing)
  }
}

private func checkedCrossEntropy(
  _ input: Tensor, _ target: Tensor, weight: Tensor?, ignoreIndex: Int, reduction: Reduction,
  labelSmoothing: Double
) throws(OpError) -> Tensor {
  let op = "cross_entropy"
  try requireFloatingLossOperand(op, "input", input)
  try checkLabelSmoothing(labelSmoothing)
  guard input.rank >= 1 else {
    throw OpError(
      op,
      "Expected 1 or more dimensions (got 0); the input holds a score per class: [C], [N, C] or [N, C, d1, ...]."
    )
  }
  let classDim = input.rank == 1 ? 0 : 1
  let classes = input.shape[classDim]
  switch target.dtype {
  case .int64:
    _ = try ClassLayout(op, input: input, target: target)  // shape errors before any work
    let logProbs = input.logSoftmax(dim: classDim)
    let nll = try classIndexLoss(
      op, logProbs, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    guard labelSmoothing > 0 else { return nll }
    let smooth = uniformTargetLoss(
      logProbs, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    return nll * (1 - labelSmoothing) + smooth * (labelSmoothing / Double(classes))
  case .float32, .float64:
    guard target.shape == input.shape else {
      throw OpError(
        op,
        "a float target holds class probabilities and must have the input's shape \(shapeText(input.shape)), but got target shape \(shapeText(target.shape)). For class indices give an int64 target of shape \(shapeText(input.rank == 1 ? [] : [input.shape[0]] + input.shape[2...]))."
      )
    }
    let w = try checkedClassWeight(op, weight, classes: classes, dtype: input.dtype)
    let logProbs = input.logSoftmax(dim: classDim)
    let smoothed =
      labelSmoothing > 0
      ? target * (1 - labelSmoothing) + labelSmoothing / Double(classes) : target
    var terms = logProbs * smoothed
    if let w { terms = terms * classWeightView(w, rank: input.rank) }
    switch reduction {
    case .none: return -terms.sum(dim: classDim)
    case .sum: return -terms.sum()
    case .mean:
      // Divided by the number of samples; 0 / 0 gives NaN for an empty batch, as in PyTorch.
      return -terms.sum() / Double(classes == 0 ? 0 : input.count / classes)
    }
  case .bool:
    throw OpError(
      op,
      "expected an int64 target of class indices or a float target of class probabilities, but got torch.bool (target shape \(shapeText(target.shape))). Convert with target.to(.int64) or target.to(.float32)."
    )
  }
}

/// The smoothing term of `crossEntropy` with class indices, as PyTorch computes it: −Σ_c w_c
/// log p_c for each counted sample, reduced with the same divisor as the NLL part.
private func uniformTargetLoss(
  _ logProbs: Tensor, _ target: Tensor, weight: Tensor?, ignoreIndex: Int, reduction: Reduction
) -> Tensor {
  let classDim = logProbs.rank == 1 ? 0 : 1
  let w = weight.map { $0.detach().converted(to: logProbs.dtype) }
  let weighted = w.map { logProbs * classWeightView($0, rank: logProbs.rank) } ?? logProbs
  let ignored = target.eq(Double(ignoreIndex))
  let perSample = Tensor.where(
    ignored, Tensor.zeros([], dtype: logProbs.dtype), -weighted.sum(dim: classDim))
  switch reduction {
  case .none: return perSample
  case .sum: return perSample.sum()
  case .mean:
    // The divisor of the NLL part: the summed weight (or the number) of counted targets.
    let counted = target.toArray(as: Int64.self).filter { $0 != Int64(ignoreIndex) }
    let weights = w?.toDoubles()
    let divisor = counted.reduce(0.0) { $0 + (weights?[Int($1)] ?? 1) }
    return perSample.sum() / divisor
  }
}

/// A class weight shaped to broadcast along the class dimension (1 for batched inputs).
private func classWeightView(_ weight: Tensor, rank: Int) -> Tensor {
  guard rank > 1 else { return weight }
  var shape = [Int](repeating: 1, count: rank)
  shape[1] = weight.count
  return weight.reshaped(shape)
}

/// Stops unless the smoothing lies in [0, 1], with PyTorch's message.
func checkLabelSmoothing(_ labelSmoothing: Double) throws(OpError) {
  guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
    throw OpError(
      "cross_entropy",
      "label_smoothing must be between 0.0 and 1.0. Got: \(labelSmoothing); 0 turns smoothing off, 0.1 is typical."
    )
  }
}
