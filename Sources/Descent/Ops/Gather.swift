/// Selection by index tensors: `indexSelect`, `gather`, `maskedSelect`. (The scatter-add their
/// backward passes undo is in ScatterAdd.swift.)

extension Tensor {
  /// Checks an index tensor's dtype and range against a dimension of `size`.
  func checkedIndices(_ index: Tensor, size: Int, axis: Int, op: String) throws(OpError) -> [Int] {
    guard index.dtype == .int64 else {
      throw OpError(
        op,
        "\(op)(): Expected dtype int64 for index, but got \(index.dtype) (index shape \(shapeText(index.shape)))"
      )
    }
    var positions: [Int] = []
    positions.reserveCapacity(index.count)
    for raw in index.toArray(as: Int64.self) {
      let i = Int(raw)
      guard i >= -size && i < size else {
        throw OpError(
          op,
          "index \(i) is out of bounds for dimension \(axis) with size \(size) (tensor shape \(shapeText(shape)))"
        )
      }
      positions.append(i < 0 ? i + size : i)
    }
    return positions
  }

  /// Copies (or with `add`, adds) blocks of `inner` elements of `source` (dense, same dtype)
  /// into `target` at the `(destination, origin)` block pairs.
  fileprivate func copyBlocks(
    from source: Tensor, to target: Tensor, pairs: [(Int, Int)], inner: Int, add: Bool
  ) {
    if add {
      target.dtype.dispatchNumeric(
        BlockAdd(source: source, target: target, pairs: pairs, inner: inner))
    } else {
      target.dtype.dispatchBits(
        BlockCopy(source: source, target: target, pairs: pairs, inner: inner))
    }
  }

  /// The entries at `index` (int64, 1-D) along `dim` (`index_select`).
  public func indexSelect(_ dim: Int, _ index: Tensor) -> Tensor {
    Tensor.op(self, index) { () throws(OpError) in try selectingIndices(dim, index) }
  }

  func selectingIndices(_ dim: Int, _ index: Tensor) throws(OpError) -> Tensor {
    guard index.rank <= 1 else {
      throw OpError(
        "index_select",
        "index_select(): Index is supposed to be a vector (got shape \(shapeText(index.shape)))")
    }
    let axis = try normalizedDim(dim, op: "index_select")
    let positions = try checkedIndices(index, size: shape[axis], axis: axis, op: "index_select")
    let source = dense()
    let (outer, n, inner) = splitSizes(around: axis)
    var outShape = shape
    outShape[axis] = positions.count
    let out = Tensor(uninitializedShape: outShape, dtype: dtype)
    var pairs: [(Int, Int)] = []
    pairs.reserveCapacity(outer * positions.count)
    for o in 0..<outer {
      for (j, k) in positions.enumerated() { pairs.append((o * positions.count + j, o * n + k)) }
    }
    copyBlocks(from: source, to: out, pairs: pairs, inner: inner, add: false)
    let inputShape = shape
    let indices = index.rank == 0 ? index.reshaped([1]) : index
    record("IndexSelectBackward0", out, self) { g in
      let gradient = Tensor.zeros(inputShape, dtype: g.dtype)
      if GradMode.isEnabled { return gradient.indexAdd(axis, indices, g) }
      let gd = g.dense()
      gradient.copyBlocks(
        from: gd, to: gradient, pairs: pairs.map { ($0.1, $0.0) }, inner: inner, add: true)
      return gradient
    }
    return out
  }

  /// Row-major coordinates → (input offset with `dim` replaced by `index`) pairs for gather and
  /// scatter.
  private func gatherPairs(_ axis: Int, _ index: Tensor, op: String) throws(OpError)
    -> [(Int, Int)]
  {
    guard index.rank == rank || (rank == 0 && index.rank <= 1) else {
      throw OpError(
        op,
        "Index tensor must have the same number of dimensions as input tensor (input \(shapeText(shape)), index \(shapeText(index.shape)))"
      )
    }
    for d in 0..<index.rank where d != axis && index.shape[d] > shape[d] {
      throw OpError(
        op,
        "Size does not match at dimension \(d) expected index \(shapeText(index.shape)) to be smaller than self \(shapeText(shape)) apart from dimension \(axis)"
      )
    }
    let positions = try checkedIndices(
      index, size: rank == 0 ? 1 : shape[axis], axis: axis, op: op)
    let inputStrides = Tensor.contiguousStrides(shape)
    var pairs: [(Int, Int)] = []
    pairs.reserveCapacity(positions.count)
    var coordinates = [Int](repeating: 0, count: index.rank)
    for (linear, position) in positions.enumerated() {
      var remainder = linear
      for d in stride(from: index.rank - 1, through: 0, by: -1) {
        coordinates[d] = remainder % index.shape[d]
        remainder /= index.shape[d]
      }
      var offset = 0
      for d in 0..<index.rank {
        offset += (d == axis ? position : coordinates[d]) * inputStrides[d]
      }
      pairs.append((linear, offset))
    }
    return pairs
  }

