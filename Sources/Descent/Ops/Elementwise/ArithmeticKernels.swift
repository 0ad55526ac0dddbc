/// The kernels of arithmetic, comparison and the in-place updates built from them, defined
/// on every numeric dtype. Each follows PyTorch's CPU kernel term by term (`x + s·a`, with the
/// scalar rounded to the tensor's dtype first), without fused multiply-adds.

struct AddKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { T.add(a, b) }
}
struct SubtractKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T {
    T.subtract(a, b)
  }
}
struct MultiplyKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T {
    T.multiply(a, b)
  }
}
struct DivideKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { T.divide(a, b) }
}
/// The larger of two values; NaN wins, as in `torch.maximum`.
struct MaximumKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T {
    a != a ? a : (b != b ? b : (a >= b ? a : b))
  }
}
/// The smaller of two values; NaN wins, as in `torch.minimum`.
struct MinimumKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T {
    a != a ? a : (b != b ? b : (a <= b ? a : b))
  }
}
/// The second operand: what `copy_` writes.
struct AssignKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { b }
}

/// `a + alpha·b` (`add(other, alpha=)`).
struct AddScaledKernel: NumericBinaryKernel {
  let alpha: Double
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T {
    T.add(a, T.multiply(T(fromDouble: alpha), b))
  }
}
/// `(s·a)·b`: the product term of `addcmul`.
struct ScaledProductKernel: BinaryKernel {
  let scale: Double
  @inline(__always) func callAsFunction<T: FloatScalar>(_ a: T, _ b: T) -> T {
    T(fromDouble: scale) * a * b
  }
}
/// `(s·a)/b`: the quotient term of `addcdiv`.
struct ScaledQuotientKernel: BinaryKernel {
  let scale: Double
  @inline(__always) func callAsFunction<T: FloatScalar>(_ a: T, _ b: T) -> T {
    T(fromDouble: scale) * a / b
  }
}
/// `a + w·(b − a)`, PyTorch's two-sided form: exact at both ends (w = 0 gives a, w = 1 gives b).
struct LerpKernel: BinaryKernel {
  let weight: Double
  @inline(__always) func callAsFunction<T: FloatScalar>(_ a: T, _ b: T) -> T {
    let w = T(fromDouble: weight)
    return Swift.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
  }
}

struct EqualKernel: NumericBinaryKernel {
  func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { truth(a == b) }
}
struct NotEqualKernel: NumericBinaryKernel {
  func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { truth(a != b) }
}
struct LessKernel: NumericBinaryKernel {
  func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { truth(a < b) }
}
struct LessEqualKernel: NumericBinaryKernel {
  func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { truth(a <= b) }
}
struct GreaterKernel: NumericBinaryKernel {
  func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { truth(a > b) }
}
struct GreaterEqualKernel: NumericBinaryKernel {
  func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T { truth(a >= b) }
}
