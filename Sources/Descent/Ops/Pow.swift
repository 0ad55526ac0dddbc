import RealModule

precedencegroup PowerPrecedence {
  higherThan: MultiplicationPrecedence
  associativity: right
}

/// `a ** b`, Python's power operator.
infix operator ** : PowerPrecedence

/// Raises `x` to `exponent`; whole exponents use repeated multiplication so that negative
/// bases work (`(-2) ** 3 == -8`).
@inline(__always)
func power<T: FloatScalar>(_ x: T, _ exponent: T) -> T {
  if exponent == 2 { return x * x }
  if exponent.rounded() == exponent && Swift.abs(exponent) < T(1_073_741_824) {
    return T.pow(x, Int(exponent))
  }
  return T.pow(x, exponent)
}

/// x^e for a number e.
struct PowerKernel: UnaryKernel {
  let exponent: Double
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { power(x, T(fromDouble: exponent)) }
}
/// a^b elementwise.
struct PowKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ a: T, _ b: T) -> T { power(a, b) }
}
/// x^n for a whole n ≥ 0 by repeated multiplication: integer tensors stay integral and wrap.
struct RepeatedProductKernel: NumericUnaryKernel {
  let count: Int
  func callAsFunction<T: NumericScalar>(_ x: T) -> T {
    var result = T.one
    for _ in 0..<count { result = T.multiply(result, x) }
    return result
  }
}
/// g · (x · 2), the gradient of x² in one pass: the same arithmetic as the two ops it replaces,
/// without the intermediate x · 2.
struct SquareBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T { g * (x * 2) }
}

extension Tensor {
  /// Every element raised to `exponent` (`pow`). Integer tensors stay integral for whole
  /// non-negative exponents.
  public func pow(_ exponent: Double) -> Tensor {
    Tensor.op(self) {
      let out: Tensor
      if dtype.isFloatingPoint {
        out = unary(self, PowerKernel(exponent: exponent))
      } else if exponent.rounded() == exponent && exponent >= 0 {
        out = unary(self, RepeatedProductKernel(count: Int(exponent)))
      } else {
        return converted(to: .float32).pow(exponent)
      }
      if requiresGradFlag {
        let input = SavedTensor(self, op: "PowBackward0")
        record("PowBackward0", out, self) { g in
          switch exponent {
          case 0: return g * 0
          case 2:  // the common square, fused unless the gradient is being recorded
            return g.dtype == input.value.dtype && !GradMode.isEnabled
              ? binary(g, input.value, to: g.shape, SquareBackwardKernel()) : g * (input.value * 2)
          default: return g * (input.value.pow(exponent - 1) * exponent)
          }
        }
      }
      return out
    }
  }

  /// Elementwise power with a tensor exponent, broadcasting (`pow(tensor)`).
  public func pow(_ exponent: Tensor) -> Tensor {
    Tensor.op(self, exponent) { () throws(OpError) in
      let out = try binary(self, exponent, PowKernel(), op: "pow")
      if requiresGradFlag || exponent.requiresGradFlag {
        let savedBase = SavedTensor(self, op: "PowBackward1")
        let savedExponent = SavedTensor(exponent, op: "PowBackward1")
        let result = SavedTensor(output: out, op: "PowBackward1")
        record("PowBackward1", out, self, exponent) { [self] g in
          let a = savedBase.value
          let b = savedExponent.value
          return (
            requiresGradFlag ? Tensor.unbroadcast(g * b * a.pow(b - 1), to: self) : nil,
            exponent.requiresGradFlag
              ? Tensor.unbroadcast(g * result.value * a.log(), to: exponent) : nil
          )
        }
      }
      return out
    }
  }

  /// `x * x` elementwise (`square`).
  public func square() -> Tensor { pow(2) }

  /// Every element raised to a scalar power (`t ** 2`).
  public static func ** (a: Tensor, b: Double) -> Tensor { a.pow(b) }
  /// Elementwise power, broadcasting the shapes.
  public static func ** (a: Tensor, b: Tensor) -> Tensor { a.pow(b) }
  /// A scalar raised to the power of every element.
  public static func ** (a: Double, b: Tensor) -> Tensor {
    Tensor(shape: [], scalars: [a], dtype: b.dtype.isFloatingPoint ? b.dtype : .float32).pow(b)
  }
}
