/// Joining and splitting: `cat`, `stack`, `split`, `chunk`.
extension Tensor {
  /// Joins tensors along an existing dimension (`torch.cat`); all other sizes must match.
  public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
    op(tensors) { () throws(OpError) in try concatenated(tensors, dim: dim) }
  }

  private static func concatenated(_ tensors: [Tensor], dim: Int) throws(OpError) -> Tensor {
    guard let first = tensors.first else {
      throw OpError("cat", "expected a non-empty list of Tensors")
    }
    if let scalar = tensors.firstIndex(where: { $0.rank == 0 }) {
      throw OpError(
        "cat",
        "zero-dimensional tensor (at position \(scalar)) cannot be concatenated; use stack, or unsqueeze(0) each tensor first"
      )
    }
    let axis = try first.normalizedDim(dim, op: "cat")
    let type = tensors.map(\.dtype).reduce(first.dtype, DType.promote)
    for (index, tensor) in tensors.enumerated() {
      guard tensor.rank == first.rank else {
        throw OpError(
          "cat",
          "Tensors must have same number of dimensions: got \(first.rank) and \(tensor.rank) (shapes \(shapeText(first.shape)) and \(shapeText(tensor.shape)) at positions 0 and \(index))"
        )
      }
      for d in 0..<first.rank where d != axis && tensor.shape[d] != first.shape[d] {
        throw OpError(
          "cat",
          "Sizes of tensors must match except in dimension \(axis). Expected size \(first.shape[d]) but got size \(tensor.shape[d]) for tensor number \(index) in the list (shapes \(shapeText(first.shape)) and \(shapeText(tensor.shape)))"
        )
      }
    }
    var outShape = first.shape
    outShape[axis] = tensors.map { $0.shape[axis] }.reduce(0, +)
    let out = Tensor(uninitializedShape: outShape, dtype: type)
    var start = 0
    var bounds: [(Int, Int)] = []
    for tensor in tensors {
      let length = tensor.shape[axis]
      out.slice(axis, start: start, end: start + length).writeElements(tensor)
      bounds.append((start, start + length))
      start += length
    }
    out.storage.version = 0
    record("CatBackward0", out, tensors) { g in
      zip(tensors, bounds).map { tensor, range in
        tensor.requiresGradFlag
          ? g.slice(axis, start: range.0, end: range.1).converted(to: tensor.dtype) : nil
      }
    }
    return out
  }

  /// Joins tensors of one shape along a new dimension (`torch.stack`).
  public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
    op(tensors) { () throws(OpError) in try stacked(tensors, dim: dim) }
  }

  private static func stacked(_ tensors: [Tensor], dim: Int) throws(OpError) -> Tensor {
    guard let first = tensors.first else {
      throw OpError("stack", "stack expects a non-empty TensorList")
    }
    for (index, tensor) in tensors.enumerated() where tensor.shape != first.shape {
      throw OpError(
        "stack",
        "stack expects each tensor to be equal size, but got \(shapeText(first.shape)) at entry 0 and \(shapeText(tensor.shape)) at entry \(index)"
      )
    }
    let axis = try first.normalizedDim(dim, op: "stack", rank: first.rank + 1)
    return try concatenated(tensors.map { $0.unsqueeze(axis) }, dim: axis)
  }

  /// Pieces of `size` along `dim`, the last one shorter if need be (`split`); views.
  public func split(_ size: Int, dim: Int = 0) -> [Tensor] {
    Tensor.op([self], placeholder: [Tensor.poisoned(dtype)]) { () throws(OpError) in
      try pieces(size, dim: dim)
    }
  }

  private func pieces(_ size: Int, dim: Int) throws(OpError) -> [Tensor] {
    guard size > 0 else {
      throw OpError("split", "split expects split_size be positive, but got split_size=\(size)")
    }
    let axis = try axisToCut(dim, op: "split", named: "split")
    return stride(from: 0, to: Swift.max(shape[axis], 1), by: size).map { start in
      slice(axis, start: start, end: start + size)
    }
  }

  /// Pieces of the given sizes along `dim` (`split` with a list); the sizes must add up.
  public func split(sizes: [Int], dim: Int = 0) -> [Tensor] {
    Tensor.op([self], placeholder: sizes.map { _ in Tensor.poisoned(dtype) }) {
      () throws(OpError) in try pieces(sizes: sizes, dim: dim)
    }
  }

  private func pieces(sizes: [Int], dim: Int) throws(OpError) -> [Tensor] {
    let axis = try axisToCut(dim, op: "split_with_sizes", named: "split")
    guard sizes.reduce(0, +) == shape[axis], sizes.allSatisfy({ $0 >= 0 }) else {
      throw OpError(
        "split_with_sizes",
        "split_with_sizes expects split_sizes to sum exactly to \(shape[axis]) (input tensor's size at dimension \(axis)), but got split_sizes=\(shapeText(sizes))"
      )
    }
    var start = 0
    return sizes.map { size in
      defer { start += size }
      return slice(axis, start: start, end: start + size)
    }
  }

  /// At most `chunks` pieces of equal size (the last may be smaller) along `dim` (`chunk`).
  public func chunk(_ chunks: Int, dim: Int = 0) -> [Tensor] {
    Tensor.op([self], placeholder: [Tensor.poisoned(dtype)]) { () throws(OpError) in
      try chunked(chunks, dim: dim)
    }
  }

  private func chunked(_ chunks: Int, dim: Int) throws(OpError) -> [Tensor] {
    guard chunks > 0 else {
      throw OpError("chunk", "chunk expects `chunks` to be greater than 0, got: \(chunks)")
    }
    let axis = try axisToCut(dim, op: "chunk", named: "chunk")
    let size = (shape[axis] + chunks - 1) / chunks
    return try pieces(Swift.max(size, 1), dim: axis)
  }

  /// The axis `dim` names for an op that cuts the tensor along it, which needs a dimension:
  /// `op` is the op that fails, `name` the one PyTorch's messages speak of.
  private func axisToCut(_ dim: Int, op: String, named name: String) throws(OpError) -> Int {
    guard rank > 0 else {
      throw OpError(op, "\(name) expects at least a 1-dimensional tensor (got shape [])")
    }
    return try normalizedDim(dim, op: name)
  }
}
