/// `scaledDotProductAttention`: softmax(q·kᵀ·scale + mask)·v with PyTorch's checks and mask
/// conventions, on the fused probabilities op (AttentionProbabilities.swift).

/// softmax(q·kᵀ·scale + mask)·v (`torch.nn.functional.scaled_dot_product_attention`).
///
/// `query` `[…, L, E]`, `key` `[…, S, E]`, `value` `[…, S, Ev]` give `[…, L, Ev]`; leading
/// dimensions broadcast. `attnMask` broadcasts to `[…, L, S]`: a bool mask keeps the keys where
/// it is true, a float mask (of the query's dtype) is added to the scores. `isCausal` lets query
/// i see keys 0…i only (with a mask, both apply). `scale` defaults to 1/√E. Dropout with
/// probability `dropoutP` is applied to the attention weights whenever `dropoutP` > 0, as in
/// PyTorch (pass 0 when evaluating). A query whose keys are all masked gets zeros.
public func scaledDotProductAttention(
  _ query: Tensor, _ key: Tensor, _ value: Tensor, attnMask: Tensor? = nil, dropoutP: Double = 0,
  isCausal: Bool = false, scale: Double? = nil
) -> Tensor {
  Tensor.op([query, key, value] + (attnMask.map { [$0] } ?? [])) { () throws(OpError) in
    let op = "scaled_dot_product_attention"
    let batch = try attentionBatch(query, key, value, op: op)
    guard dropoutP >= 0 && dropoutP <= 1 else {
      throw OpError(op, "dropout probability has to be between 0 and 1, but got \(dropoutP)")
    }
    var masks: [AttentionMask] = []
    if let attnMask {
      guard attnMask.dtype == .bool || attnMask.dtype == query.dtype else {
        throw OpError(
          op,
          "Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: \(attnMask.dtype.cTypeName) and  query.dtype: \(query.dtype.cTypeName) instead. (attn_mask \(shapeText(attnMask.shape)), query \(shapeText(query.shape)))"
        )
      }
      let scores = batch + [query.shape[query.rank - 2], key.shape[key.rank - 2]]
      _ = try broadcastShapes(attnMask.shape, scores, op: op)
      try attnMask.checkExpands(to: scores, op: op)
      masks.append(
        AttentionMask(tensor: attnMask, kind: attnMask.dtype == .bool ? .keepWhereTrue : .additive))
    }
    let width = query.shape[query.rank - 1]
    var weights = attentionProbabilities(
      query, key, batch: batch, masks: masks, causal: isCausal,
      scale: scale ?? 1 / Double(width).squareRoot())
    if dropoutP > 0 { weights = dropout(weights, p: dropoutP) }
    return weights.matmul(value)
  }
}

/// PyTorch's checks of attention operands; the batch shape their leading dimensions broadcast
/// to.
func attentionBatch(_ query: Tensor, _ key: Tensor, _ value: Tensor, op: String) throws(OpError)
  -> [Int]
{
  let shapes =
    "(query \(shapeText(query.shape)), key \(shapeText(key.shape)), value \(shapeText(value.shape)))"
  guard query.rank >= 2, key.rank >= 2, value.rank >= 2 else {
    throw OpError(op, "query, key and value must have at least 2 dimensions \(shapes)")
  }
  guard query.dtype == key.dtype, key.dtype == value.dtype, query.dtype.isFloatingPoint else {
    throw OpError(
      op,
      "Expected query, key, and value to have the same dtype, but got query.dtype: \(query.dtype.cTypeName) key.dtype: \(key.dtype.cTypeName) and value.dtype: \(value.dtype.cTypeName) instead. \(shapes)"
    )
  }
  guard query.shape.last == key.shape.last else {
    throw OpError(
      op,
      "the query's last dimension (\(query.shape.last!)) must equal the key's (\(key.shape.last!)) for q·kᵀ \(shapes)"
    )
  }
  guard key.shape[key.rank - 2] == value.shape[value.rank - 2] else {
    throw OpError(
      op,
      "key and value must have the same sequence length (dimension -2): \(key.shape[key.rank - 2]) != \(value.shape[value.rank - 2]) \(shapes)"
    )
  }
  let batch = try broadcastShapes(
    Array(query.shape.dropLast(2)), Array(key.shape.dropLast(2)), op: op)
  return try broadcastShapes(batch, Array(value.shape.dropLast(2)), op: op)
}
