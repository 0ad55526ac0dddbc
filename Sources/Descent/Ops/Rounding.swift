/// Rounding to whole numbers: `floor`, `ceil`, `round` (half to even, as `torch.round`) and
/// `trunc`, beside their (zero) gradients. Integers are whole already: an int64 tensor gives
/// a copy of itself, as in PyTorch.

/// Rounds with a rule of Swift's `FloatingPointRoundingRule`, at `10^-decimals` precision:
/// PyTorch's `round(decimals:)` scales by 10^|decimals| in the tensor's own precision.
struct RoundKernel: UnaryKernel {
  let rule: FloatingPointRoundingRule
  let decimals: Int
  func callAsFunction<T: FloatScalar>(_ x: T) -> T {
    if decimals == 0 { return x.rounded(rule) }
    let scale = T.pow(10, T(Swift.abs(decimals)))
    return decimals > 0 ? (x * scale).rounded(rule) / scale : (x / scale).rounded(rule) * scale
  }
}

extension Tensor {
  /// The largest whole number ≤ each element (`floor`).
  public func floor() -> Tensor { rounding(.down, "floor", "FloorBackward0") }
  /// The smallest whole number ≥ each element (`ceil`).
  public func ceil() -> Tensor { rounding(.up, "ceil", "CeilBackward0") }
  /// Each element without its fraction, rounded toward zero (`trunc`).
  public func trunc() -> Tensor { rounding(.towardZero, "trunc", "TruncBackward0") }

  /// The nearest whole number, halves to even (`round`: 0.5 → 0, 1.5 → 2, 2.5 → 2), or with
  /// `decimals` the nearest multiple of 10^-decimals (`round(decimals=)`, float only).
  public func round(decimals: Int = 0) -> Tensor {
    rounding(
      .toNearestOrEven, "round", decimals == 0 ? "RoundBackward0" : "RoundBackward1",
      decimals: decimals)
  }

  private func rounding(
    _ rule: FloatingPointRoundingRule, _ op: String, _ name: String, decimals: Int = 0
  ) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      guard dtype != .bool else {
        throw OpError(
          op,
          "\"\(op)_vml_cpu\" not implemented for 'Bool' (shape \(shapeText(shape))). Convert first: to(.float32)."
        )
      }
      guard dtype.isFloatingPoint else {
        if decimals != 0 {
          throw OpError(
            op,
            "\"round_cpu\" not implemented for '\(dtype.scalarTypeName)' (round with decimals, shape \(shapeText(shape)))"
          )
        }
        return copyData()
      }
      let out = unary(self, RoundKernel(rule: rule, decimals: decimals))
      // Piecewise constant: the gradient is zero (where it exists).
      record(name, out, self) { g in Tensor.zerosLike(g) }
      return out
    }
  }
}
