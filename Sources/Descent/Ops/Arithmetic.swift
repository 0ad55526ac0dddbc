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

  /// `kernel(a, b)` with PyTorch's dtype rules for arithmetic: two bool tensors stay bool
  /// (`+` and `maximum` are "or", `*` and `minimum` "and", `-` is refused); otherwise bool
  /// computes as int64 and `floatResult` (true division) forces a float.
  static func arithmetic<K: NumericBinaryKernel>(
    _ a: Tensor, _ b: Tensor, _ kernel: K, op: String, floatResult: Bool = false
  ) throws(OpError) -> Tensor {
    if a.dtype == .bool && b.dtype == .bool && !floatResult {
      switch kernel {
      case is AddKernel, is MaximumKernel: return try a.logicalOr(checked: b)
      case is MultiplyKernel, is MinimumKernel: return try a.logicalAnd(checked: b)
      default:
        throw OpError(
          op,
          "Subtraction, the `-` operator, with two bool tensors is not supported (shapes \(shapeText(a.shape)) and \(shapeText(b.shape))). Use logicalXor-style logic or convert with to(.int64) first."
        )
      }
    }
    return try binary(a, b, kernel, op: op, floatResult: floatResult)
  }

  /// Elementwise sum, broadcasting the shapes (`torch.add`).
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    op(a, b) { () throws(OpError) in
      let out = try arithmetic(a, b, AddKernel(), op: "add")
      record("AddBackward0", out, a, b) { g in (unbroadcast(g, to: a), unbroadcast(g, to: b)) }
      return out
    }
  }

  /// Elementwise difference, broadcasting the shapes (`torch.sub`).
  public static func - (a: Tensor, b: Tensor) -> Tensor {
    op(a, b) { () throws(OpError) in
      let out = try arithmetic(a, b, SubtractKernel(), op: "sub")
      record("SubBackward0", out, a, b) { g in
        (unbroadcast(g, to: a), b.requiresGradFlag ? unbroadcast(-g, to: b) : nil)
      }
      return out
    }
  }

  /// Elementwise product, broadcasting the shapes (`torch.mul`).
  public static func * (a: Tensor, b: Tensor) -> Tensor {
    op(a, b) { () throws(OpError) in
      let out = try arithmetic(a, b, MultiplyKernel(), op: "mul")
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
  }

  /// True division: integer operands give float32, as in PyTorch.
  public static func / (a: Tensor, b: Tensor) -> Tensor {
    op(a, b) { () throws(OpError) in
      let out = try arithmetic(a, b, DivideKernel(), op: "div", floatResult: true)
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
  }

  /// Elementwise negation (`torch.neg`).
  public static prefix func - (a: Tensor) -> Tensor {
    op(a) { () throws(OpError) in
      guard a.dtype != .bool else {
        throw OpError(
          "neg",
          "Negation, the `-` operator, on a bool tensor is not supported (shape \(shapeText(a.shape))). Use logicalNot() instead."
        )
      }
      let out = binary(a, scalar: -1, MultiplyKernel())
      record("NegBackward0", out, a) { g in -g }
      return out
    }
  }

  // Tensor and Swift number. A whole number keeps an int64 tensor int64; a fraction makes it
  // float32 (PyTorch's rule for Python scalars).

  /// Adds a scalar to every element; the tensor's dtype is kept as PyTorch keeps it.
  public static func + (a: Tensor, b: Double) -> Tensor {
    op(a) {
      let out = binary(a, scalar: b, AddKernel())
      record("AddBackward0", out, a) { g in g }
      return out
    }
  }
  /// Adds a scalar to every element.
  public static func + (a: Double, b: Tensor) -> Tensor { b + a }

  /// Subtracts a scalar from every element.
  public static func - (a: Tensor, b: Double) -> Tensor {
    op(a) {
      let out = binary(a, scalar: b, SubtractKernel())
      record("SubBackward0", out, a) { g in g }
      return out
    }
  }
  /// Subtracts every element from a scalar.
  public static func - (a: Double, b: Tensor) -> Tensor {
    op(b) {
      let out = binary(b, scalar: a, scalarFirst: true, SubtractKernel())
      record("RsubBackward1", out, b) { g in -g }
      return out
    }
  }

  /// Multiplies every element by a scalar.
  public static func * (a: Tensor, b: Double) -> Tensor {
    op(a) {
      let out = binary(a, scalar: b, MultiplyKernel())
      record("MulBackward0", out, a) { g in g * b }
      return out
    }
  }
  /// Multiplies every element by a scalar.
  public static func * (a: Double, b: Tensor) -> Tensor { b * a }

  /// Divides every element by a scalar (true division).
  public static func / (a: Tensor, b: Double) -> Tensor {
    op(a) {
      let out = binary(a, scalar: b, DivideKernel(), floatResult: true)
      record("DivBackward0", out, a) { g in g / b }
      return out
    }
  }
  /// Divides a scalar by every element (true division).
  public static func / (a: Double, b: Tensor) -> Tensor {
    op(b) {
      let out = binary(b, scalar: a, scalarFirst: true, DivideKernel(), floatResult: true)
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
