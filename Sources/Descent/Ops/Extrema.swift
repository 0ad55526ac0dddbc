/// `max`, `min`, `argmax`, `argmin`: over all elements or along one dimension, with indices.

/// Values and indices of the maximum (or minimum) of dense `x` along the middle axis of
/// `[outer, n, inner]`. NaN counts as the extreme, as in PyTorch; ties keep the first index.
private func extremeAlong<T: NumericScalar>(
  _ x: Tensor, _: T.Type, outer: Int, n: Int, inner: Int, outShape: [Int], largest: Bool
) -> (values: Tensor, indices: Tensor) {
  let values = Tensor(uninitializedShape: outShape, dtype: T.dtype)
  let indices = Tensor(uninitializedShape: outShape, dtype: .int64)
  let source = x.pointer(T.self)
  let best = values.pointer(T.self)
  let where_ = indices.pointer(Int64.self)
  for o in 0..<outer {
    for i in 0..<inner {
      var bestValue = source[o * n * inner + i]
      var bestIndex = 0
      if bestValue == bestValue {
        for k in 1..<max(n, 1) {
          let value = source[(o * n + k) * inner + i]
          if value != value || (largest ? value > bestValue : value < bestValue) {
            bestValue = value
            bestIndex = k
            if value != value { break }
          }
        }
      }
      best[o * inner + i] = bestValue
      where_[o * inner + i] = Int64(bestIndex)
    }
  }
  return (values, indices)
}

extension Tensor {
  /// Values and indices along `axis` without autograd.
  func rawExtreme(axis: Int, keepDim: Bool, largest: Bool, op: String) -> (Tensor, Tensor) {
    guard shape[axis] > 0 else {
      opFailure(
        op,
        "Expected reduction dim \(axis) to have non-zero size (shape \(shapeText(shape))); \(op) of an empty dimension has no value"
      )
    }
    let source = (dtype == .bool ? converted(to: .int64) : self).dense()
    let (outer, n, inner) = splitSizes(around: axis)
    var outShape = shape
    if keepDim { outShape[axis] = 1 } else { outShape.remove(at: axis) }
    switch source.dtype {
    case .float32:
      return extremeAlong(
        source, Float.self, outer: outer, n: n, inner: inner, outShape: outShape, largest: largest)
    case .float64:
      return extremeAlong(
        source, Double.self, outer: outer, n: n, inner: inner, outShape: outShape, largest: largest)
    default:
      return extremeAlong(
        source, Int64.self, outer: outer, n: n, inner: inner, outShape: outShape, largest: largest)
    }
  }

  private func extremeAll(largest: Bool, op: String, node: String) -> Tensor {
    guard count > 0 else {
      opFailure(
        op,
        "\(op)(): Expected reduction dim to be specified for input.numel() == 0 (shape \(shapeText(shape))). Specify the reduction dim with the 'dim' argument."
      )
    }
    let flat = reshapedData([count])
    let out = flat.rawExtreme(axis: 0, keepDim: false, largest: largest, op: op).0
    let input = SavedTensor(self, op: node)
    let result = SavedTensor(output: out, op: node)
    record(node, out, self) { g in
      // Ties share the gradient evenly, as PyTorch does for the all-element max/min.
      let mask = input.value.eq(result.value)
      let share = g / mask.converted(to: g.dtype).sum()
      return Tensor.where(mask, share, Tensor.zeros([], dtype: g.dtype))
    }
    return out
  }

  /// The largest element (`max()`), a 0-d tensor.
  public func max() -> Tensor { extremeAll(largest: true, op: "max", node: "MaxBackward1") }
  /// The smallest element (`min()`), a 0-d tensor.
  public func min() -> Tensor { extremeAll(largest: false, op: "min", node: "MinBackward1") }

  private func extreme(dim: Int, keepDim: Bool, largest: Bool, op: String, node: String)
    -> (values: Tensor, indices: Tensor)
  {
    let axis = normalizedDim(dim, op: op)
    if rank == 0 {
      // The single element is its own extreme; the gradient passes straight through.
      let value = aliasing(shape: [], strides: [])
      record(node, value, self) { g in g }
      return (value, Tensor.zeros([], dtype: .int64))
    }
    let (values, indices) = rawExtreme(axis: axis, keepDim: keepDim, largest: largest, op: op)
    let inputShape = shape
    record(node, values, self) { g in
      // The gradient goes to the chosen index only.
      let gk = keepDim ? g : g.unsqueeze(axis)
      let ik = keepDim ? indices : indices.unsqueeze(axis)
      return Tensor.zeros(inputShape, dtype: g.dtype).scatterAdding(axis, ik, gk)
    }
    return (values, indices)
  }

  /// The largest values along `dim` and their indices (`max(dim:keepdim:)`).
  public func max(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
    extreme(dim: dim, keepDim: keepDim, largest: true, op: "max", node: "MaxBackward0")
  }

  /// The smallest values along `dim` and their indices (`min(dim:keepdim:)`).
  public func min(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
    extreme(dim: dim, keepDim: keepDim, largest: false, op: "min", node: "MinBackward0")
  }

  /// The index of the largest element in the flattened tensor (`argmax()`), int64 0-d.
  public func argmax() -> Tensor {
    reshapedData([count]).rawExtreme(axis: 0, keepDim: false, largest: true, op: "argmax").1
  }
  /// The index of the smallest element in the flattened tensor (`argmin()`).
  public func argmin() -> Tensor {
    reshapedData([count]).rawExtreme(axis: 0, keepDim: false, largest: false, op: "argmin").1
  }
  /// Indices of the largest values along `dim` (`argmax(dim:)`).
  public func argmax(dim: Int, keepDim: Bool = false) -> Tensor {
    if rank == 0 { return Tensor.zeros([], dtype: .int64) }
    return rawExtreme(
      axis: normalizedDim(dim, op: "argmax"), keepDim: keepDim, largest: true, op: "argmax"
    ).1
  }
  /// Indices of the smallest values along `dim` (`argmin(dim:)`).
  public func argmin(dim: Int, keepDim: Bool = false) -> Tensor {
    if rank == 0 { return Tensor.zeros([], dtype: .int64) }
    return rawExtreme(
      axis: normalizedDim(dim, op: "argmin"), keepDim: keepDim, largest: false, op: "argmin"
    ).1
  }

  /// The data in a new shape, no autograd (a view when contiguous).
  func reshapedData(_ newShape: [Int]) -> Tensor {
    let source = dense()
    return source.aliasing(shape: newShape, strides: Tensor.contiguousStrides(newShape))
  }
}
