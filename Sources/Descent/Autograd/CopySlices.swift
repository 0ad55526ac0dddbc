/// In-place writes through a view of a tensor in the graph (`x[0] = …`, `x[1..<3].mul_(2)`),
/// as PyTorch's `CopySlices`: the base's history is rewritten so that its gradient outside the
/// written region flows to its old history, and inside it through the new values' graph.
extension Tensor {
  /// Makes this view's new values `result` (computed from the view with autograd) part of the
  /// base's graph. The base gets a `CopySlices` node; the view is re-derived from the base.
  func rewriteBase(with result: Tensor) throws(OpError) {
    guard let base = viewBase else { return }
    let positions = try positionsInBase(base)
    writeElements(result)
    storage.version += 1
    let baseShape = base.shape
    let region = Tensor.zeros([base.count], dtype: .bool)
    let flags = region.pointer(Bool.self)
    for position in positions.toArray(as: Int64.self) { flags[Int(position)] = true }
    let inRegion = region.reshaped(baseShape)
    let viewShape = shape
    let oldBase = base.gradientEdge
    base.gradFn = Node(name: "CopySlices", edges: oldBase, result.gradFn) { g in
      let outside = Tensor.where(inRegion, Tensor.zeros([], dtype: g.dtype), g)
      let inside = g.reshaped([-1]).indexSelect(0, positions).reshaped(viewShape)
      return (oldBase == nil ? nil : outside, inside)
    }
    base.requiresGradFlag = true
    // The view now shows the rewritten base: its gradient goes back into the base's region.
    gradFn = Node(name: "AsStridedBackward0", edge: base.gradFn) { g in
      Tensor.zeros([baseShape.reduce(1, *)], dtype: g.dtype)
        .indexAdd(0, positions, g.reshaped([-1])).reshaped(baseShape)
    }
    requiresGradFlag = true
  }

  /// The row-major position in `base` of each of this view's elements, as int64. The base
  /// must be laid out densely (a fresh result, a clone); PyTorch's general as_strided
  /// bookkeeping is not reproduced for bases that are views with gaps themselves.
  private func positionsInBase(_ base: Tensor) throws(OpError) -> Tensor {
    guard base.isContiguous else {
      throw OpError(
        "copy_slices",
        "in-place change of a view (\(shapeText(shape))) of a non-contiguous tensor (\(shapeText(base.shape)), strides \(shapeText(base.strides))) that is part of the autograd graph is not supported. Call contiguous() on the base first, or build the result out of place."
      )
    }
    let positions = Tensor(uninitializedShape: [count], dtype: .int64)
    let target = positions.pointer(Int64.self)
    forEachOffset(shape: shape, stridesA: strides, baseA: 0, stridesB: strides, baseB: 0) {
      index, offset, _ in target[index] = Int64(storageOffset + offset - base.storageOffset)
    }
    return positions
  }
}
