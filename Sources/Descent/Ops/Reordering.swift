/// `flip` and `roll`: the same elements in another order along some dimensions, as new
/// tensors (PyTorch copies too), beside their backward.
extension Tensor {
  /// The elements in reverse order along each of `dims` (`flip`).
  public func flip(_ dims: [Int]) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axes = try distinctAxes(dims, op: "flip")
      let out = flippedData(axes)
      record("FlipBackward0", out, self) { g in g.flip(axes) }
      return out
    }
  }

  /// `flip` with dimension arguments: `x.flip(0, 1)`.
  public func flip(_ dims: Int...) -> Tensor { flip(dims) }

  /// The elements shifted by `shifts[i]` positions along `dims[i]`, those pushed off one end
  /// coming back at the other (`roll`). With no dims the tensor is rolled as if flattened.
  public func roll(_ shifts: [Int], dims: [Int] = []) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      guard shifts.count == dims.count || (dims.isEmpty && shifts.count == 1) else {
        throw OpError(
          "roll",
          "shifts and dimensions must align. shifts: \(shifts.count), dims:\(dims.count) (tensor shape \(shapeText(shape)))"
        )
      }
      if dims.isEmpty {
        let flat = reshapedData([count])
        let out = flat.rolledData(shifts[0], axis: 0).reshapedData(shape)
        let inputShape = shape
        record("RollBackward0", out, self) { g in
          g.reshaped([-1]).roll([-shifts[0]]).reshaped(inputShape)
        }
        return out
      }
      var axes: [Int] = []
      for dim in dims { axes.append(try normalizedDim(dim, op: "roll")) }
      var out = self
      for (shift, axis) in zip(shifts, axes) { out = out.rolledData(shift, axis: axis) }
      record("RollBackward0", out, self) { g in g.roll(shifts.map { -$0 }, dims: axes) }
      return out
    }
  }

  /// `roll` of one shift along one dimension (`roll(shifts, dims)`).
  public func roll(_ shift: Int, dim: Int) -> Tensor { roll([shift], dims: [dim]) }

  /// `roll` of the flattened tensor, reshaped back (`roll(shifts)` without dims).
  public func roll(_ shift: Int) -> Tensor { roll([shift]) }

  /// Normalised dimensions, each at most once (`flip`'s and `amax`'s checks).
  func distinctAxes(_ dims: [Int], op: String) throws(OpError) -> [Int] {
    var axes: [Int] = []
    for dim in dims {
      let axis = try normalizedDim(dim, op: op)
      guard !axes.contains(axis) else {
        throw OpError(
          op,
          "dim \(axis) appears multiple times in the list of dims (tensor shape \(shapeText(shape)))"
        )
      }
      axes.append(axis)
    }
    return axes
  }

  /// A dense copy reversed along `axes`, through a view with negative strides.
  private func flippedData(_ axes: [Int]) -> Tensor {
    guard count > 0, rank > 0 else { return copyData() }
    var newStrides = strides
    var offset = storageOffset
    for axis in axes where shape[axis] > 1 {
      offset += (shape[axis] - 1) * strides[axis]
      newStrides[axis] = -strides[axis]
    }
    let view = aliasing(shape: shape, strides: newStrides, offset: offset)
    return view.isContiguous ? view.copyData() : view.dense()
  }

  /// A dense copy rolled by `shift` along `axis`: two block copies.
  private func rolledData(_ shift: Int, axis: Int) -> Tensor {
    let n = rank == 0 ? 1 : shape[axis]
    guard n > 0, count > 0 else { return copyData() }
    let s = ((shift % n) + n) % n
    guard s != 0 else { return copyData() }
    let out = Tensor(uninitializedShape: shape, dtype: dtype)
    // out[s...] = self[..<n−s], out[..<s] = self[n−s...]
    out.narrowedData(axis, s, n - s).writeElements(narrowedData(axis, 0, n - s))
    out.narrowedData(axis, 0, s).writeElements(narrowedData(axis, n - s, s))
    return out
  }

  /// Positions `start..<start + length` along `axis`, a view without autograd.
  func narrowedData(_ axis: Int, _ start: Int, _ length: Int) -> Tensor {
    var newShape = shape
    newShape[axis] = length
    return aliasing(
      shape: newShape, strides: strides, offset: storageOffset + start * strides[axis])
  }
}
