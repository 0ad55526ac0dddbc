/// Negative log likelihood of class indices (`torch.nn.functional.nll_loss`): for each
/// sample, −weight[t]·input[t] with t its target class, reduced.
///
/// `input` holds log-probabilities, [N, C] or [N, C, d1, …] (a class score per position), or
/// [C] for one sample; `target` holds int64 class indices, [N] or [N, d1, …] (a 0-d tensor for
/// one sample). Targets equal to `ignoreIndex` count for nothing; any other index outside
/// [0, C) stops. The mean divides by the summed weight of the counted targets (their number
/// without `weight`), so every sample weighs the same whatever its class; with every target
/// ignored it is NaN (0 / 0), as in PyTorch. `weight` (one value per class) gets no gradient.
/// The node is `NllLossBackward0` (`NllLoss2DBackward0` for inputs with positions).
public func nllLoss(
  _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
  reduction: Reduction = .mean
) -> Tensor {
  Tensor.op(input, target, weight) { () throws(OpError) in
    try requireFloatingLossOperand("nll_loss", "input", input)
    return try classIndexLoss(
      "nll_loss", input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
  }
}

/// How a classification input is laid out: `classes` scores at each of `positions` places
/// per sample (the product of the dimensions after the class dimension).
struct ClassLayout {
  let classes: Int
  let positions: Int

  /// Checks the input's rank and the target's shape against it; `op` names the loss.
  init(_ op: String, input: Tensor, target: Tensor) throws(OpError) {
    guard input.rank >= 1 else {
      throw OpError(
        op,
        "Expected 1 or more dimensions (got 0); the input holds a score per class: [C], [N, C] or [N, C, d1, ...]."
      )
    }
    if input.rank == 1 {
      guard target.rank == 0 else {
        throw OpError(
          op,
          "an unbatched input of shape \(shapeText(input.shape)) takes a 0-d target (one class index), but got target shape \(shapeText(target.shape)); for a batch give the input as [N, C]."
        )
      }
      (classes, positions) = (input.shape[0], 1)
      return
    }
    let expected = [input.shape[0]] + input.shape[2...]
    guard target.shape == expected else {
      let batchMismatch = input.rank == 2 && target.rank <= 1
      let text =
        batchMismatch
        ? "Expected input batch_size (\(input.shape[0])) to match target batch_size (\(target.rank == 0 ? 0 : target.shape[0]))."
        : "Expected target size \(shapeText(expected)), got \(shapeText(target.shape))."
      throw OpError(
        op,
        "\(text) For an input of shape \(shapeText(input.shape)) (class dimension 1) the class-index target has shape \(shapeText(expected))."
      )
    }
    (classes, positions) = (input.shape[1], input.shape[2...].reduce(1, *))
  }
}

/// The negative log likelihood of `target` (int64 class indices) under `logProbs`, shared by
/// `nllLoss` and `crossEntropy` (`op` names the caller in messages).
func classIndexLoss(
  _ op: String, _ logProbs: Tensor, _ target: Tensor, weight: Tensor?, ignoreIndex: Int,
  reduction: Reduction
) throws(OpError) -> Tensor {
  guard target.dtype == .int64 else {
    throw OpError(
      op,
      "expected target dtype to be Long (int64 class indices), but got \(target.dtype) (target shape \(shapeText(target.shape))). Convert with target.to(.int64)."
    )
  }
  let layout = try ClassLayout(op, input: logProbs, target: target)
  let classes = layout.classes
  let weights = try checkedClassWeight(op, weight, classes: classes, dtype: logProbs.dtype)?
    .toDoubles()
  // Each counted target: where its loss goes, the input element it reads, its class weight.
  var picks: [(out: Int, element: Int, weight: Double)] = []
  picks.reserveCapacity(target.count)
  let indices = target.toArray(as: Int64.self)
  for (flat, raw) in indices.enumerated() where raw != Int64(ignoreIndex) {
    let t = Int(raw)
    guard t >= 0 && t < classes else {
      throw OpError(
        op,
        "Target \(t) is out of bounds. Class indices must lie in [0, \(classes)) for an input of shape \(shapeText(logProbs.shape)) with \(classes) classes (or equal ignoreIndex \(ignoreIndex)); found at flat index \(flat) of target shape \(shapeText(target.shape))."
      )
    }
    let (n, s) = flat.quotientAndRemainder(dividingBy: layout.positions)
    picks.append((flat, (n * classes + t) * layout.positions + s, weights?[t] ?? 1))
  }
  let totalWeight = picks.reduce(0) { $0 + $1.weight }

  func forward<T: FloatScalar>(_: T.Type) -> Tensor {
    let source = logProbs.dense().pointer(T.self)
    var losses = [T](repeating: 0, count: target.count)
    var total = 0.0
    for pick in picks {
      let loss = -T(fromDouble: pick.weight) * source[pick.element]
      losses[pick.out] = loss
      total += loss.asDouble
    }
    switch reduction {
    case .none: return Tensor(shape: target.shape, scalars: losses)
    case .sum: return Tensor(shape: [], scalars: [T(fromDouble: total)])
    case .mean: return Tensor(shape: [], scalars: [T(fromDouble: total / totalWeight)])
    }
  }
  let out = logProbs.dtype == .float64 ? forward(Double.self) : forward(Float.self)

  let inputShape = logProbs.shape
  let name = logProbs.rank >= 3 ? "NllLoss2DBackward0" : "NllLossBackward0"
  record(name, out, logProbs) { g in
    // Only the picked elements get a gradient: −weight · (upstream, over the total weight for
    // the mean).
    let scale = reduction == .mean ? 1 / totalWeight : 1
    if GradMode.isEnabled {
      // Recorded: the upstream gradient gathered to the picks, weighted, and added into zeros.
      let upstream =
        reduction == .none
        ? g.reshaped([-1]).indexSelect(0, Tensor(integers: picks.map(\.out)))
        : g.reshaped([1]).expand([picks.count])
      let weights = Tensor(picks.map { -$0.weight * scale }, dtype: g.dtype)
      let elements = Tensor(integers: picks.map(\.element))
      let flat = Tensor.zeros([inputShape.reduce(1, *)], dtype: g.dtype)
      return flat.indexAdd(0, elements, upstream * weights).reshaped(inputShape)
    }
    func backward<T: FloatScalar>(_: T.Type) -> Tensor {
      let gradient = Tensor.zeros(inputShape, dtype: T.dtype)
      let upstream = g.converted(to: T.dtype).dense().toArray(as: T.self)
      let values = gradient.pointer(T.self)
      for pick in picks {
        let incoming = upstream[reduction == .none ? pick.out : 0]
        values[pick.element] = T(fromDouble: -pick.weight * incoming.asDouble * scale)
      }
      return gradient
    }
    return g.dtype == .float64 ? backward(Double.self) : backward(Float.self)
  }
  return out
}
