/// Variance and standard deviation, with PyTorch's `correction` (1 by default: Bessel's).
extension Tensor {
  /// Variance over `dims` (all when empty) with `correction` subtracted from the count.
  public func `var`(dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) -> Tensor {
    requireFloat("var")
    let axes = dims.isEmpty ? Array(0..<rank) : reductionAxes(dims, op: "var")
    let n = axes.map { shape[$0] }.reduce(1, *)
    let divisor = Double(Swift.max(n - correction, 0))
    let centered = noGrad { self - self.mean(dims: axes, keepDim: true) }
    let out = noGrad { (centered * centered).sum(dims: axes, keepDim: keepDim) / divisor }
    record("VarBackward0", out, self) { g in
      // d var / dx = 2 (x − mean) / (n − correction)
      let gk = keepDim || axes.isEmpty ? g : g.unsqueezing(axes)
      return gk * centered * (2 / divisor)
    }
    return out
  }

  /// Variance over one dimension.
  public func `var`(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
    self.var(dims: [dim], correction: correction, keepDim: keepDim)
  }

  /// Standard deviation over `dims` (all when empty), `sqrt(var)`.
  public func std(dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) -> Tensor {
    self.var(dims: dims, correction: correction, keepDim: keepDim).sqrt()
  }

  /// Standard deviation over one dimension.
  public func std(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
    std(dims: [dim], correction: correction, keepDim: keepDim)
  }
}
