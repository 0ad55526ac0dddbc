/// Sums and means over all elements or over dimensions, each beside its backward.
///
/// One kernel does the work: a dense tensor seen as `[outer, n, inner]`, reduced over `n`.
/// Float sums are added in the element type in PyTorch's order (`CascadeSum.swift`), so they
/// round as PyTorch's do; a mean is that sum divided by the count, as in PyTorch. Large
/// reductions are split over the thread pool with the same answer, bit for bit, for any
/// thread count.

/// Sums dense float `x` over the middle axis of `[outer, n, inner]`, then divides by `divisor`.
private struct CascadeMiddleSum: FloatRoutine {
  let x: MiddleAxis
  let outShape: [Int]
  let divisor: Int

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let (outer, n, inner) = x.sizes
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let source = UnsafePointer(x.data.pointer(T.self))
    let target = out.pointer(T.self)
    let serial = outer * n * inner < 2 * elementwiseGrain
    if inner == 1 {
      // Contiguous rows. Each output is summed by one thread, in one order.
      if outer == 1 {
        target[0] = T.cascadeSum(source, count: n, parallel: !serial)
      } else {
        splitRanges(outer, grain: serial ? outer : Swift.max(1, elementwiseGrain / n)) { rows in
          for o in rows { target[o] = T.cascadeSum(source + o * n, count: n) }
        }
      }
    } else if outer > 1 || serial {
      splitRanges(outer, grain: serial ? outer : Swift.max(1, elementwiseGrain / (n * inner))) {
        slices in
        for o in slices {
          T.cascadeColumnSums(
            source + o * n * inner, rows: n, width: inner, columns: 0..<inner,
            into: target + o * inner)
        }
      }
    } else {
      splitRanges(inner, grain: Swift.max(1, elementwiseGrain / n)) { columns in
        T.cascadeColumnSums(source, rows: n, width: inner, columns: columns, into: target)
      }
    }
    if divisor != 1 {
      let count = T(divisor)
      for k in 0..<(outer * inner) { target[k] = target[k] / count }
    }
    return out
  }
}

/// Sums dense int64 `x` over the middle axis of `[outer, n, inner]` (integer sums are exact in
/// any order; they wrap on overflow, as PyTorch's do).
private struct IntegerMiddleSum: NumericRoutine {
  let x: MiddleAxis
  let outShape: [Int]

  func run<T: NumericScalar>(_: T.Type) -> Tensor {
    let (outer, n, inner) = x.sizes
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let source = UnsafePointer(x.data.pointer(T.self))
    let target = out.pointer(T.self)
    for o in 0..<outer {
      for i in 0..<inner { target[o * inner + i] = .zero }
      for k in 0..<n {
        let row = source + (o * n + k) * inner
        for i in 0..<inner { target[o * inner + i] = T.add(target[o * inner + i], row[i]) }
      }
    }
    return out
  }
}

/// Dense data seen as `[outer, n, inner]` around one axis: the layout that the routines working
/// along a dimension (sums, products, scans, extremes, sorts) walk, one slice of `n` at a time.
struct MiddleAxis {
  /// The dense data.
  let data: Tensor
  /// The sizes before the axis, of the axis, and after it.
  let sizes: (outer: Int, n: Int, inner: Int)

  /// Dense `data` around `axis`.
  init(_ data: Tensor, around axis: Int) {
    self.data = data
    self.sizes = data.splitSizes(around: axis)
  }

  /// Dense `data` as one slice of all its elements.
  init(wholeOf data: Tensor) {
    self.data = data
    self.sizes = (1, data.count, 1)
  }
}

