/// `amax` and `amin`: the largest or smallest values over one or several dimensions, without
/// indices; the gradient is split evenly among ties, as PyTorch's.
extension Tensor {
  /// The largest values over `dims` (all dimensions when empty), without indices (`amax`).
  /// NaN propagates. The gradient is shared evenly among the elements equal to the maximum.
  public func amax(dims: [Int] = [], keepDim: Bool = false) -> Tensor {
    extremeOver(dims, keepDim: keepDim, largest: true)
  }
  /// `amax` over one dimension.
  public func amax(dim: Int, keepDim: Bool = false) -> Tensor {
    amax(dims: [dim], keepDim: keepDim)
  }
  /// The smallest values over `dims` (all dimensions when empty), without indices (`amin`).
  public func amin(dims: [Int] = [], keepDim: Bool = false) -> Tensor {
    extremeOver(dims, keepDim: keepDim, largest: false)
  }
  /// `amin` over one dimension.
  public func amin(dim: Int, keepDim: Bool = false) -> Tensor {
    amin(dims: [dim], keepDim: keepDim)
  }

  private func extremeOver(_ dims: [Int], keepDim: Bool, largest: Bool) -> Tensor {
    let op = largest ? "amax" : "amin"
    return Tensor.op(self) { () throws(OpError) in
      let axes = dims.isEmpty ? Array(0..<rank) : try reductionAxes(dims, op: op)
      if let empty = axes.first(where: { shape[$0] == 0 }) {
        throw OpError(
          op,
          "\(op)(): Expected reduction dim \(empty) to have non-zero size. (shape \(shapeText(shape)))"
        )
      }
      var kept = self
      for axis in axes {
        kept = try kept.rawExtreme(axis: axis, keepDim: true, largest: largest, op: op).0
      }
      if dtype == .bool { kept = kept.converted(to: .bool) }
      let out =
        keepDim
        ? kept : kept.reshapedData(shape.indices.filter { !axes.contains($0) }.map { shape[$0] })
      guard requiresGradFlag else { return out }
      let name = largest ? "AmaxBackward0" : "AminBackward0"
      let input = SavedTensor(self, op: name)
      let result = SavedTensor(output: kept, op: name)
      record(name, out, self) { g in
        // (g / count) · mask, the mask of the elements equal to the result.
        let mask = input.value.eq(result.value).to(g.dtype)
        let gk = keepDim ? g : g.unsqueezing(axes)
        return (gk / mask.sum(dims: axes, keepDim: true)) * mask
      }
      return out
    }
  }
}
