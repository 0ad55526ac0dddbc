/// `diagonal`: the elements whose indices along two dimensions differ by `offset`, as a view
/// (einsum's repeated subscripts use it), beside its backward.
extension Tensor {
  /// The diagonal of the matrices in dimensions `dim1` and `dim2`, as a view: those two
  /// dimensions are removed and one of the diagonal's length appended (`diagonal`). `offset`
  /// above 0 takes a diagonal above the main one, below 0 one below it.
  public func diagonal(offset: Int = 0, dim1: Int = 0, dim2: Int = 1) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let a = try normalizedDim(dim1, op: "diagonal")
      let b = try normalizedDim(dim2, op: "diagonal")
      guard a != b else {
        throw OpError(
          "diagonal",
          "diagonal dimensions cannot be identical \(dim1), \(dim2) (shape \(shapeText(shape)))")
      }
      let out = diagonalView(offset, a, b)
      let inputShape = shape
      record("DiagonalBackward0", out, self) { g in
        Tensor.embeddingDiagonal(g, into: inputShape, offset: offset, a, b)
      }
      return out
    }
  }

  /// The diagonal view, no autograd.
  private func diagonalView(_ offset: Int, _ a: Int, _ b: Int) -> Tensor {
    let length = Swift.max(
      0,
      offset >= 0 ? Swift.min(shape[a], shape[b] - offset) : Swift.min(shape[a] + offset, shape[b]))
    var start = storageOffset
    if length > 0 { start += offset >= 0 ? offset * strides[b] : -offset * strides[a] }
    var newShape: [Int] = []
    var newStrides: [Int] = []
    for axis in 0..<rank where axis != a && axis != b {
      newShape.append(shape[axis])
      newStrides.append(strides[axis])
    }
    return aliasing(
      shape: newShape + [length], strides: newStrides + [strides[a] + strides[b]], offset: start)
  }

  /// Zeros of `shape` with `g` on the diagonal (PyTorch's `diagonal_backward`), itself
  /// recorded: its gradient takes the diagonal again.
  private static func embeddingDiagonal(
    _ g: Tensor, into shape: [Int], offset: Int, _ a: Int, _ b: Int
  ) -> Tensor {
    let out = Tensor.zeros(shape, dtype: g.dtype)
    out.diagonalView(offset, a, b).writeElements(g)
    record("DiagonalBackwardBackward0", out, g) { gg in
      gg.diagonal(offset: offset, dim1: a, dim2: b)
    }
    return out
  }
}
