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

extension Tensor {
  /// Every element raised to `exponent` (`pow`). Integer tensors stay integral for whole
  /// non-negative exponents.
  public func pow(_ exponent: Double) -> Tensor {
    let out: Tensor
    switch dtype {
    case .float32:
      let e = Float(exponent)
      out = mapUnary(self, Float.self, Float.self) { power($0, e) }
    case .float64:
      out = mapUnary(self, Double.self, Double.self) { power($0, exponent) }
    case .int64, .bool:
      if exponent.rounded() == exponent && exponent >= 0 {
        let n = Int(exponent)
        out = mapUnary(converted(to: .int64), Int64.self, Int64.self) { base in
          var result: Int64 = 1
          for _ in 0..<n { result = result &* base }
          return result
        }
      } else {
        return converted(to: .float32).pow(exponent)
      }
    }
    if requiresGradFlag {
      let input = SavedTensor(self, op: "PowBackward0")
      record("PowBackward0", out, self) { g in
        switch exponent {
        case 0: return g * 0
        case 2: return Tensor.squareBackward(g, input.value)  // the common square
        default: return g * (input.value.pow(exponent - 1) * exponent)
        }
      }
    }
    return out
  }

  /// Elementwise power with a tensor exponent, broadcasting (`pow(tensor)`).
  public func pow(_ exponent: Tensor) -> Tensor {
    var type = resultType(self, exponent)
    if !type.isFloatingPoint { type = .float32 }
    let base = converted(to: type)
    let power_ = exponent.converted(to: type)
    let out: Tensor =
      type == .float64
      ? mapBinary(base, power_, Double.self, Double.self, op: "pow") { power($0, $1) }
      : mapBinary(base, power_, Float.self, Float.self, op: "pow") { power($0, $1) }
    if requiresGradFlag || exponent.requiresGradFlag {
      let savedBase = SavedTensor(self, op: "PowBackward1")
      let savedExponent = SavedTensor(exponent, op: "PowBackward1")
      let result = SavedTensor(output: out, op: "PowBackward1")
      record("PowBackward1", out, self, exponent) { [self] g in
        let a = savedBase.value
        let b = savedExponent.value
        return [
          requiresGradFlag ? Tensor.unbroadcast(g * b * a.pow(b - 1), to: self) : nil,
          exponent.requiresGradFlag
            ? Tensor.unbroadcast(g * result.value * a.log(), to: exponent) : nil,
        ]
      }
    }
    return out
  }

  /// `x * x` elementwise (`square`).
  public func square() -> Tensor { pow(2) }

  public static func ** (a: Tensor, b: Double) -> Tensor { a.pow(b) }
  public static func ** (a: Tensor, b: Tensor) -> Tensor { a.pow(b) }
  public static func ** (a: Double, b: Tensor) -> Tensor {
    Tensor(shape: [], scalars: [a], dtype: b.dtype.isFloatingPoint ? b.dtype : .float32).pow(b)
  }
}

extension Tensor {
  /// g · (x · 2), the gradient of x², in one pass when both are floats of one dtype: the same
  /// arithmetic as the two ops it replaces, without the intermediate x · 2.
  static func squareBackward(_ g: Tensor, _ x: Tensor) -> Tensor {
    guard g.dtype == x.dtype, g.shape == x.shape else { return g * (x * 2) }
    switch x.dtype {
    case .float32: return mapBinary(g, x, Float.self, Float.self, op: "mul") { g, x in g * (x * 2) }
    case .float64:
      return mapBinary(g, x, Double.self, Double.self, op: "mul") { g, x in g * (x * 2) }
    default: return g * (x * 2)
    }
  }
}
