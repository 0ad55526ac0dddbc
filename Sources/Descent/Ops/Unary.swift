import RealModule

/// Elementwise math (`exp log sqrt abs sin cos tanh sigmoid relu clamp`), each beside its
/// backward. Integer inputs of the transcendental functions compute in float32, as in PyTorch.

/// An elementwise function of floating-point values, generic over float32 and float64.
protocol FloatKernel {
  static func apply<T: FloatScalar>(_ x: T) -> T
}

/// Applies `K` to every element; integral tensors are first converted to float32.
func floatMap<K: FloatKernel>(_ x: Tensor, _: K.Type) -> Tensor {
  switch x.dtype {
  case .float64: return mapUnary(x, Double.self, Double.self, K.apply)
  case .float32: return mapUnary(x, Float.self, Float.self, K.apply)
  default: return mapUnary(x.converted(to: .float32), Float.self, Float.self, K.apply)
  }
}

enum ExpKernel: FloatKernel { static func apply<T: FloatScalar>(_ x: T) -> T { T.exp(x) } }
enum LogKernel: FloatKernel { static func apply<T: FloatScalar>(_ x: T) -> T { T.log(x) } }
enum SqrtKernel: FloatKernel { static func apply<T: FloatScalar>(_ x: T) -> T { x.squareRoot() } }
enum SinKernel: FloatKernel { static func apply<T: FloatScalar>(_ x: T) -> T { T.sin(x) } }
enum CosKernel: FloatKernel { static func apply<T: FloatScalar>(_ x: T) -> T { T.cos(x) } }
enum TanhKernel: FloatKernel { static func apply<T: FloatScalar>(_ x: T) -> T { T.tanh(x) } }
enum SigmoidKernel: FloatKernel {
  // 1 / (1 + e^-x) overflows harmlessly to 0 for very negative x.
  static func apply<T: FloatScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }
}

extension Tensor {
  /// eˣ elementwise.
  public func exp() -> Tensor {
    let out = floatMap(self, ExpKernel.self)
    let result = SavedTensor(output: out, op: "ExpBackward0")
    record("ExpBackward0", out, self) { g in g * result.value }
    return out
  }

  /// Natural logarithm elementwise.
  public func log() -> Tensor {
    let out = floatMap(self, LogKernel.self)
    let input = SavedTensor(self, op: "LogBackward0")
    record("LogBackward0", out, self) { g in g / input.value }
    return out
  }

  /// Square root elementwise.
  public func sqrt() -> Tensor {
    let out = floatMap(self, SqrtKernel.self)
    let result = SavedTensor(output: out, op: "SqrtBackward0")
    record("SqrtBackward0", out, self) { g in g / (result.value * 2) }
    return out
  }

  /// Sine elementwise.
  public func sin() -> Tensor {
    let out = floatMap(self, SinKernel.self)
    let input = SavedTensor(self, op: "SinBackward0")
    record("SinBackward0", out, self) { g in g * input.value.cos() }
    return out
  }

  /// Cosine elementwise.
  public func cos() -> Tensor {
    let out = floatMap(self, CosKernel.self)
    let input = SavedTensor(self, op: "CosBackward0")
    record("CosBackward0", out, self) { g in -(g * input.value.sin()) }
    return out
  }

  /// Hyperbolic tangent elementwise.
  public func tanh() -> Tensor {
    let out = floatMap(self, TanhKernel.self)
    let result = SavedTensor(output: out, op: "TanhBackward0")
    record("TanhBackward0", out, self) { g in
      let y = result.value
      return g * (1 - y * y)
    }
    return out
  }

  /// The logistic function 1 / (1 + e⁻ˣ) elementwise.
  public func sigmoid() -> Tensor {
    let out = floatMap(self, SigmoidKernel.self)
    let result = SavedTensor(output: out, op: "SigmoidBackward0")
    record("SigmoidBackward0", out, self) { g in
      let y = result.value
      return g * y * (1 - y)
    }
    return out
  }

  /// |x| elementwise; keeps integer dtypes.
  public func abs() -> Tensor {
    let out = signedMap(self, AbsKernel.self)
    let input = SavedTensor(self, op: "AbsBackward0")
    record("AbsBackward0", out, self) { g in g * input.value.sign().converted(to: g.dtype) }
    return out
  }

  /// −1, 0 or 1 by the sign of each element (`sign`).
  public func sign() -> Tensor {
    let out = signedMap(self, SignKernel.self)
    record("SignBackward0", out, self) { g in g * 0 }
    return out
  }

  /// max(x, 0) elementwise; keeps integer dtypes.
  public func relu() -> Tensor {
    let out = signedMap(self, ReluKernel.self)
    let result = SavedTensor(output: out, op: "ReluBackward0")
    record("ReluBackward0", out, self) { g in Tensor.reluBackward(g, result.value) }
    return out
  }

