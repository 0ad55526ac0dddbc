/// `all` and `any` along dimensions, as bool tensors (the whole-tensor `all()` and `any()`
/// in Comparison.swift answer with a Swift Bool).
extension Tensor {
  /// True where every element along `dim` is nonzero (`all(dim:keepdim:)`), a bool tensor.
  public func all(dim: Int, keepDim: Bool = false) -> Tensor {
    truthOver([dim], keepDim: keepDim, every: true)
  }
  /// True where every element over `dims` is nonzero (`all(dim=(…))`); empty means all.
  public func all(dims: [Int], keepDim: Bool = false) -> Tensor {
    truthOver(dims, keepDim: keepDim, every: true)
  }
  /// True where some element along `dim` is nonzero (`any(dim:keepdim:)`), a bool tensor.
  public func any(dim: Int, keepDim: Bool = false) -> Tensor {
    truthOver([dim], keepDim: keepDim, every: false)
  }
  /// True where some element over `dims` is nonzero (`any(dim=(…))`); empty means all.
  public func any(dims: [Int], keepDim: Bool = false) -> Tensor {
    truthOver(dims, keepDim: keepDim, every: false)
  }

  private func truthOver(_ dims: [Int], keepDim: Bool, every: Bool) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let op = every ? "all" : "any"
      let axes = dims.isEmpty ? Array(0..<rank) : try reductionAxes(dims, op: op)
      // NaN is nonzero, as in PyTorch.
      let counts = converted(to: .bool).rawSum(axes: axes, keepDim: keepDim)
      let needed = axes.map { shape[$0] }.reduce(1, *)
      return every ? counts.eq(Double(needed)) : counts.gt(0)
    }
  }
}
