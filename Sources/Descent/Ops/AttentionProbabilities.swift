import RealModule

/// The fused heart of attention: softmax(scale·q·kᵀ + masks) along the keys, in one op. Each
/// batch entry's scores are one GEMM (the scale is its alpha) written straight into the result;
/// one pass per row then adds or applies the masks (read through broadcast strides, never
/// expanded), the causal triangle, and the softmax, in place. Nothing else is materialised: no
/// scaled copy, no expanded mask, no separate exponentials. A row whose keys are all masked
/// gets zeros (PyTorch's safe softmax), not NaN.
///
/// Backward: dS = P ⊙ (dP − Σⱼ dP ⊙ P) row by row, then dq = scale·dS·k and dk = scale·dSᵀ·q,
/// one GEMM per batch entry; an additive mask that needs a gradient gets dS summed to its shape.

/// A mask over the scores `[batch…, L, S]`, broadcast to them.
struct AttentionMask {
  enum Kind {
    /// Added to the scores (float; −inf removes a key).
    case additive
    /// A bool mask: false removes a key (scaled_dot_product_attention's convention).
    case keepWhereTrue
    /// A bool mask: true removes a key (MultiheadAttention's convention).
    case removeWhereTrue
  }
  let tensor: Tensor
  let kind: Kind
}

/// softmax(scale·q·kᵀ + masks, dim: −1) for `q` `[batch…, L, E]` and `k` `[batch…, S, E]`
/// whose batch dimensions broadcast to `batch`; `causal` removes key j from query i when
/// j > i. The masks must broadcast to `batch + [L, S]` (checked by the caller).
func attentionProbabilities(
  _ q: Tensor, _ k: Tensor, batch: [Int], masks: [AttentionMask], causal: Bool, scale: Double
) -> Tensor {
  let (length, keys) = (q.shape[q.rank - 2], k.shape[k.rank - 2])
  let scoreShape = batch + [length, keys]
  // GEMM reads rows with a unit step along them.
  let (qd, kd) = (q.strides.last == 1 ? q : q.dense(), k.strides.last == 1 ? k : k.dense())
  let plan = AttentionPlan(q: qd, k: kd, batch: batch, masks: masks, scoreShape: scoreShape)
  let out = q.dtype.dispatchFloat(
    AttentionForward(plan: plan, causal: causal, scale: scale))
  let additive = masks.filter { $0.kind == .additive && $0.tensor.requiresGradFlag }
  guard GradMode.isEnabled,
    q.requiresGradFlag || k.requiresGradFlag || !additive.isEmpty
  else { return out }
  let name = "AttentionProbabilitiesBackward0"
  let inputs = [q, k] + additive.map(\.tensor)
  let savedQ = SavedTensor(q, op: name)
  let savedK = SavedTensor(k, op: name)
  let probabilities = SavedTensor(output: out, op: name)
  let (needQ, needK) = (q.requiresGradFlag, k.requiresGradFlag)
  let (qShape, kShape) = (q.shape, k.shape)
  record(name, out, inputs) { g in
    let p = probabilities.value
    let dS: Tensor
    if GradMode.isEnabled {
      dS = p * (g - (g * p).sum(dim: -1, keepDim: true))
    } else {
      dS = g.dtype.dispatchFloat(SoftmaxRowsBackward(p: p, g: g.dense()))
    }
    let (qv, kv) = (savedQ.value, savedK.value)
    var grads: [Tensor?] = [
      needQ ? (dS.matmul(kv) * scale).sumTo(qShape) : nil,
      needK ? (dS.transpose(-1, -2).matmul(qv) * scale).sumTo(kShape) : nil,
    ]
    for mask in additive { grads.append(dS.sumTo(mask.tensor.shape)) }
    return grads
  }
  return out
}

/// Offsets of every batch entry in each operand, from broadcast strides.
struct AttentionPlan {
  let q: Tensor
  let k: Tensor
  let masks: [AttentionMask]
  let scoreShape: [Int]
  let batchCount: Int
  let qOffsets: [Int]
  let kOffsets: [Int]
  /// Per mask: the offset of each batch entry, and the row and column strides.
  let maskOffsets: [[Int]]
  let maskRowStrides: [Int]
  let maskColumnStrides: [Int]

