/// Sums and means over all elements or over dimensions, each beside its backward.
///
/// One kernel does the work: a dense tensor seen as `[outer, n, inner]`, reduced over `n`.
/// Float32 sums accumulate in Double, so long sums lose nothing to rounding.

/// Sums dense `x` over the middle axis of `[outer, n, inner]`, times `scale`.
private struct MiddleSum: NumericRoutine {
  let x: MiddleAxis
  let outShape: [Int]
  let scale: Double

  func run<T: NumericScalar>(_: T.Type) -> Tensor {
    let (outer, n, inner) = x.sizes
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let source = x.data.pointer(T.self)
    let target = out.pointer(T.self)
    if inner == 1 {
      for o in 0..<outer {
        var total = T.Accumulator.zero
        let row = source + o * n
        for k in 0..<n { total = T.Accumulator.add(total, row[k].accumulated) }
        target[o] = scaled(total, scale)
      }
    } else {
      var totals = [T.Accumulator](repeating: .zero, count: inner)
      for o in 0..<outer {
        for i in 0..<inner { totals[i] = .zero }
        for k in 0..<n {
          let row = source + (o * n + k) * inner
          for i in 0..<inner { totals[i] = T.Accumulator.add(totals[i], row[i].accumulated) }
        }
        for i in 0..<inner { target[o * inner + i] = scaled(totals[i], scale) }
      }
    }
    return out
  }
}

@inline(__always)
private func scaled<T: NumericScalar>(_ total: T.Accumulator, _ scale: Double) -> T {
  scale == 1 ? T(accumulated: total) : T(fromDouble: total.asDouble * scale)
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

  /// Sum over one axis of the data, no autograd. Bool sums as int64.
  func rawSum(axis: Int, keepDim: Bool, scale: Double = 1) -> Tensor {
    summed(
      { MiddleAxis($0, around: axis) }, outShape: reducedShape(axis, keepDim: keepDim),
      scale: scale)
  }

  /// Sum over all elements, no autograd, as a 0-d tensor (or `outShape`, of one element).
  func rawSumAll(scale: Double = 1, outShape: [Int] = []) -> Tensor {
    summed(MiddleAxis.init(wholeOf:), outShape: outShape, scale: scale)
  }

  private func summed(_ layout: (Tensor) -> MiddleAxis, outShape: [Int], scale: Double) -> Tensor {
    let source = (dtype == .bool ? converted(to: .int64) : self).dense()
    return source.dtype.dispatchNumeric(
      MiddleSum(x: layout(source), outShape: outShape, scale: scale))
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

  /// Sum over `axes` (sorted), no autograd.
  func rawSum(axes: [Int], keepDim: Bool, scale: Double = 1) -> Tensor {
    if axes.isEmpty { return scale == 1 ? copyData() : rawSumAll(scale: scale).reshaped(shape) }
    var result = self
    for (index, axis) in axes.enumerated().reversed() {
      result = result.rawSum(axis: axis, keepDim: true, scale: index == 0 ? scale : 1)
    }
    if !keepDim {
      let kept = shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
      result = result.aliasing(shape: kept, strides: Tensor.contiguousStrides(kept))
    }
    return result
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
      let out = rawSumAll(scale: 1 / Double(n))
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
      let out = rawSum(axes: axes, keepDim: keepDim, scale: 1 / Double(n))
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
