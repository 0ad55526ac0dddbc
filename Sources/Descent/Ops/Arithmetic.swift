/// `+ - * /` and negation, with broadcasting, each beside its backward.
///
/// Gradients of broadcast operands are summed back to the operand's shape (`sumTo`), and cast
/// back to its dtype when promotion widened the result.
extension Tensor {
  /// The gradient `g` of a broadcast result, reduced to what `input` contributed.
  @inline(__always)
  static func unbroadcast(_ g: Tensor, to input: Tensor) -> Tensor? {
    guard input.requiresGradFlag else { return nil }
    let reduced = g.shape == input.shape ? g : g.sumTo(input.shape)
    return reduced.dtype == input.dtype ? reduced : reduced.converted(to: input.dtype)
  }

  public static func + (a: Tensor, b: Tensor) -> Tensor {
    let out = binaryArithmetic(a, b, AddKernel.self, op: "add")
    record("AddBackward0", out, a, b) { g in (unbroadcast(g, to: a), unbroadcast(g, to: b)) }
    return out
  }

  public static func - (a: Tensor, b: Tensor) -> Tensor {
    let out = binaryArithmetic(a, b, SubtractKernel.self, op: "sub")
    record("SubBackward0", out, a, b) { g in
      (unbroadcast(g, to: a), b.requiresGradFlag ? unbroadcast(-g, to: b) : nil)
    }
    return out
  }

  public static func * (a: Tensor, b: Tensor) -> Tensor {
    let out = binaryArithmetic(a, b, MultiplyKernel.self, op: "mul")
    if a.requiresGradFlag || b.requiresGradFlag {
      let savedA = SavedTensor(a, op: "MulBackward0")
      let savedB = SavedTensor(b, op: "MulBackward0")
      record("MulBackward0", out, a, b) { g in
        (
          a.requiresGradFlag ? unbroadcast(g * savedB.value, to: a) : nil,
          b.requiresGradFlag ? unbroadcast(g * savedA.value, to: b) : nil
        )
      }
    }
    return out
  }

  /// True division: integer operands give float32, as in PyTorch.
  public static func / (a: Tensor, b: Tensor) -> Tensor {
    let out = binaryArithmetic(a, b, DivideKernel.self, op: "div", floatResult: true)
    if a.requiresGradFlag || b.requiresGradFlag {
      let savedA = SavedTensor(a, op: "DivBackward0")
      let savedB = SavedTensor(b, op: "DivBackward0")
      record("DivBackward0", out, a, b) { g in
        let denominator = savedB.value
        return (
          a.requiresGradFlag ? unbroadcast(g / denominator, to: a) : nil,
          b.requiresGradFlag
            ? unbroadcast(-g * savedA.value / (denominator * denominator), to: b) : nil
        )
      }
    }
    return out
  }

  public static prefix func - (a: Tensor) -> Tensor {
    guard a.dtype != .bool else {
      opFailure(
        "neg",
        "Negation, the `-` operator, on a bool tensor is not supported (shape \(shapeText(a.shape))). Use logicalNot() instead."
      )
    }
    let out = scalarArithmetic(a, -1, scalarFirst: false, MultiplyKernel.self)
    record("NegBackward0", out, a) { g in -g }
    return out
  }

  // Tensor and Swift number. A whole number keeps an int64 tensor int64; a fraction makes it
  // float32 (PyTorch's rule for Python scalars).

  public static func + (a: Tensor, b: Double) -> Tensor {
    let out = scalarArithmetic(a, b, scalarFirst: false, AddKernel.self)
    record("AddBackward0", out, a) { g in g }
    return out
  }
  public static func + (a: Double, b: Tensor) -> Tensor { b + a }

  public static func - (a: Tensor, b: Double) -> Tensor {
    let out = scalarArithmetic(a, b, scalarFirst: false, SubtractKernel.self)
    record("SubBackward0", out, a) { g in g }
    return out
  }
  public static func - (a: Double, b: Tensor) -> Tensor {
    let out = scalarArithmetic(b, a, scalarFirst: true, SubtractKernel.self)
    record("RsubBackward1", out, b) { g in -g }
    return out
  }

  public static func * (a: Tensor, b: Double) -> Tensor {
    let out = scalarArithmetic(a, b, scalarFirst: false, MultiplyKernel.self)
    record("MulBackward0", out, a) { g in g * b }
    return out
  }
  public static func * (a: Double, b: Tensor) -> Tensor { b * a }

  public static func / (a: Tensor, b: Double) -> Tensor {
    let out = scalarArithmetic(a, b, scalarFirst: false, DivideKernel.self, floatResult: true)
    record("DivBackward0", out, a) { g in g / b }
    return out
  }
  public static func / (a: Double, b: Tensor) -> Tensor {
    let out = scalarArithmetic(b, a, scalarFirst: true, DivideKernel.self, floatResult: true)
    if b.requiresGradFlag {
      let savedB = SavedTensor(b, op: "DivBackward0")
      // d(a / b)/db = -a / b²
      record("DivBackward0", out, b) { g in
        let denominator = savedB.value
        return -g * a / (denominator * denominator)
      }
    }
    return out
  }

  /// `torch.add(a, b, alpha:)`: a + alpha * b.
  public func add(_ other: Tensor, alpha: Double = 1) -> Tensor {
    alpha == 1 ? self + other : self + other * alpha
  }
  /// `torch.sub(a, b, alpha:)`: a − alpha * b.
  public func sub(_ other: Tensor, alpha: Double = 1) -> Tensor {
    alpha == 1 ? self - other : self - other * alpha
  }
  /// Elementwise product (`torch.mul`).
  public func mul(_ other: Tensor) -> Tensor { self * other }
  /// True division (`torch.div`).
  public func div(_ other: Tensor) -> Tensor { self / other }
  /// Negation (`torch.neg`).
  public func neg() -> Tensor { -self }
}
