/// Accumulating writes by index: `scatterAdd` (`scatter_add`) and `indexAdd` (`index_add`),
/// out of place and in place (`scatterAdd_`, `indexAdd_`), beside their backward. Repeated
/// indices add up.

/// Adds `alpha · source[origin + i]` to `target[destination + i]` for each pair and each
/// `i < inner`; both tensors dense, of one dtype.
private struct IndexedAccumulate: NumericRoutine {
  let target: Tensor
  let source: Tensor
  let pairs: [(destination: Int, origin: Int)]
  let inner: Int
  let alpha: Double
  func run<T: NumericScalar>(_: T.Type) {
    let to = target.pointer(T.self)
    let from = source.pointer(T.self)
    let scale = T(fromDouble: alpha)
    for (destination, origin) in pairs {
      for i in 0..<inner {
        let value = alpha == 1 ? from[origin + i] : T.multiply(scale, from[origin + i])
        to[destination + i] = T.add(to[destination + i], value)
      }
    }
  }
}

extension Tensor {
  /// A copy of this tensor with `src[i][j]` added at `[index[i][j]][j]` for `dim` 0, and
  /// likewise along other dims (`scatter_add`). `index` (int64) has this tensor's rank and no
  /// dimension larger than `src`'s, nor than this tensor's apart from `dim`; repeated
  /// indices add up. Gradients: this tensor's is the output's, `src`'s gathers it.
  public func scatterAdd(_ dim: Int, _ index: Tensor, _ src: Tensor) -> Tensor {
    Tensor.op([self, index, src]) { () throws(OpError) in
      let plan = try scatterPlan(dim, index, src)
      let out = copyData()
      accumulate(into: out, plan.pairs, from: src, inner: 1, alpha: 1)
      recordScatterAdd(out, plan.axis, index, src)
      return out
    }
  }

  /// `scatterAdd` in place (`scatter_add_`).
  @discardableResult
  public func scatterAdd_(_ dim: Int, _ index: Tensor, _ src: Tensor) -> Tensor {
    Tensor.op([self, index, src]) { () throws(OpError) in
      let plan = try scatterPlan(dim, index, src)
      return try accumulateInPlace("scatter_add_", src) {
        accumulate(into: $0, plan.pairs, from: src, inner: 1, alpha: 1)
      } recorded: {
        scatterAdd(dim, index, src)
      }
    }
  }

  /// The earlier name of `scatterAdd`, kept for callers written against it.
  public func scatterAdding(_ dim: Int, _ index: Tensor, _ source: Tensor) -> Tensor {
    scatterAdd(dim, index, source)
  }

  /// A copy of this tensor with `alpha · source`'s slices along `dim` added at the positions
  /// `index` (int64, 1-D) names (`index_add`): slice j of `source` goes to slice `index[j]`.
  /// `source` has this tensor's shape apart from `dim`, where it has one slice per index;
  /// repeated indices add up.
  public func indexAdd(_ dim: Int, _ index: Tensor, _ source: Tensor, alpha: Double = 1)
    -> Tensor
  {
    Tensor.op([self, index, source]) { () throws(OpError) in
      let plan = try indexAddPlan(dim, index, source, op: "index_add")
      let out = copyData()
      accumulate(into: out, plan.pairs, from: source, inner: plan.inner, alpha: alpha)
      recordIndexAdd(out, plan.axis, index, source, alpha: alpha)
      return out
    }
  }

  /// `indexAdd` in place (`index_add_`).
  @discardableResult
  public func indexAdd_(_ dim: Int, _ index: Tensor, _ source: Tensor, alpha: Double = 1)
    -> Tensor
  {
    Tensor.op([self, index, source]) { () throws(OpError) in
      let plan = try indexAddPlan(dim, index, source, op: "index_add_")
      return try accumulateInPlace("index_add_", source) {
        accumulate(into: $0, plan.pairs, from: source, inner: plan.inner, alpha: alpha)
      } recorded: {
        indexAdd(dim, index, source, alpha: alpha)
      }
    }
  }

  // MARK: Checks and offsets

