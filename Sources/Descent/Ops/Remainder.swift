/// Remainders: `%` / `remainder` with Python's sign rule (the divisor's sign) and `fmod` with
/// C's (the dividend's), on float and int64 tensors, beside their backward. An integer zero
/// divisor stops with PyTorch's `ZeroDivisionError` before any kernel runs.

/// a − b·⌊a/b⌋, computed as PyTorch does: fmod, then the divisor added when the signs differ.
struct RemainderKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T {
    let r = T.truncatingRemainder(a, b)
    return r != .zero && (r < .zero) != (b < .zero) ? T.add(r, b) : r
  }
}

/// a − b·trunc(a/b) (C's `fmod`).
struct FmodKernel: NumericBinaryKernel {
  @inline(__always) func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T {
    T.truncatingRemainder(a, b)
  }
}

extension Tensor {
  /// The remainder with the divisor's sign, as Python's `%` (`torch.remainder`):
  /// `-7 % 3 == 2`, `7 % -3 == -2`. Broadcasts; int64 stays int64.
  public static func % (a: Tensor, b: Tensor) -> Tensor { a.remainder(b) }
  /// `tensor % number` (`torch.remainder`).
  public static func % (a: Tensor, b: Double) -> Tensor { a.remainder(b) }
  /// `number % tensor` (`torch.remainder(number, tensor)`).
  public static func % (a: Double, b: Tensor) -> Tensor { b.comparand(a).remainder(b) }

  /// The remainder with the divisor's sign (`remainder`); see `%`.
  public func remainder(_ other: Tensor) -> Tensor {
    divisionRemainder(other, RemainderKernel(), "remainder", "RemainderBackward1") { a, b in
      (a / b).floor()
    }
  }

  /// The remainder with the divisor's sign, of a number (`remainder(scalar)`).
  public func remainder(_ divisor: Double) -> Tensor {
    scalarRemainder(divisor, RemainderKernel(), "remainder", "RemainderBackward0")
  }

  /// The remainder with the dividend's sign, as C's `fmod` (`torch.fmod`): `fmod(-7, 3) == -1`.
  public func fmod(_ other: Tensor) -> Tensor {
    divisionRemainder(other, FmodKernel(), "fmod", "FmodBackward1") { a, b in (a / b).trunc() }
  }

  /// The remainder with the dividend's sign, of a number (`fmod(scalar)`).
  public func fmod(_ divisor: Double) -> Tensor {
    scalarRemainder(divisor, FmodKernel(), "fmod", "FmodBackward0")
  }

  /// `kernel(self, other)` with broadcasting; the gradient is g for the dividend and
  /// −g·quotient(a, b) for the divisor.
  private func divisionRemainder<K: NumericBinaryKernel>(
    _ other: Tensor, _ kernel: K, _ op: String, _ name: String,
    quotient: @escaping (Tensor, Tensor) -> Tensor
  ) -> Tensor {
    Tensor.op(self, other) { () throws(OpError) in
      guard dtype != .bool || other.dtype != .bool else {
        throw OpError(
          op,
          "\"\(op)_cpu\" not implemented for 'Bool' (shapes \(shapeText(shape)) and \(shapeText(other.shape))). Convert first: to(.int64)."
        )
      }
      if !resultType(self, other).isFloatingPoint && other.eq(0).any() {
        throw Tensor.zeroDivision(op, divisor: other.shape, dividend: shape)
      }
      let out = try binary(self, other, kernel, op: op, floatResult: false)
      guard requiresGradFlag || other.requiresGradFlag else { return out }
      let savedA = SavedTensor(self, op: name)
      let savedB = SavedTensor(other, op: name)
      record(name, out, self, other) { [self] g in
        (
          Tensor.unbroadcast(g, to: self),
          other.requiresGradFlag
            ? Tensor.unbroadcast(-g * quotient(savedA.value, savedB.value), to: other) : nil
        )
      }
      return out
    }
  }

  private func scalarRemainder<K: NumericBinaryKernel>(
    _ divisor: Double, _ kernel: K, _ op: String, _ name: String
  ) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let type = DType.promote(dtype, scalarIsFloatingPoint: divisor.rounded() != divisor)
      if !type.isFloatingPoint && divisor == 0 {
        throw Tensor.zeroDivision(op, divisor: [], dividend: shape)
      }
      let out = binary(self, scalar: divisor, kernel)
      record(name, out, self) { g in g }
      return out
    }
  }

  static func zeroDivision(_ op: String, divisor: [Int], dividend: [Int]) -> OpError {
    OpError(
      op,
      "ZeroDivisionError: integer \(op) by zero (dividend \(shapeText(dividend)), divisor \(shapeText(divisor))). Integer tensors have no NaN; check the divisor, or convert to a float dtype first."
    )
  }
}
