/// `embedding`: rows of a weight matrix looked up by int64 indices, with PyTorch's
/// `padding_idx` (that row gets no gradient). The forward copies rows; the backward adds each
/// gradient row into the row it came from, as a dense gradient of the weight's shape.

/// Rows of `weight` (`[numEmbeddings, embeddingDim]`) at the int64 `input` indices, giving
/// `input.shape + [embeddingDim]` (`torch.nn.functional.embedding`). The row `paddingIdx`
/// (negative counts from the end) receives no gradient.
public func embedding(_ input: Tensor, _ weight: Tensor, paddingIdx: Int? = nil) -> Tensor {
  Tensor.op(input, weight) { () throws(OpError) in
    try checkedEmbedding(input, weight, paddingIdx: paddingIdx)
  }
}

private func checkedEmbedding(_ input: Tensor, _ weight: Tensor, paddingIdx: Int?) throws(OpError)
  -> Tensor
{
  guard weight.rank == 2 else {
    throw OpError(
      "embedding",
      "'weight' must be 2-D (got weight of shape \(shapeText(weight.shape)), input \(shapeText(input.shape)))"
    )
  }
  let (rows, width) = (weight.shape[0], weight.shape[1])
  guard input.dtype == .int64 else {
    throw OpError(
      "embedding",
      "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.\(input.dtype.scalarTypeName)Tensor instead (while checking arguments for embedding; input \(shapeText(input.shape)), weight \(shapeText(weight.shape)))"
    )
  }
  var padding: Int? = nil
  if let paddingIdx {
    guard paddingIdx >= -rows && paddingIdx < rows else {
      throw OpError(
        "embedding",
        "Padding_idx must be within num_embeddings (padding_idx \(paddingIdx), weight \(shapeText(weight.shape)))"
      )
    }
    padding = paddingIdx < 0 ? paddingIdx + rows : paddingIdx
  }
  let indices = input.toArray(as: Int64.self)
  for (position, raw) in indices.enumerated() where raw < 0 || raw >= rows {
    throw OpError(
      "embedding",
      "index out of range in self: index \(raw) at position \(position) of the input is not in [0, \(rows)) (input \(shapeText(input.shape)), weight \(shapeText(weight.shape)) of an Embedding(\(rows), \(width)))"
    )
  }
  let source = weight.dense()
  let out = Tensor(uninitializedShape: input.shape + [width], dtype: weight.dtype)
  source.dtype.dispatchBits(RowGather(source: source, out: out, indices: indices, width: width))
  guard weight.requiresGradFlag else { return out }
  let savedInput = SavedTensor(input, op: "EmbeddingBackward0")
  let weightShape = weight.shape
  record("EmbeddingBackward0", out, weight) { g in
    if GradMode.isEnabled {
      // Differentiable in the incoming gradient: rows added with index_add, the padding
      // row's contributions zeroed first.
      let flat = savedInput.value.reshaped([-1])
      var rowsOfG = g.reshaped([-1, width])
      if let padding {
        rowsOfG = rowsOfG * flat.ne(Double(padding)).to(g.dtype).unsqueeze(1)
      }
      return Tensor.zeros(weightShape, dtype: g.dtype).indexAdd(0, flat, rowsOfG)
    }
    let gradient = Tensor.zeros(weightShape, dtype: g.dtype)
    g.dtype.dispatchFloat(
      RowScatterAdd(
        gradient: g.dense(), into: gradient, indices: indices, width: width, skipping: padding))
    return gradient
  }
  return out
}

/// `out[i] = source[indices[i]]`, rows of `width` elements.
private struct RowGather: BitsRoutine {
  let source: Tensor
  let out: Tensor
  let indices: [Int64]
  let width: Int
  func run<Bits: FixedWidthInteger>(_: Bits.Type) {
    let from = source.pointer(Bits.self)
    let to = out.pointer(Bits.self)
    for (i, row) in indices.enumerated() {
      (to + i * width).update(from: from + Int(row) * width, count: width)
    }
  }
}

/// `gradient[indices[i]] += g[i]` for every i whose index is not `skipping`.
private struct RowScatterAdd: FloatRoutine {
  let gradient: Tensor
  let into: Tensor
  let indices: [Int64]
  let width: Int
  let skipping: Int?
  func run<T: FloatScalar>(_: T.Type) {
    let g = gradient.pointer(T.self)
    let target = into.pointer(T.self)
    for (i, row) in indices.enumerated() where Int(row) != skipping {
      let source = g + i * width
      let destination = target + Int(row) * width
      for j in 0..<width { destination[j] += source[j] }
    }
  }
}
