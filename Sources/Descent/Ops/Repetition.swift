/// Repeating a tensor: whole (`repeat`, PyTorch's tiling) or element by element
/// (`repeatInterleave`), beside their backward.
extension Tensor {
  /// This tensor tiled `repeats[d]` times along each dimension (`repeat`). With more repeats
  /// than dimensions, the tensor is first seen with leading dimensions of size 1. The result
  /// is a new tensor (PyTorch's `repeat` copies; `expand` is the view).
  public func `repeat`(_ repeats: [Int]) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      guard repeats.count >= rank else {
        throw OpError(
          "repeat",
          "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor (repeats \(shapeText(repeats)), tensor shape \(shapeText(shape)))"
        )
      }
      let padded = [Int](repeating: 1, count: repeats.count - rank) + shape
      let outShape = zip(padded, repeats).map { $0 * $1 }
      if let negative = outShape.first(where: { $0 < 0 }) {
        throw OpError(
          "repeat",
          "Trying to create tensor with negative dimension \(negative): \(shapeText(outShape)) (repeats \(shapeText(repeats)), tensor shape \(shapeText(shape)))"
        )
      }
      // Seen as [r0, s0, r1, s1, …] with stride 0 along each r: one dense copy tiles it.
      let paddedStrides =
        [Int](repeating: 0, count: repeats.count - rank)
        + Tensor.contiguousStrides(shape)
      var tiledShape: [Int] = []
      var tiledStrides: [Int] = []
      for axis in 0..<repeats.count {
        tiledShape += [repeats[axis], padded[axis]]
        tiledStrides += [0, padded[axis] == 1 ? 0 : paddedStrides[axis]]
      }
      let out = dense().aliasing(shape: tiledShape, strides: tiledStrides).dense()
        .reshapedData(outShape)
      let inputShape = shape
      record("RepeatBackward0", out, self) { g in
        let summedAxes = (0..<repeats.count).map { 2 * $0 }
        return g.reshaped(tiledShape).sum(dims: summedAxes).reshaped(inputShape)
      }
      return out
    }
  }

  /// `repeat` with repeat arguments: `x.repeat(2, 3)`.
  public func `repeat`(_ repeats: Int...) -> Tensor { self.repeat(repeats) }

  /// Each element repeated `repeats` times along `dim` (`repeat_interleave`): `[1, 2]` with
  /// 2 repeats is `[1, 1, 2, 2]`. Without a dim the tensor is flattened first.
  public func repeatInterleave(_ repeats: Int, dim: Int? = nil) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      guard repeats >= 0 else {
        throw OpError(
          "repeat_interleave",
          "Repeats must be non-negative (got \(repeats), tensor shape \(shapeText(shape)))")
      }
      let (source, axis) = try interleaveSource(dim)
      var expanded = source.shape
      expanded.insert(repeats, at: axis + 1)
      var merged = source.shape
      merged[axis] *= repeats
      return source.unsqueeze(axis + 1).expand(expanded).reshaped(merged)
    }
  }

  /// Element i repeated `repeats[i]` times along `dim` (`repeat_interleave` with a tensor of
  /// counts: int64, 0-d or one count per element of `dim`). Without a dim the tensor is
  /// flattened first.
  public func repeatInterleave(_ repeats: Tensor, dim: Int? = nil) -> Tensor {
    Tensor.op(self, repeats) { () throws(OpError) in
      let op = "repeat_interleave"
      guard repeats.dtype == .int64 else {
        throw OpError(
          op,
          "\"repeat_interleave_cpu\" not implemented for '\(repeats.dtype.scalarTypeName)' (repeats shape \(shapeText(repeats.shape))); pass int64 counts"
        )
      }
      guard repeats.rank <= 1 else {
        throw OpError(
          op,
          "repeats must be 0-dim or 1-dim tensor (got shape \(shapeText(repeats.shape)))")
      }
      let (source, axis) = try interleaveSource(dim)
      let size = source.rank == 0 ? 1 : source.shape[axis]
      var counts = repeats.toArray(as: Int64.self).map { Int($0) }
      if repeats.rank == 0 { counts = [Int](repeating: counts[0], count: size) }
      guard counts.count == size else {
        throw OpError(
          op,
          "repeats must have the same size as input along dim, but got repeats.size(0) = \(counts.count) and input.size(\(dim ?? 0)) = \(size) (tensor shape \(shapeText(shape)))"
        )
      }
      guard counts.allSatisfy({ $0 >= 0 }) else {
        throw OpError(op, "repeats can not be negative (repeats \(counts))")
      }
      var positions: [Int] = []
      for (index, count) in counts.enumerated() {
        positions += [Int](repeating: index, count: count)
      }
      return source.indexSelect(axis, Tensor(integers: positions))
    }
  }

  /// The tensor `repeatInterleave` works on (flattened without a dim) and the axis.
  private func interleaveSource(_ dim: Int?) throws(OpError) -> (Tensor, Int) {
    guard let dim else { return (reshaped([-1]), 0) }
    let axis = try normalizedDim(dim, op: "repeat_interleave")
    return (rank == 0 ? reshaped([1]) : self, axis)
  }
}
