/// Vector norms (`norm`, PyTorch's `linalg.vector_norm`): p = 2 by default, 1, ∞, −∞, 0 (the
/// count of nonzeros), any other p, and "fro" (the 2-norm over the given dimensions), beside
/// their backward.

/// The order p of a vector norm: a number (`2`, `1`, `0.5`), `.infinity`, `-.infinity`, or
/// `.fro` (Frobenius: the square root of the sum of squares, the 2-norm over the dimensions).
public struct NormOrder: Sendable, Equatable, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, CustomStringConvertible
{
  /// The exponent p.
  public let p: Double

  /// The order `p` of the norm.
  public init(_ p: Double) { self.p = p }
  /// An integer order: `norm(p: 1)`.
  public init(integerLiteral value: Int) { p = Double(value) }
  /// A fractional order: `norm(p: 0.5)`.
  public init(floatLiteral value: Double) { p = value }

  /// The largest absolute value.
  public static let infinity = NormOrder(.infinity)
  /// The Frobenius norm: over one or two dimensions, the 2-norm of their elements.
  public static let fro = NormOrder(2)
  /// The norm of order −p (`-.infinity`: the smallest absolute value).
  public static prefix func - (order: NormOrder) -> NormOrder { NormOrder(-order.p) }

  /// A readable description, as `print` shows it.
  public var description: String { "\(p)" }
}

extension Tensor {
  /// The p-norm over all elements, or along `dim` (`norm(p:dim:keepdim:)`, PyTorch's
  /// `linalg.vector_norm`): (Σ|x|ᵖ)^(1/p), the largest |x| for p = ∞, the smallest for −∞,
  /// the count of nonzeros for 0. Floating dtypes only. The gradient at 0 is 0, as PyTorch's.
  public func norm(p: NormOrder = 2, dim: Int? = nil, keepDim: Bool = false) -> Tensor {
    norm(p: p, dims: dim.map { [$0] } ?? [], keepDim: keepDim)
  }

  /// The p-norm over the dimensions `dims` (all of them when empty); see `norm(p:dim:keepDim:)`.
  public func norm(p: NormOrder = 2, dims: [Int], keepDim: Bool = false) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      guard dtype.isFloatingPoint else {
        throw OpError(
          "norm",
          "linalg.vector_norm: Expected a floating point or complex tensor as input. Got \(dtype.scalarTypeName) (shape \(shapeText(shape)))"
        )
      }
      let axes = dims.isEmpty ? Array(0..<rank) : try reductionAxes(dims, op: "norm")
      if p.p.isInfinite, let empty = axes.first(where: { shape[$0] == 0 }) {
        throw OpError(
          "norm",
          "linalg.vector_norm cannot compute the \(p.p > 0 ? "" : "-")inf norm on the dimension \(empty)because this dimension is empty and the operation does not have an identity (shape \(shapeText(shape)))"
        )
      }
      let out = noGrad { vectorNorm(p.p, axes, keepDim: keepDim) }
      guard requiresGradFlag else { return out }
      let input = SavedTensor(self, op: "LinalgVectorNormBackward0")
      let result = SavedTensor(output: out, op: "LinalgVectorNormBackward0")
      record("LinalgVectorNormBackward0", out, self) { g in
        let x = input.value
        // While a gradient graph is recorded the norm is recomputed, differentiably.
        let norm = GradMode.isEnabled ? x.vectorNorm(p.p, axes, keepDim: keepDim) : result.value
        return Tensor.normGradient(
          g: keepDim ? g : g.unsqueezing(axes), x: x,
          norm: keepDim ? norm : norm.unsqueezing(axes), p: p.p, axes: axes)
      }
      return out
    }
  }

  /// The norm from public ops (differentiable when recorded).
  private func vectorNorm(_ p: Double, _ axes: [Int], keepDim: Bool) -> Tensor {
    switch p {
    case 2: return (self * self).sum(dims: axes, keepDim: keepDim).sqrt()
    case 1: return abs().sum(dims: axes, keepDim: keepDim)
    case .infinity: return abs().amax(dims: axes, keepDim: keepDim)
    case -.infinity: return abs().amin(dims: axes, keepDim: keepDim)
    case 0: return ne(0).to(dtype).sum(dims: axes, keepDim: keepDim)
    default: return abs().pow(p).sum(dims: axes, keepDim: keepDim).pow(1 / p)
    }
  }

  /// PyTorch's `norm_backward`, with `g` and `norm` shaped as kept dimensions.
  private static func normGradient(g: Tensor, x: Tensor, norm: Tensor, p: Double, axes: [Int])
    -> Tensor
  {
    let zero = Tensor.zeros([], dtype: g.dtype)
    switch p {
    case 0:
      return Tensor.zerosLike(x)
    case 1:
      return x.sign() * g
    case 2:
      return g * Tensor.where(norm.eq(0), zero, x / norm)
    case _ where p.isInfinite:
      // Ties at the extreme share the gradient evenly; NaN counts as the extreme.
      let magnitude = x.abs()
      let mask = magnitude.eq(norm).logicalOr(magnitude.isnan()).to(g.dtype)
      return x.sign() * ((g / mask.sum(dims: axes, keepDim: true)) * mask)
    case _ where p < 1:
      let scaled = Tensor.where(x.eq(0), zero, x.abs().pow(p - 1))
      return x.sign() * scaled * g * norm.pow(1 - p)
    case _ where p < 2:
      let scale = Tensor.where(norm.eq(0), zero, g / norm.pow(p - 1))
      return x.sign() * x.abs().pow(p - 1) * scale
    default:
      let scale = Tensor.where(norm.eq(0), zero, g / norm.pow(p - 1))
      return x * x.abs().pow(p - 2) * scale
    }
  }
}
