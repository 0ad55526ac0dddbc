/// Views that change how the same elements are seen: reshape, unsqueeze, squeeze, transpose,
/// permute, expand. They share storage where PyTorch's do; each backward undoes the view.
extension Tensor {
  /// A tensor sharing this one's storage with another shape and strides (no autograd).
  func aliasing(shape: [Int], strides: [Int], offset: Int? = nil) -> Tensor {
    let view = Tensor(
      storage: storage, shape: shape, strides: strides, offset: offset ?? storageOffset,
      dtype: dtype)
    view.viewBase = viewBase ?? self
    return view
  }

  /// The data in a new shape of the same count, no autograd (a view when contiguous).
  func reshapedData(_ newShape: [Int]) -> Tensor {
    dense().aliasing(shape: newShape, strides: Tensor.contiguousStrides(newShape))
  }

  /// Resolves one `-1` and checks that the element count is kept.
  func inferShape(_ requested: [Int], op: String) throws(OpError) -> [Int] {
    var shape = requested
    let unknown = requested.indices.filter { requested[$0] == -1 }
    let known = requested.filter { $0 != -1 }.reduce(1, *)
    let invalid = unknown.count > 1 || requested.contains { $0 < -1 }
    if !invalid, let index = unknown.first, known != 0, count % known == 0 {
      shape[index] = count / known
    }
    if invalid || shape.reduce(1, *) != count || shape.contains(-1) {
      throw OpError(
        op,
        "shape '\(shapeText(requested))' is invalid for input of size \(count) (shape \(shapeText(self.shape))); the new shape must hold the same number of elements, with at most one -1."
      )
    }
    return shape
  }

