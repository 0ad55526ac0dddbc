/// Telling special float values apart: `isnan`, `isinf`, `isfinite`, `nanToNum`, and the
/// closeness tests `isclose` / `allclose`. Integral and bool values are always finite.

/// A yes-or-no question about one float element.
protocol FloatPredicate {
  func callAsFunction<T: FloatScalar>(_ x: T) -> Bool
}
struct IsNanPredicate: FloatPredicate {
  func callAsFunction<T: FloatScalar>(_ x: T) -> Bool { x.isNaN }
}
struct IsInfPredicate: FloatPredicate {
  let sign: FloatingPointSign?
  func callAsFunction<T: FloatScalar>(_ x: T) -> Bool {
    x.isInfinite && (sign == nil || x.sign == sign)
  }
}
struct IsFinitePredicate: FloatPredicate {
  func callAsFunction<T: FloatScalar>(_ x: T) -> Bool { x.isFinite }
}

/// NaN, +inf and −inf replaced; nil bounds stand for the dtype's largest finite values.
struct NanToNumKernel: UnaryKernel {
  let nan: Double
  let posinf: Double?
  let neginf: Double?
  func callAsFunction<T: FloatScalar>(_ x: T) -> T {
    if x.isNaN { return T(fromDouble: nan) }
    if x == .infinity { return posinf.map { T(fromDouble: $0) } ?? .greatestFiniteMagnitude }
    if x == -.infinity { return neginf.map { T(fromDouble: $0) } ?? -.greatestFiniteMagnitude }
    return x
  }
}

/// 1 where a and b are equal, both NaN (with `equalNan`), or finitely within
/// atol + rtol·|b| of each other (PyTorch's `isclose`).
struct IsCloseKernel: NumericBinaryKernel {
  let rtol: Double
  let atol: Double
  let equalNan: Bool
  func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T {
    if a == b || (equalNan && a != a && b != b) { return .one }
    let difference = T.subtract(a, b)
    let error = difference < .zero ? T.negate(difference) : difference
    let scaled = T.multiply(T(fromDouble: rtol), b)
    let allowed = T.add(T(fromDouble: atol), scaled < .zero ? T.negate(scaled) : scaled)
    // error − error is 0 only for a finite error.
    return truth(T.subtract(error, error) == .zero && error <= allowed)
  }
}

private struct PredicateMap<P: FloatPredicate>: FloatRoutine {
  let x: Tensor
  let predicate: P
  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    mapUnary(x, T.self, Bool.self) { predicate($0) }
  }
}

extension Tensor {
  /// True where an element is NaN (`isnan`).
  public func isnan() -> Tensor { classified(IsNanPredicate(), whole: false) }
  /// True where an element is +inf or −inf (`isinf`).
  public func isinf() -> Tensor { classified(IsInfPredicate(sign: nil), whole: false) }
  /// True where an element is +inf (`isposinf`).
  public func isposinf() -> Tensor { classified(IsInfPredicate(sign: .plus), whole: false) }
  /// True where an element is −inf (`isneginf`).
  public func isneginf() -> Tensor { classified(IsInfPredicate(sign: .minus), whole: false) }
  /// True where an element is neither NaN nor infinite (`isfinite`).
  public func isfinite() -> Tensor { classified(IsFinitePredicate(), whole: true) }

  /// A bool tensor of `predicate` per element; integral elements all answer `whole`.
  private func classified<P: FloatPredicate>(_ predicate: P, whole: Bool) -> Tensor {
    Tensor.op(self) {
      guard dtype.isFloatingPoint else { return Tensor.full(shape, whole ? 1 : 0, dtype: .bool) }
      return dtype.dispatchFloat(PredicateMap(x: self, predicate: predicate))
    }
  }

  /// NaN replaced by `nan`, +inf by `posinf` and −inf by `neginf` (`nan_to_num`); nil
  /// infinities become the dtype's largest finite values. Integral tensors are returned as a
  /// copy. The gradient flows where the element was finite.
  public func nanToNum(nan: Double = 0, posinf: Double? = nil, neginf: Double? = nil) -> Tensor {
    Tensor.op(self) {
      guard dtype.isFloatingPoint else { return copyData() }
      let out = unary(self, NanToNumKernel(nan: nan, posinf: posinf, neginf: neginf))
      guard requiresGradFlag else { return out }
      let input = SavedTensor(self, op: "NanToNumBackward0")
      record("NanToNumBackward0", out, self) { g in
        Tensor.where(input.value.isfinite(), g, Tensor.zeros([], dtype: g.dtype))
      }
      return out
    }
  }

  /// True where this tensor and `other` (broadcast) are close: equal, or finitely within
  /// `atol + rtol·|other|` (`isclose`). NaNs are equal only with `equalNan`. The dtypes must
  /// match; integral tensors compare in float32, as in PyTorch.
  public func isclose(
    _ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNan: Bool = false
  ) -> Tensor {
    Tensor.op(self, other) { () throws(OpError) in
      try closeness(other, rtol: rtol, atol: atol, equalNan: equalNan, op: "isclose")
    }
  }

  /// True when every pair of elements is close (`allclose`), as a Swift Bool; see `isclose`.
  public func allclose(
    _ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNan: Bool = false
  ) -> Bool {
    Tensor.op([self, other], placeholder: false) { () throws(OpError) in
      try closeness(other, rtol: rtol, atol: atol, equalNan: equalNan, op: "allclose").all()
    }
  }

  private func closeness(
    _ other: Tensor, rtol: Double, atol: Double, equalNan: Bool, op: String
  ) throws(OpError) -> Tensor {
    guard dtype == other.dtype else {
      throw OpError(
        op,
        "\(dtype.scalarTypeName) did not match \(other.dtype.scalarTypeName) (shapes \(shapeText(shape)) and \(shapeText(other.shape))). Convert one with to(_:)."
      )
    }
    let kernel = IsCloseKernel(rtol: rtol, atol: atol, equalNan: equalNan)
    if dtype.isFloatingPoint { return try compare(self, other, kernel, op: op) }
    return try compare(converted(to: .float32), other.converted(to: .float32), kernel, op: op)
  }
}
