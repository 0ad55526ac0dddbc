/// Ordering along a dimension: `sort`, `argsort`, `topk`, `kthvalue` and `median`, beside
/// their backward (the gradient goes back to the positions the values came from).
///
/// Ties: Descent's sort is stable, equal values keep their input order (PyTorch's
/// `sort(stable=True)`). PyTorch's default sort, `topk`, `kthvalue` and `median(dim)` may
/// order ties differently (an unstable sort beyond 16 elements, a selection algorithm): the
/// values agree, the indices of tied elements can differ. NaN sorts above every number, as
/// in PyTorch: last ascending, first descending, first in `topk` of the largest.

/// Which elements of each sorted slice an op keeps.
private enum SliceSelection {
  /// The first `count` in order.
  case leading(Int)
  /// The one at `position` in order; with `nanWins`, the first NaN when the slice has one.
  case single(position: Int, nanWins: Bool)
}

/// Sorts each slice of dense `x` along the middle axis of `[outer, n, inner]` and keeps the
/// selected elements, with their indices.
private struct SliceSort: NumericRoutine {
  let x: MiddleAxis
  let descending: Bool
  let selection: SliceSelection

  func run<T: NumericScalar>(_: T.Type) -> (values: Tensor, indices: Tensor) {
    let (outer, n, inner) = x.sizes
    let kept: Int
    switch selection {
    case .leading(let count): kept = count
    case .single: kept = 1
    }
    let values = Tensor(uninitializedShape: [outer, kept, inner], dtype: T.dtype)
    let indices = Tensor(uninitializedShape: [outer, kept, inner], dtype: .int64)
    let source = x.data.pointer(T.self)
    let (valueOut, indexOut) = (values.pointer(T.self), indices.pointer(Int64.self))
    var slice = [T](repeating: .zero, count: n)
    var order = [Int](repeating: 0, count: n)
    let descending = self.descending
    for o in 0..<outer {
      for i in 0..<inner {
        for k in 0..<n { slice[k] = source[(o * n + k) * inner + i] }
        var firstNaN: Int?
        if case .single(_, true) = selection {
          firstNaN = slice.firstIndex { $0 != $0 }
        }
        for k in 0..<n { order[k] = k }
        order.sort { a, b in
          let (u, v) = (slice[a], slice[b])
          let (uNaN, vNaN) = (u != u, v != v)
          // NaN above every number; equal values by index (stable).
          if uNaN || vNaN {
            if uNaN && vNaN { return a < b }
            return descending ? uNaN : vNaN
          }
          if u == v { return a < b }
          return descending ? u > v : u < v
        }
        for j in 0..<kept {
          var pick = j
          if case .single(let position, _) = selection { pick = position }
          let index = firstNaN ?? order[pick]
          valueOut[(o * kept + j) * inner + i] = slice[index]
          indexOut[(o * kept + j) * inner + i] = Int64(index)
        }
      }
    }
    return (values, indices)
  }
}

extension Tensor {
  /// The elements sorted along `dim`, with the int64 indices they came from (`sort`).
  /// Stable: equal values keep their order. NaN sorts last (first when `descending`).
  public func sort(dim: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
    ordered("sort", "SortBackward0", dim: dim, keepDim: true) { () throws(OpError) in
      (descending, .leading(rank == 0 ? 1 : shape[try normalizedDim(dim, op: "sort")]))
    }
  }

  /// The int64 indices that sort this tensor along `dim` (`argsort`); see `sort`.
  public func argsort(dim: Int = -1, descending: Bool = false) -> Tensor {
    sort(dim: dim, descending: descending).indices
  }

