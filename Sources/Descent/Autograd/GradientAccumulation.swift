/// How a leaf's `grad` takes the gradient a backward pass brings: moved in without a copy when
/// nothing else holds it, copied the first time otherwise, added in place after that; with
/// `createGraph`, kept in the graph and added out of place, as PyTorch does.

extension Tensor {
  /// `accumulateGradient` of the gradient in `slot`, which it empties. The first gradient's
  /// memory becomes `grad` without a copy when nothing else refers to it: a fresh, dense
  /// result that no other tensor (view, detached alias, another leaf's gradient) shares. Any
  /// doubt — another reference, a view, an offset, spare bytes — takes the copying path.
  func accumulateGradient(moving slot: inout Tensor?, createGraph: Bool = false) {
    guard slot != nil else { return }
    if createGraph {
      // The gradient stays in the graph: kept as it is, then added out of place.
      let gradient = slot!
      slot = nil
      accumulateRetained(gradient, true)
      return
    }
    var storage = wholeStorage(of: slot!)
    guard storage != nil else {
      let gradient = slot!
      slot = nil
      accumulateGradient(gradient)
      return
    }
    slot = nil  // the tensor goes; its storage stays, referenced here and wherever else
    let strides = Tensor.contiguousStrides(shape)
    if isKnownUniquelyReferenced(&storage) {
      storage!.version = 0  // as for a copy
      grad = Tensor(storage: storage!, shape: shape, strides: strides, dtype: dtype)
    } else {
      grad = Tensor(storage: storage!, shape: shape, strides: strides, dtype: dtype).copyData()
    }
  }

  /// The storage of `gradient` when it could become this tensor's first `grad` as it is:
  /// exactly this tensor's shape and dtype, dense from offset 0 over all of its storage, not
  /// a view and not in a graph.
  private func wholeStorage(of gradient: Tensor) -> Storage? {
    let whole =
      grad == nil && gradient.dtype == dtype && gradient.shape == shape
      && gradient.isContiguous && gradient.storageOffset == 0 && gradient.viewBase == nil
      && gradient.gradFn == nil && gradient.storage.byteCount == count * dtype.itemSize
    return whole ? gradient.storage : nil
  }

  /// Adds `gradient` into `grad`. The first gradient is copied, so that `grad` never aliases a
  /// tensor that backward handed to several leaves.
  func accumulateGradient(_ gradient: Tensor) { accumulateRetained(gradient, false) }

  /// Adds `gradient` to `grad` the way a retained or target non-leaf gradient accumulates:
  /// a copy the first time and a sum after, or, with `createGraph`, the gradient itself and
  /// an out-of-place sum, so that `grad` stays differentiable.
  func accumulateRetained(_ gradient: Tensor, _ createGraph: Bool) {
    let incoming = gradient.shape == shape ? gradient : gradient.sumTo(shape)
    if createGraph {
      grad = grad.map { $0 + incoming } ?? incoming
    } else if let grad, grad.gradFn == nil {
      noGrad { grad.addInPlace(incoming.converted(to: grad.dtype)) }
    } else {
      grad = grad.map { $0.detach() + incoming } ?? incoming.copyData()
    }
  }
}