  /// PyTorch's scatter checks, then (element of `out`, element of `src`) pairs for every
  /// index element.
  private func scatterPlan(_ dim: Int, _ index: Tensor, _ src: Tensor) throws(OpError) -> (
    axis: Int, pairs: [(destination: Int, origin: Int)]
  ) {
    let op = "scatter_add"
    let axis = try normalizedDim(dim, op: op)
    guard index.dtype == .int64 else {
      throw OpError(
        op,
        "scatter(): Expected dtype int32/int64 for index (got \(index.dtype), index shape \(shapeText(index.shape)))"
      )
    }
    guard dtype == src.dtype else {
      throw OpError(
        op,
        "scatter(): Expected self.dtype to be equal to src.dtype (self \(dtype), src \(src.dtype))")
    }
    let selfShape = rank == 0 ? [1] : shape
    let indexShape = index.rank == 0 ? [1] : index.shape
    let srcShape = src.rank == 0 ? [1] : src.shape
    guard indexShape.count == selfShape.count else {
      throw OpError(
        op,
        "Index tensor must have the same number of dimensions as self tensor (self \(shapeText(shape)), index \(shapeText(index.shape)))"
      )
    }
    guard srcShape.count == selfShape.count else {
      throw OpError(
        op,
        "Index tensor must have the same number of dimensions as src tensor (src \(shapeText(src.shape)), index \(shapeText(index.shape)))"
      )
    }
    for d in 0..<indexShape.count
    where indexShape[d] > srcShape[d] || (d != axis && indexShape[d] > selfShape[d]) {
      throw OpError(
        op,
        "Expected index \(shapeText(index.shape)) to be no larger than self \(shapeText(shape)) apart from dimension \(axis) and to be no larger size than src \(shapeText(src.shape))"
      )
    }
    let positions = index.toArray(as: Int64.self)
    let size = selfShape[axis]
    if let bad = positions.first(where: { $0 < 0 || $0 >= size }) {
      throw OpError(
        op,
        "index \(bad) is out of bounds for dimension \(axis) with size \(size) (self \(shapeText(shape)), index \(shapeText(index.shape)))"
      )
    }
    let targetStrides = Tensor.contiguousStrides(selfShape)
    let sourceStrides = Tensor.contiguousStrides(srcShape)
    var pairs: [(destination: Int, origin: Int)] = []
    pairs.reserveCapacity(positions.count)
    var coordinates = [Int](repeating: 0, count: indexShape.count)
    for position in positions {
      var (destination, origin) = (0, 0)
      for d in 0..<coordinates.count {
        destination += (d == axis ? Int(position) : coordinates[d]) * targetStrides[d]
        origin += coordinates[d] * sourceStrides[d]
      }
      pairs.append((destination, origin))
      // Next row-major coordinate of the index.
      var d = coordinates.count - 1
      while d >= 0 {
        coordinates[d] += 1
        if coordinates[d] < indexShape[d] { break }
        coordinates[d] = 0
        d -= 1
      }
    }
    return (axis, pairs)
  }