extension Tensor {
  /// `[outer, n, inner]` sizes around axis `axis`.
  func splitSizes(around axis: Int) -> (outer: Int, n: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  /// The shape after reducing over `axis`: kept as 1 with `keepDim`, removed otherwise.
  func reducedShape(_ axis: Int, keepDim: Bool) -> [Int] {
    var outShape = shape
    if keepDim { outShape[axis] = 1 } else { outShape.remove(at: axis) }
    return outShape
  }

  /// Sum over one axis of the data, divided by `divisor` (a mean), no autograd. Bool sums as
  /// int64.
  func rawSum(axis: Int, keepDim: Bool, divisor: Int = 1) -> Tensor {
    summed(
      { MiddleAxis($0, around: axis) }, outShape: reducedShape(axis, keepDim: keepDim),
      divisor: divisor)
  }

  /// Sum over all elements, no autograd, as a 0-d tensor (or `outShape`, of one element).
  func rawSumAll(divisor: Int = 1, outShape: [Int] = []) -> Tensor {
    summed(MiddleAxis.init(wholeOf:), outShape: outShape, divisor: divisor)
  }

  private func summed(_ layout: (Tensor) -> MiddleAxis, outShape: [Int], divisor: Int) -> Tensor {
    let source = (dtype == .bool ? converted(to: .int64) : self).dense()
    if source.dtype.isFloatingPoint {
      return source.dtype.dispatchFloat(
        CascadeMiddleSum(x: layout(source), outShape: outShape, divisor: divisor))
    }
    return source.dtype.dispatchNumeric(IntegerMiddleSum(x: layout(source), outShape: outShape))
  }

  /// Sorted, normalised, distinct dimensions for a reduction.
  func reductionAxes(_ dims: [Int], op: String) throws(OpError) -> [Int] {
    var axes: [Int] = []
    for dim in dims { axes.append(try normalizedDim(dim, op: op)) }
    // A 0-d tensor accepts dim 0 or -1 and has nothing to reduce over.
    if rank == 0 { return [] }
    if axes.count == 1 { return axes }
    guard Set(axes).count == axes.count else {
      throw OpError(op, "dim \(shapeText(dims)) appears multiple times in the list of dims")
    }
    return axes.sorted()
  }

  /// Sum over `axes` (sorted), divided by `divisor` (a mean), no autograd. Adjacent axes are
  /// reduced as one, as PyTorch's iterator merges them.
  func rawSum(axes: [Int], keepDim: Bool, divisor: Int = 1) -> Tensor {
    if axes.isEmpty {
      return divisor == 1 ? copyData() : rawSumAll(divisor: divisor).reshaped(shape)
    }
    let kept = shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
    var keptOnes = shape
    for axis in axes { keptOnes[axis] = 1 }
    let outShape = keepDim ? keptOnes : kept
    if axes.last! - axes.first! == axes.count - 1 {
      let (first, last) = (axes.first!, axes.last!)
      let merged =
        Array(shape[..<first]) + [shape[first...last].reduce(1, *)]
        + Array(shape[(last + 1)...])
      let source = (dtype == .bool ? converted(to: .int64) : self).dense()
      let run = source.aliasing(shape: merged, strides: Tensor.contiguousStrides(merged))
      return run.summed(
        { MiddleAxis($0, around: first) }, outShape: outShape, divisor: divisor)
    }
    var result = self
    for (index, axis) in axes.enumerated().reversed() {
      result = result.rawSum(axis: axis, keepDim: true, divisor: index == 0 ? divisor : 1)
    }
    return result.aliasing(shape: outShape, strides: Tensor.contiguousStrides(outShape))
  }

  /// The sum of all elements (`sum()`), a 0-d tensor; bool and int64 sum to int64.
  public func sum() -> Tensor {
    Tensor.op(self) {
      let out = rawSumAll()
      let inputShape = shape
      record("SumBackward0", out, self) { g in g.expand(inputShape) }
      return out
    }
  }

  /// The sum over `dims` (`sum(dim:keepdim:)`).
  public func sum(dims: [Int], keepDim: Bool = false) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      // An empty list reduces over every dimension, as in PyTorch.
      let axes = dims.isEmpty ? Array(0..<rank) : try reductionAxes(dims, op: "sum")
      let out = rawSum(axes: axes, keepDim: keepDim)
      let inputShape = shape
      record("SumBackward1", out, self) { g in
        (keepDim ? g : g.unsqueezing(axes)).expand(inputShape)
      }
      return out
    }
  }

  /// The sum over one dimension (`sum(dim:keepdim:)`).
  public func sum(dim: Int, keepDim: Bool = false) -> Tensor { sum(dims: [dim], keepDim: keepDim) }

  /// The mean of all elements (`mean()`); floating dtypes only, as in PyTorch.
  public func mean() -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      try requireFloat("mean")
      let n = count
      let out = rawSumAll(divisor: n)
      let inputShape = shape
      record("MeanBackward0", out, self) { g in (g / Double(n)).expand(inputShape) }
      return out
    }
  }

  /// The mean over `dims` (`mean(dim:keepdim:)`).
  public func mean(dims: [Int], keepDim: Bool = false) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      try requireFloat("mean")
      let axes = dims.isEmpty ? Array(0..<rank) : try reductionAxes(dims, op: "mean")
      let n = axes.map { shape[$0] }.reduce(1, *)
      let out = rawSum(axes: axes, keepDim: keepDim, divisor: n)
      let inputShape = shape
      record("MeanBackward1", out, self) { g in
        ((keepDim ? g : g.unsqueezing(axes)) / Double(n)).expand(inputShape)
      }
      return out
    }
  }

  /// The mean over one dimension.
  public func mean(dim: Int, keepDim: Bool = false) -> Tensor {
    mean(dims: [dim], keepDim: keepDim)
  }

  /// Sums a broadcast gradient back to `target` (the inverse of broadcasting), no autograd
  /// unless recording.
  public func sumTo(_ target: [Int]) -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    var axes = Array(0..<Swift.max(lead, 0))
    for (index, size) in target.enumerated() where size == 1 && shape[lead + index] != 1 {
      axes.append(lead + index)
    }
    if axes.isEmpty { return reshaped(target) }
    // A broadcast scalar (a bias of shape [1]) is the common case: one pass, no intermediate.
    if target.reduce(1, *) == 1 {
      // Outside the graph (backward reducing a gradient), the sum is made in its final shape,
      // a fresh tensor rather than a view, so that it can become a `grad` without a copy.
      if !requiresGradFlag || !GradMode.isEnabled { return rawSumAll(outShape: target) }
      return sum().reshaped(target)
    }
    return sum(dims: axes, keepDim: true).reshaped(target)
  }

  /// Re-inserts reduced axes (sorted) as size-1 dimensions.
  func unsqueezing(_ axes: [Int]) -> Tensor {
    var result = self
    for axis in axes { result = result.unsqueeze(axis) }
    return result
  }

  func requireFloat(_ op: String) throws(OpError) {
    guard dtype.isFloatingPoint else {
      throw OpError(
        op,
        "\(op)(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(dtype) (shape \(shapeText(shape))). Convert first: t.to(.float32)."
      )
    }
  }
}