  /// The gradient where the output is not ≤ 0, else 0, in one pass: a select, as PyTorch's
  /// `threshold_backward`, so an infinite upstream gradient gives 0 (not NaN) where relu
  /// clipped, and a NaN output lets the gradient through.
  private static func reluBackward(_ g: Tensor, _ y: Tensor) -> Tensor {
    let output = y.converted(to: g.dtype)
    switch g.dtype {
    case .float32:
      return mapBinary(g, output, Float.self, Float.self, op: "relu_backward") { g, y in
        y <= 0 ? 0 : g
      }
    default:
      return mapBinary(
        g.converted(to: .float64), output.converted(to: .float64), Double.self, Double.self,
        op: "relu_backward"
      ) { g, y in y <= 0 ? 0 : g }
    }
  }

  /// Limits every element to `[min, max]` (`clamp`); either bound may be nil. The gradient
  /// flows only where the input lies strictly inside the bounds: PyTorch (2.15) gives an input
  /// equal to a number bound a zero gradient.
  public func clamp(min lower: Double? = nil, max upper: Double? = nil) -> Tensor {
    guard lower != nil || upper != nil else {
      opFailure("clamp", "At least one of 'min' or 'max' must not be None")
    }
    let wholeBounds = [lower, upper].allSatisfy { $0 == nil || $0!.rounded() == $0! }
    let type: DType = dtype.isFloatingPoint ? dtype : (wholeBounds ? .int64 : .float32)
    let source = converted(to: type)
    func run<T: SignedScalar>(_: T.Type) -> Tensor {
      let lo = lower.map { T(fromDouble: $0) }
      let hi = upper.map { T(fromDouble: $0) }
      return mapUnary(source, T.self, T.self) { x in
        var y = x
        if let lo, y < lo { y = lo }
        if let hi, y > hi { y = hi }
        return y
      }
    }
    let out: Tensor
    switch type {
    case .float32: out = run(Float.self)
    case .float64: out = run(Double.self)
    default: out = run(Int64.self)
    }
    let name =
      upper == nil ? "ClampMinBackward0" : (lower == nil ? "ClampMaxBackward0" : "ClampBackward1")
    let input = SavedTensor(self, op: name)
    record(name, out, self) { g in
      var mask = Tensor.ones(input.value.shape, dtype: .bool)
      if let lower { mask = mask.logicalAnd(input.value.gt(lower)) }
      if let upper { mask = mask.logicalAnd(input.value.lt(upper)) }
      // A select, not a product: an infinite gradient stays 0 where clamp cut it off.
      return Tensor.where(mask, g, Tensor.zeros([], dtype: g.dtype))
    }
    return out
  }

  /// `clamp(min:)` (`clamp_min`).
  public func clampMin(_ lower: Double) -> Tensor { clamp(min: lower) }
  /// `clamp(max:)` (`clamp_max`).
  public func clampMax(_ upper: Double) -> Tensor { clamp(max: upper) }
}

/// Element types with a sign: float32, float64, int64.
protocol SignedScalar: NumericScalar {
  static var unit: Self { get }
  static func negate(_ x: Self) -> Self
}
extension Float: SignedScalar {
  static var unit: Float { 1 }
  static func negate(_ x: Float) -> Float { -x }
}
extension Double: SignedScalar {
  static var unit: Double { 1 }
  static func negate(_ x: Double) -> Double { -x }
}
extension Int64: SignedScalar {
  static var unit: Int64 { 1 }
  static func negate(_ x: Int64) -> Int64 { 0 &- x }
}

/// An elementwise function that keeps the dtype (bool computes as int64).
protocol SignedKernel {
  static func apply<T: SignedScalar>(_ x: T) -> T
}

func signedMap<K: SignedKernel>(_ x: Tensor, _: K.Type) -> Tensor {
  switch x.dtype {
  case .float32: return mapUnary(x, Float.self, Float.self, K.apply)
  case .float64: return mapUnary(x, Double.self, Double.self, K.apply)
  default: return mapUnary(x.converted(to: .int64), Int64.self, Int64.self, K.apply)
  }
}

enum AbsKernel: SignedKernel {
  static func apply<T: SignedScalar>(_ x: T) -> T { x < .zero ? T.negate(x) : x }
}
enum SignKernel: SignedKernel {
  static func apply<T: SignedScalar>(_ x: T) -> T {
    x > .zero ? T.unit : (x < .zero ? T.negate(T.unit) : x)
  }
}
enum ReluKernel: SignedKernel {
  // NaN passes through (x > 0 is false, but PyTorch's relu keeps NaN).
  static func apply<T: SignedScalar>(_ x: T) -> T { x > .zero || x != x ? x : .zero }
}
