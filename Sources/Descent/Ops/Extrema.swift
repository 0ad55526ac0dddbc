/// `max`, `min`, `argmax`, `argmin`: over all elements or along one dimension, with indices.

/// Values and indices of the maximum (or minimum) of dense `x` along the middle axis of
/// `[outer, n, inner]`. NaN counts as the extreme, as in PyTorch; ties keep the first index.
private struct ExtremeAlong: NumericRoutine {
  let x: MiddleAxis
  let outShape: [Int]
  let largest: Bool

  func run<T: NumericScalar>(_: T.Type) -> (values: Tensor, indices: Tensor) {
    let (outer, n, inner) = x.sizes
    let values = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let indices = Tensor(uninitializedShape: outShape, dtype: .int64)
    let source = x.data.pointer(T.self)
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
}

extension Tensor {
  /// Values and indices along `axis` without autograd.
  func rawExtreme(axis: Int, keepDim: Bool, largest: Bool, op: String) throws(OpError)
    -> (Tensor, Tensor)
  {
    guard shape[axis] > 0 else {
      throw OpError(
        op,
        "Expected reduction dim \(axis) to have non-zero size (shape \(shapeText(shape))); \(op) of an empty dimension has no value"
      )
    }
    let source = (dtype == .bool ? converted(to: .int64) : self).dense()
    return source.dtype.dispatchNumeric(
      ExtremeAlong(
        x: MiddleAxis(source, around: axis), outShape: reducedShape(axis, keepDim: keepDim),
        largest: largest))
  }

  private func extremeAll(largest: Bool, op: String, node: String) throws(OpError) -> Tensor {
    guard count > 0 else {
      throw OpError(
        op,
        "\(op)(): Expected reduction dim to be specified for input.numel() == 0 (shape \(shapeText(shape))). Specify the reduction dim with the 'dim' argument."
      )
    }
    let flat = reshapedData([count])
    let out = try flat.rawExtreme(axis: 0, keepDim: false, largest: largest, op: op).0
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
  public func max() -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      try extremeAll(largest: true, op: "max", node: "MaxBackward1")
    }
  }
  /// The smallest element (`min()`), a 0-d tensor.
  public func min() -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      try extremeAll(largest: false, op: "min", node: "MinBackward1")
    }
  }

  private func extreme(dim: Int, keepDim: Bool, largest: Bool, op: String, node: String)
    -> (values: Tensor, indices: Tensor)
  {
    Tensor.op([self], placeholder: (Tensor.poisoned(dtype), Tensor.poisoned(.int64))) {
      () throws(OpError) in
      try extremeChecked(dim: dim, keepDim: keepDim, largest: largest, op: op, node: node)
    }
  }

  private func extremeChecked(dim: Int, keepDim: Bool, largest: Bool, op: String, node: String)
    throws(OpError) -> (values: Tensor, indices: Tensor)
  {
    let axis = try normalizedDim(dim, op: op)
    if rank == 0 {
      // The single element is its own extreme; the gradient passes straight through.
      let value = aliasing(shape: [], strides: [])
      record(node, value, self) { g in g }
      return (value, Tensor.zeros([], dtype: .int64))
    }
    let (values, indices) = try rawExtreme(
      axis: axis, keepDim: keepDim, largest: largest, op: op)
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
  public func argmax() -> Tensor { argExtreme(dim: nil, keepDim: false, largest: true) }
  /// The index of the smallest element in the flattened tensor (`argmin()`).
  public func argmin() -> Tensor { argExtreme(dim: nil, keepDim: false, largest: false) }
  /// Indices of the largest values along `dim` (`argmax(dim:)`).
  public func argmax(dim: Int, keepDim: Bool = false) -> Tensor {
    argExtreme(dim: dim, keepDim: keepDim, largest: true)
  }
  /// Indices of the smallest values along `dim` (`argmin(dim:)`).
  public func argmin(dim: Int, keepDim: Bool = false) -> Tensor {
    argExtreme(dim: dim, keepDim: keepDim, largest: false)
  }

  private func argExtreme(dim: Int?, keepDim: Bool, largest: Bool) -> Tensor {
    let op = largest ? "argmax" : "argmin"
    return Tensor.op(self) { () throws(OpError) in
      guard let dim else {
        return try reshapedData([count]).rawExtreme(
          axis: 0, keepDim: false, largest: largest, op: op
        ).1
      }
      if rank == 0 { return Tensor.zeros([], dtype: .int64) }
      return try rawExtreme(
        axis: try normalizedDim(dim, op: op), keepDim: keepDim, largest: largest, op: op
      ).1
    }
  }
}