  /// The same elements in a new shape, sharing storage when this tensor is contiguous (else a
  /// copy), like `reshape`. One dimension may be `-1`.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let target = try inferShape(newShape, op: "reshape")
      let out = reshapedData(target)
      let inputShape = shape
      record("ViewBackward0", out, self) { g in g.reshaped(inputShape) }
      return out
    }
  }

  /// `reshaped` with shape arguments: `t.reshaped(30, 1)`.
  public func reshaped(_ newShape: Int...) -> Tensor { reshaped(newShape) }

  /// `view`: like `reshaped`, but stops instead of copying when the tensor is not contiguous.
  public func view(_ newShape: [Int]) -> Tensor {
    guard isContiguous else {
      return Tensor.failed(
        OpError(
          "view",
          "view size is not compatible with input tensor's size and stride (shape \(shapeText(shape)), strides \(shapeText(strides))). Use .reshaped(...) instead."
        ), inputs: [self])
    }
    return reshaped(newShape)
  }
  /// `view` with shape arguments.
  public func view(_ newShape: Int...) -> Tensor { view(newShape) }

  /// Inserts a dimension of size 1 at `dim` (`unsqueeze`).
  public func unsqueeze(_ dim: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "unsqueeze", rank: rank + 1)
      var newShape = shape
      var newStrides = strides
      newShape.insert(1, at: axis)
      newStrides.insert(axis < rank ? strides[axis] * shape[axis] : 1, at: axis)
      let out = aliasing(shape: newShape, strides: newStrides)
      record("UnsqueezeBackward0", out, self) { g in g.squeeze(axis) }
      return out
    }
  }

  /// Removes every dimension of size 1 (`squeeze()`).
  public func squeeze() -> Tensor {
    Tensor.op(self) {
      let keep = shape.indices.filter { shape[$0] != 1 }
      let out = aliasing(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] })
      let inputShape = shape
      record("SqueezeBackward0", out, self) { g in g.reshaped(inputShape) }
      return out
    }
  }

  /// Removes dimension `dim` if its size is 1 (`squeeze(dim)`); otherwise returns the same view.
  public func squeeze(_ dim: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "squeeze")
      guard rank > 0, shape[axis] == 1 else {
        let out = aliasing(shape: shape, strides: strides)
        record("SqueezeBackward1", out, self) { g in g }
        return out
      }
      var newShape = shape
      var newStrides = strides
      newShape.remove(at: axis)
      newStrides.remove(at: axis)
      let out = aliasing(shape: newShape, strides: newStrides)
      record("SqueezeBackward1", out, self) { g in g.unsqueeze(axis) }
      return out
    }
  }

  /// Flattens dimensions `startDim...endDim` into one (`flatten`).
  public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      if rank == 0 { return reshaped([1]) }
      let start = try normalizedDim(startDim, op: "flatten")
      let end = try normalizedDim(endDim, op: "flatten")
      guard start <= end else {
        throw OpError("flatten", "start_dim (\(startDim)) cannot come after end_dim (\(endDim))")
      }
      let merged = shape[start...end].reduce(1, *)
      return reshaped(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
    }
  }

  /// Swaps two dimensions (`transpose(dim0, dim1)`), a view.
  public func transpose(_ dim0: Int, _ dim1: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let a = try normalizedDim(dim0, op: "transpose")
      let b = try normalizedDim(dim1, op: "transpose")
      var newShape = shape
      var newStrides = strides
      if rank > 0 {
        newShape.swapAt(a, b)
        newStrides.swapAt(a, b)
      }
      let out = aliasing(shape: newShape, strides: newStrides)
      record("TransposeBackward0", out, self) { g in g.transpose(a, b) }
      return out
    }
  }

  /// The matrix transpose of a tensor with at most 2 dimensions (`t()` / `.T`).
  public var T: Tensor {
    guard rank <= 2 else {
      return Tensor.failed(
        OpError(
          "t",
          "t() expects a tensor with <= 2 dimensions, but self is \(rank)D (shape \(shapeText(shape))). Use transpose(_:_:) or permute."
        ), inputs: [self])
    }
    guard rank == 2, !isPoisoned else { return self }
    let out = aliasing(shape: [shape[1], shape[0]], strides: [strides[1], strides[0]])
    record("TBackward0", out, self) { g in g.T }
    return out
  }
  /// The matrix transpose (`t()`).
  public func t() -> Tensor { T }

  /// Reorders dimensions (`permute`), a view.
  public func permute(_ dims: [Int]) -> Tensor {
    Tensor.op(self) { () throws(OpError) in try permuted(dims) }
  }

  private func permuted(_ dims: [Int]) throws(OpError) -> Tensor {
    var axes: [Int] = []
    for dim in dims { axes.append(try normalizedDim(dim, op: "permute")) }
    guard axes.count == rank, Set(axes).count == rank else {
      throw OpError(
        "permute",
        "number of dims don't match in permute: got \(shapeText(dims)) for a tensor of shape \(shapeText(shape)); give each dimension once."
      )
    }
    let out = aliasing(shape: axes.map { shape[$0] }, strides: axes.map { strides[$0] })
    var inverse = [Int](repeating: 0, count: rank)
    for (position, axis) in axes.enumerated() { inverse[axis] = position }
    record("PermuteBackward0", out, self) { g in g.permute(inverse) }
    return out
  }
  /// `permute` with dimension arguments.
  public func permute(_ dims: Int...) -> Tensor { permute(dims) }

  /// A view with size-1 dimensions repeated to `newShape` without copying (`expand`);
  /// `-1` keeps a dimension.
  public func expand(_ newShape: [Int]) -> Tensor {
    Tensor.op(self) { () throws(OpError) in try expanded(newShape) }
  }

  private func expanded(_ newShape: [Int]) throws(OpError) -> Tensor {
    guard newShape.count >= rank else {
      throw OpError(
        "expand",
        "the number of sizes provided (\(newShape.count)) must be greater or equal to the number of dimensions in the tensor (\(rank)); shape \(shapeText(shape)) to \(shapeText(newShape))"
      )
    }
    let shift = newShape.count - rank
    var target = newShape
    var newStrides = [Int](repeating: 0, count: newShape.count)
    for axis in 0..<newShape.count {
      let own = axis - shift
      if own >= 0 {
        if target[axis] == -1 { target[axis] = shape[own] }
        if shape[own] == target[axis] {
          newStrides[axis] = strides[own]
        } else if shape[own] != 1 {
          throw OpError(
            "expand",
            "The expanded size of the tensor (\(target[axis])) must match the existing size (\(shape[own])) at non-singleton dimension \(axis). Target sizes: \(shapeText(newShape)). Tensor sizes: \(shapeText(shape))"
          )
        }
      } else if target[axis] < 0 {
        throw OpError(
          "expand",
          "-1 is not allowed in a leading, non-existing dimension (sizes \(shapeText(newShape)))")
      }
    }
    let out = aliasing(shape: target, strides: newStrides)
    let inputShape = shape
    record("ExpandBackward0", out, self) { g in g.sumTo(inputShape) }
    return out
  }
  /// `expand` with size arguments.
  public func expand(_ newShape: Int...) -> Tensor { expand(newShape) }
  /// `expand_as`.
  public func expand(as other: Tensor) -> Tensor { expand(other.shape) }

  /// A contiguous tensor with the same values: itself if already contiguous, else a copy.
  public func contiguous() -> Tensor {
    if isContiguous { return self }
    let out = dense()
    record("CloneBackward0", out, self) { g in g }
    return out
  }

  /// A copy with its own storage (`clone`).
  public func clone() -> Tensor {
    if isPoisoned { return self }
    let out = copyData()
    record("CloneBackward0", out, self) { g in g }
    return out
  }
}