  /// `out[i][j] = self[i][index[i][j]]` for `dim == 1`, and likewise for other dims (`gather`).
  public func gather(_ dim: Int, _ index: Tensor) -> Tensor {
    Tensor.op(self, index) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "gather")
      let pairs = try gatherPairs(axis, index, op: "gather")
      let out = Tensor(uninitializedShape: index.shape, dtype: dtype)
      copyBlocks(from: dense(), to: out, pairs: pairs, inner: 1, add: false)
      let inputShape = shape
      record("GatherBackward0", out, self) { g in
        let gradient = Tensor.zeros(inputShape, dtype: g.dtype)
        if GradMode.isEnabled { return gradient.scatterAdd(axis, index, g) }
        gradient.copyBlocks(
          from: g.dense(), to: gradient, pairs: pairs.map { ($0.1, $0.0) }, inner: 1, add: true)
        return gradient
      }
      return out
    }
  }

  /// The elements where `mask` (bool, broadcastable) is true, as a 1-D tensor
  /// (`masked_select`, `t[mask]`).
  public func maskedSelect(_ mask: Tensor) -> Tensor {
    Tensor.op(self, mask) { () throws(OpError) in try selectingMask(mask) }
  }

  func selectingMask(_ mask: Tensor) throws(OpError) -> Tensor {
    guard mask.dtype == .bool else {
      throw OpError(
        "masked_select",
        "masked_select: expected BoolTensor for mask (got \(mask.dtype), shape \(shapeText(mask.shape)))"
      )
    }
    let shape = try broadcastShapes(self.shape, mask.shape, op: "masked_select")
    let flags = mask.expand(shape).dense().toArray(as: Bool.self)
    let picked = flags.indices.filter { flags[$0] }
    let out = Tensor(uninitializedShape: [picked.count], dtype: dtype)
    copyBlocks(
      from: expand(shape).dense(), to: out,
      pairs: picked.enumerated().map { ($0.offset, $0.element) }, inner: 1, add: false)
    let inputShape = self.shape
    record("MaskedSelectBackward0", out, self) { g in
      let gradient = Tensor.zeros(shape, dtype: g.dtype)
      if GradMode.isEnabled {
        let positions = Tensor(integers: picked)
        return gradient.reshaped([-1]).indexAdd(0, positions, g).reshaped(shape).sumTo(inputShape)
      }
      gradient.copyBlocks(
        from: g.dense(), to: gradient, pairs: picked.enumerated().map { ($0.element, $0.offset) },
        inner: 1, add: false)
      return gradient.sumTo(inputShape)
    }
    return out
  }
}

/// Copies blocks of elements by their bits.
private struct BlockCopy: BitsRoutine {
  let source: Tensor
  let target: Tensor
  let pairs: [(Int, Int)]
  let inner: Int
  func run<Bits: FixedWidthInteger>(_: Bits.Type) {
    let from = source.pointer(Bits.self)
    let to = target.pointer(Bits.self)
    // Whole blocks (rows of an index_select over dim 0) are one copy each.
    for (destination, origin) in pairs {
      (to + destination * inner).update(from: from + origin * inner, count: inner)
    }
  }
}

/// Adds blocks of elements, for the backward passes that scatter gradients.
private struct BlockAdd: NumericRoutine {
  let source: Tensor
  let target: Tensor
  let pairs: [(Int, Int)]
  let inner: Int
  func run<T: NumericScalar>(_: T.Type) {
    let from = source.pointer(T.self)
    let to = target.pointer(T.self)
    for (destination, origin) in pairs {
      for i in 0..<inner {
        to[destination * inner + i] = T.add(to[destination * inner + i], from[origin * inner + i])
      }
    }
  }
}