  init(q: Tensor, k: Tensor, batch: [Int], masks: [AttentionMask], scoreShape: [Int]) {
    self.q = q
    self.k = k
    self.masks = masks
    self.scoreShape = scoreShape
    batchCount = batch.reduce(1, *)
    qOffsets = Self.offsets(
      batch,
      broadcastStrides(
        shape: Array(q.shape.dropLast(2)), strides: Array(q.strides.dropLast(2)), to: batch),
      q.storageOffset)
    kOffsets = Self.offsets(
      batch,
      broadcastStrides(
        shape: Array(k.shape.dropLast(2)), strides: Array(k.strides.dropLast(2)), to: batch),
      k.storageOffset)
    var maskOffsets: [[Int]] = []
    var rows: [Int] = []
    var columns: [Int] = []
    for mask in masks {
      let t = mask.tensor
      let full = broadcastStrides(shape: t.shape, strides: t.strides, to: scoreShape)
      maskOffsets.append(Self.offsets(batch, Array(full.dropLast(2)), t.storageOffset))
      rows.append(full[full.count - 2])
      columns.append(full[full.count - 1])
    }
    self.maskOffsets = maskOffsets
    maskRowStrides = rows
    maskColumnStrides = columns
  }
}

extension AttentionPlan {
  /// The storage offset of every batch entry, in row-major order of `batch`.
  static func offsets(_ batch: [Int], _ strides: [Int], _ base: Int) -> [Int] {
    var result = [Int](repeating: 0, count: batch.reduce(1, *))
    forEachOffset(shape: batch, stridesA: strides, baseA: base, stridesB: strides, baseB: 0) {
      index, offset, _ in result[index] = offset
    }
    return result
  }
}

private struct AttentionForward: FloatRoutine {
  let plan: AttentionPlan
  let causal: Bool
  let scale: Double

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let p = plan
    let (length, keys) = (p.scoreShape[p.scoreShape.count - 2], p.scoreShape.last!)
    let width = p.q.shape.last!
    let out = Tensor(uninitializedShape: p.scoreShape, dtype: T.dtype)
    let (q, k, scores) = (
      p.q.storage.pointer(T.self), p.k.storage.pointer(T.self), out.pointer(T.self)
    )
    // A single row's stride means nothing; GEMM wants at least the row's length.
    let qRow = length <= 1 ? width : p.q.strides[p.q.rank - 2]
    let kRow = keys <= 1 ? width : p.k.strides[p.k.rank - 2]
    let maskData: [UnsafeMutableRawPointer] = p.masks.map { $0.tensor.storage.data }
    for b in 0..<p.batchCount {
      let block = scores + b * length * keys
      gemm(
        transB: true, length, keys, width, alpha: T(fromDouble: scale), q + p.qOffsets[b],
        Swift.max(qRow, 1), k + p.kOffsets[b], Swift.max(kRow, 1), beta: 0, block,
        Swift.max(keys, 1))
      for i in 0..<length {
        let row = block + i * keys
        for (m, mask) in p.masks.enumerated() {
          let start = p.maskOffsets[m][b] + i * p.maskRowStrides[m]
          let step = p.maskColumnStrides[m]
          switch mask.kind {
          case .additive:
            let values = maskData[m].assumingMemoryBound(to: T.self) + start
            for j in 0..<keys { row[j] += values[j * step] }
          case .keepWhereTrue, .removeWhereTrue:
            let flags = maskData[m].assumingMemoryBound(to: Bool.self) + start
            let removed = mask.kind == .removeWhereTrue
            for j in 0..<keys where flags[j * step] == removed { row[j] = -.infinity }
          }
        }
        if causal && i + 1 < keys {
          for j in (i + 1)..<keys { row[j] = -.infinity }
        }
        softmaxRow(row, keys)
      }
    }
    return out
  }
}

/// Softmax of `n` values in place; a row of −inf (every key masked) becomes zeros.
@inline(__always)
private func softmaxRow<T: FloatScalar>(_ row: UnsafeMutablePointer<T>, _ n: Int) {
  var top = -T.infinity
  for j in 0..<n where row[j] > top { top = row[j] }
  if top == -T.infinity {
    row.update(repeating: 0, count: n)
    return
  }
  var total: T = 0
  for j in 0..<n {
    let e = T.exp(row[j] - top)
    row[j] = e
    total += e
  }
  let inverse = 1 / total
  for j in 0..<n { row[j] *= inverse }
}

/// dS = P ⊙ (dP − Σⱼ dP ⊙ P) along the last dimension.
private struct SoftmaxRowsBackward: FloatRoutine {
  let p: Tensor
  let g: Tensor
  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let n = p.shape.last ?? 1
    let rows = n == 0 ? 0 : p.count / n
    let out = Tensor(uninitializedShape: p.shape, dtype: T.dtype)
    let (pp, gp, op) = (p.dense().pointer(T.self), g.pointer(T.self), out.pointer(T.self))
    for r in 0..<rows {
      let (pr, gr, or) = (pp + r * n, gp + r * n, op + r * n)
      var dot: T = 0
      for j in 0..<n { dot += gr[j] * pr[j] }
      for j in 0..<n { or[j] = pr[j] * (gr[j] - dot) }
    }
    return out
  }
}