  /// PyTorch's index_add checks, then (block of `out`, block of `source`) pairs of `inner`
  /// elements.
  private func indexAddPlan(_ dim: Int, _ index: Tensor, _ source: Tensor, op: String)
    throws(OpError) -> (axis: Int, inner: Int, pairs: [(destination: Int, origin: Int)])
  {
    let axis = try normalizedDim(dim, op: op)
    guard index.dtype == .int64 else {
      throw OpError(
        op,
        "index_add_(): Expected dtype int32/int64 for index but got: \(index.dtype.scalarTypeName) (index shape \(shapeText(index.shape)))"
      )
    }
    guard index.rank <= 1 else {
      throw OpError(
        op,
        "index_add_(): Index is supposed to be a vector, but got dim: \(index.rank) with type: \(index.dtype.scalarTypeName) and size: \(shapeText(index.shape))"
      )
    }
    let selfShape = rank == 0 ? [1] : shape
    let sourceShape = source.rank == 0 && rank == 0 ? [1] : source.shape
    var matches = sourceShape.count == selfShape.count
    if matches {
      for d in 0..<selfShape.count where d != axis && sourceShape[d] != selfShape[d] {
        matches = false
      }
    }
    guard matches else {
      throw OpError(
        op,
        "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = \(shapeText(shape)) source.shape = \(shapeText(source.shape))"
      )
    }
    guard index.count == sourceShape[axis] else {
      throw OpError(
        op,
        "index_add_(): Number of indices (\(index.count)) should be equal to source.size(dim): (\(sourceShape[axis])), for dim: \(axis)"
      )
    }
    guard dtype == source.dtype else {
      throw OpError(
        op,
        "index_add_(): self (\(dtype.scalarTypeName)) and source (\(source.dtype.scalarTypeName)) must have the same scalar type"
      )
    }
    let size = selfShape[axis]
    let positions = index.toArray(as: Int64.self)
    if let bad = positions.first(where: { $0 < 0 || $0 >= size }) {
      throw OpError(
        op,
        "index \(bad) is out of bounds for dimension \(axis) with size \(size) (self \(shapeText(shape)), index \(shapeText(index.shape)))"
      )
    }
    let outer = selfShape[..<axis].reduce(1, *)
    let inner = selfShape[(axis + 1)...].reduce(1, *)
    let m = positions.count
    var pairs: [(destination: Int, origin: Int)] = []
    pairs.reserveCapacity(outer * m)
    for o in 0..<outer {
      for (j, k) in positions.enumerated() {
        pairs.append(((o * size + Int(k)) * inner, (o * m + j) * inner))
      }
    }
    return (axis, inner, pairs)
  }

  // MARK: Writing and recording

  /// Adds `alpha · source` at the pairs into the dense `target`.
  private func accumulate(
    into target: Tensor, _ pairs: [(destination: Int, origin: Int)], from source: Tensor,
    inner: Int, alpha: Double
  ) {
    let values = (source.dtype == .bool ? source.converted(to: .int64) : source).dense()
    if target.dtype == .bool {
      let widened = target.converted(to: .int64)
      widened.dtype.dispatchNumeric(
        IndexedAccumulate(
          target: widened, source: values, pairs: pairs, inner: inner, alpha: alpha))
      target.writeElements(widened)
      return
    }
    target.dtype.dispatchNumeric(
      IndexedAccumulate(target: target, source: values, pairs: pairs, inner: inner, alpha: alpha))
  }

  /// An in-place accumulation: checks the write, then either adopts the recorded out-of-place
  /// result (when autograd records) or writes into this tensor's own elements.
  private func accumulateInPlace(
    _ op: String, _ source: Tensor, write: (Tensor) -> Void, recorded: () -> Tensor
  ) throws(OpError) -> Tensor {
    try checkInPlaceWrite(op)
    if GradMode.isEnabled && (requiresGradFlag || source.requiresGradFlag) {
      try adopt(recorded())
      return self
    }
    if isContiguous {
      write(self)
    } else {
      let dense = copyData()
      write(dense)
      writeElements(dense)
    }
    storage.version += 1
    return self
  }

  private func recordScatterAdd(_ out: Tensor, _ axis: Int, _ index: Tensor, _ src: Tensor) {
    record("ScatterAddBackward0", out, self, src) { [self] g in
      guard src.requiresGradFlag else { return (requiresGradFlag ? g : nil, nil) }
      var gathered = g.gather(axis, index)
      // A source larger than the index contributed nothing beyond it: zeros there.
      for d in 0..<src.rank where gathered.shape[d] < src.shape[d] {
        var padding = gathered.shape
        padding[d] = src.shape[d] - gathered.shape[d]
        gathered = Tensor.cat([gathered, Tensor.zeros(padding, dtype: g.dtype)], dim: d)
      }
      return (requiresGradFlag ? g : nil, gathered.reshaped(src.shape))
    }
  }

  private func recordIndexAdd(
    _ out: Tensor, _ axis: Int, _ index: Tensor, _ source: Tensor, alpha: Double
  ) {
    record("IndexAddBackward0", out, self, source) { [self] g in
      guard source.requiresGradFlag else { return (requiresGradFlag ? g : nil, nil) }
      let selected = g.reshaped(rank == 0 ? [1] : shape).indexSelect(axis, index)
      return (
        requiresGradFlag ? g : nil,
        (alpha == 1 ? selected : selected * alpha).reshaped(source.shape)
      )
    }
  }
}
