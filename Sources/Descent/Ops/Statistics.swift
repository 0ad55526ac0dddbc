/// Variance and standard deviation, with PyTorch's `correction` (1 by default: Bessel's).
extension Tensor {
  /// The reduced axes, the count they hold, the divisor and `x − mean` for var and std. A 0-d
  /// tensor accepts dim 0 or -1 and reduces over its single element, as in PyTorch.
  private func centeredMoments(_ dims: [Int], correction: Int, op: String) throws(OpError)
    -> (axes: [Int], divisor: Double, centered: Tensor)
  {
    try requireFloat(op)
    var axes = dims.isEmpty ? Array(0..<rank) : try reductionAxes(dims, op: op)
    if rank == 0 { axes = [] }
    let n = axes.map { shape[$0] }.reduce(1, *)
    let divisor = Double(Swift.max(n - correction, 0))
    let centered = noGrad { self - self.mean(dims: axes, keepDim: true) }
    return (axes, divisor, centered)
  }

  /// Variance over `dims` (all when empty) with `correction` subtracted from the count.
  public func `var`(dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let (axes, divisor, centered) = try centeredMoments(
        dims, correction: correction, op: "var")
      let out = noGrad { (centered * centered).sum(dims: axes, keepDim: keepDim) / divisor }
      record("VarBackward0", out, self) { [self] g in
        // d var / dx = 2 (x − mean) / (n − correction)
        let gk = keepDim || axes.isEmpty ? g : g.unsqueezing(axes)
        return gk * recentered(centered, axes) * (2 / divisor)
      }
      return out
    }
  }

  /// Variance over one dimension.
  public func `var`(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
    self.var(dims: [dim], correction: correction, keepDim: keepDim)
  }

  /// Standard deviation over `dims` (all when empty), `sqrt(var)`.
  public func std(dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let (axes, divisor, centered) = try centeredMoments(
        dims, correction: correction, op: "std")
      let out = noGrad {
        ((centered * centered).sum(dims: axes, keepDim: keepDim) / divisor).sqrt()
      }
      let result = SavedTensor(output: out, op: "StdBackward0")
      record("StdBackward0", out, self) { [self] g in
        // d std / dx = (x − mean) / ((n − correction) · std)
        let gk = keepDim || axes.isEmpty ? g : g.unsqueezing(axes)
        let sk = keepDim || axes.isEmpty ? result.value : result.value.unsqueezing(axes)
        return gk * recentered(centered, axes) / (sk * divisor)
      }
      return out
    }
  }

  /// Standard deviation over one dimension.
  public func std(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
    std(dims: [dim], correction: correction, keepDim: keepDim)
  }

  /// `x − mean` for a backward: the value computed in the forward pass, or while the gradient
  /// is recorded, the same difference computed again from this tensor in the graph.
  private func recentered(_ centered: Tensor, _ axes: [Int]) -> Tensor {
    GradMode.isEnabled ? self - mean(dims: axes, keepDim: true) : centered
  }
}
