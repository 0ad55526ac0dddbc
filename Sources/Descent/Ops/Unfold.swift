/// `unfold`: the windows of one dimension as a new last dimension, a view sharing storage
/// (PyTorch's `Tensor.unfold`), beside its backward, which sums overlapping windows back.
extension Tensor {
  /// Every window of `size` elements along `dimension`, `step` apart, as a view: that
  /// dimension becomes the number of windows, (length − size) / step + 1, and a last dimension
  /// of `size` is appended (`unfold(dimension, size, step)`). Windows may overlap; their
  /// gradients add up.
  public func unfold(dimension: Int, size: Int, step: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try normalizedDim(dimension, op: "unfold")
      let length = rank == 0 ? 1 : shape[axis]
      guard size <= length else {
        throw OpError(
          "unfold",
          "maximum size for tensor at dimension \(axis) is \(length) but size is \(size) (shape \(shapeText(shape)))"
        )
      }
      guard step > 0 else {
        throw OpError("unfold", "step is \(step) but must be > 0 (shape \(shapeText(shape)))")
      }
      guard size >= 0 else {
        throw OpError("unfold", "size is \(size) but must be >= 0 (shape \(shapeText(shape)))")
      }
      let out = windowsView(axis, size: size, step: step)
      let inputShape = shape
      record("UnfoldBackward0", out, self) { g in
        Tensor.foldingWindows(g, into: inputShape, axis: axis, size: size, step: step)
      }
      return out
    }
  }

  /// The windows view, no autograd.
  func windowsView(_ axis: Int, size: Int, step: Int) -> Tensor {
    if rank == 0 { return aliasing(shape: [size], strides: [1]) }
    var newShape = shape
    var newStrides = strides
    newShape[axis] = (shape[axis] - size) / step + 1
    newStrides[axis] = strides[axis] * step
    return aliasing(shape: newShape + [size], strides: newStrides + [strides[axis]])
  }

  /// The sum of window gradients `g` back into a tensor of `shape` (PyTorch's
  /// `unfold_backward`), itself recorded: its gradient unfolds again.
  static func foldingWindows(_ g: Tensor, into shape: [Int], axis: Int, size: Int, step: Int)
    -> Tensor
  {
    let out = Tensor.zeros(shape, dtype: g.dtype)
    // Through a windows view of the zeros, each window adds its gradient; the strided loop
    // reads and writes one element at a time, so overlapping windows accumulate.
    out.windowsView(axis, size: size, step: step).applyInPlace(g, AddKernel())
    record("UnfoldBackwardBackward0", out, g) { gg in
      gg.unfold(dimension: axis, size: size, step: step)
    }
    return out
  }
}