  /// The `k` largest (or with `largest` false, smallest) elements along `dim`, in order, with
  /// their int64 indices (`topk`). `sorted: false` is accepted and gives them sorted too (a
  /// valid order: PyTorch leaves it unspecified).
  public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, sorted: Bool = true) -> (
    values: Tensor, indices: Tensor
  ) {
    ordered("topk", "TopkBackward0", dim: dim, keepDim: true) { () throws(OpError) in
      let size = rank == 0 ? 1 : shape[try normalizedDim(dim, op: "topk")]
      guard k >= 0 && k <= size else {
        throw OpError(
          "topk",
          "selected index k out of range (k = \(k), size \(size) along dim \(dim) of shape \(shapeText(shape)))"
        )
      }
      guard dtype != .bool else {
        throw OpError(
          "topk", "topk does not support bool dtypes on CPU (shape \(shapeText(shape)))")
      }
      return (largest, .leading(k))
    }
  }

  /// The `k`-th smallest element along `dim` (k counts from 1) and its int64 index
  /// (`kthvalue`).
  public func kthvalue(_ k: Int, dim: Int = -1, keepDim: Bool = false) -> (
    values: Tensor, indices: Tensor
  ) {
    ordered("kthvalue", "KthvalueBackward0", dim: dim, keepDim: keepDim) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "kthvalue")
      let size = rank == 0 ? 1 : shape[axis]
      guard k >= 1 && k <= size else {
        throw OpError(
          "kthvalue",
          "kthvalue(): selected number k out of range for dimension \(axis) (k = \(k), shape \(shapeText(shape)))"
        )
      }
      return (false, .single(position: k - 1, nanWins: false))
    }
  }

  /// The median along `dim`, the lower of the two middle values for an even count, and its
  /// int64 index (`median(dim:keepdim:)`). A slice holding NaN has median NaN, at the first
  /// NaN's index.
  public func median(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
    ordered("median", "MedianBackward1", dim: dim, keepDim: keepDim) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "median")
      let size = rank == 0 ? 1 : shape[axis]
      guard size > 0 else {
        throw OpError(
          "median",
          "median(): Expected reduction dim \(axis) to have non-zero size. (shape \(shapeText(shape)))"
        )
      }
      return (false, .single(position: (size - 1) / 2, nanWins: true))
    }
  }

  /// The median of all elements, the lower middle value for an even count (`median()`): NaN
  /// when there is a NaN or no element. The gradient is shared evenly among the elements equal
  /// to the median.
  public func median() -> Tensor {
    Tensor.op(self) {
      guard count > 0 else { return Tensor.full([], .nan, dtype: dtype) }
      let flat = reshapedData([count])
      let out = flat.sortedSelection(
        0, descending: false, .single(position: (count - 1) / 2, nanWins: true)
      ).values.reshapedData([])
      guard requiresGradFlag else { return out }
      let input = SavedTensor(self, op: "MedianBackward0")
      let result = SavedTensor(output: out, op: "MedianBackward0")
      record("MedianBackward0", out, self) { g in
        let (x, y) = (input.value, result.value)
        let mask = y.isnan().item() != 0 ? x.isnan() : x.eq(y)
        let share = g / mask.to(g.dtype).sum()
        return Tensor.where(mask, share, Tensor.zeros([], dtype: g.dtype))
      }
      return out
    }
  }

  /// Runs a selection op: `plan` checks the arguments and says the order and what to keep;
  /// the values are recorded with a backward that scatters the gradient to their indices.
  private func ordered(
    _ op: String, _ name: String, dim: Int, keepDim: Bool,
    plan: () throws(OpError) -> (descending: Bool, selection: SliceSelection)
  ) -> (values: Tensor, indices: Tensor) {
    Tensor.op([self], placeholder: (Tensor.poisoned(dtype), Tensor.poisoned(.int64))) {
      () throws(OpError) in
      let axis = try normalizedDim(dim, op: op)
      let (descending, selection) = try plan()
      var (values, indices) = sortedSelection(axis, descending: descending, selection)
      let reduces: Bool
      if case .single = selection { reduces = true } else { reduces = false }
      if reduces && !keepDim && rank > 0 {
        values = values.squeeze(axis)
        indices = indices.squeeze(axis)
      }
      guard requiresGradFlag else { return (values, indices) }
      let inputShape = shape
      let keptIndices = reduces && !keepDim && rank > 0 ? indices.unsqueeze(axis) : indices
      record(name, values, self) { g in
        if inputShape.isEmpty { return g.reshaped(inputShape) }
        let gk = reduces && !keepDim ? g.unsqueeze(axis) : g
        return Tensor.zeros(inputShape, dtype: g.dtype).scatterAdd(axis, keptIndices, gk)
      }
      return (values, indices)
    }
  }

  /// The selected elements of each sorted slice along `axis` and their indices, no autograd;
  /// the values keep the dtype (bool included).
  private func sortedSelection(_ axis: Int, descending: Bool, _ selection: SliceSelection)
    -> (values: Tensor, indices: Tensor)
  {
    let source = (dtype == .bool ? converted(to: .int64) : self).dense()
    let layout = rank == 0 ? MiddleAxis(wholeOf: source) : MiddleAxis(source, around: axis)
    let (values, indices) = source.dtype.dispatchNumeric(
      SliceSort(x: layout, descending: descending, selection: selection))
    var outShape = shape
    if rank > 0 { outShape[axis] = values.shape[1] }
    let typed = dtype == .bool ? values.converted(to: .bool) : values
    return (typed.reshapedData(outShape), indices.reshapedData(outShape))
  }
}
