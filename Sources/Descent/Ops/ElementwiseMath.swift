import RealModule

/// Elementwise math (`exp log sqrt sin cos tanh sigmoid abs sign relu clamp`), each beside its
/// backward and its kernel. Integer inputs of the transcendental functions compute in float32,
/// as in PyTorch; `abs`, `sign`, `relu` and `clamp` keep integer dtypes.

struct ExpKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { T.exp(x) }
}
struct LogKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { T.log(x) }
}
struct SqrtKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { x.squareRoot() }
}
struct SinKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { T.sin(x) }
}
struct CosKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { T.cos(x) }
}
struct TanhKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { T.tanh(x) }
}
/// 1 / (1 + e^-x), which overflows harmlessly to 0 for very negative x.
struct SigmoidKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) }
}
struct AbsKernel: NumericUnaryKernel {
  func callAsFunction<T: NumericScalar>(_ x: T) -> T { x < .zero ? T.negate(x) : x }
}
struct SignKernel: NumericUnaryKernel {
  func callAsFunction<T: NumericScalar>(_ x: T) -> T {
    x > .zero ? .one : (x < .zero ? T.negate(.one) : x)
  }
}
/// max(x, 0); NaN passes through (x > 0 is false, but PyTorch's relu keeps NaN).
struct ReluKernel: NumericUnaryKernel {
  func callAsFunction<T: NumericScalar>(_ x: T) -> T { x > .zero || x != x ? x : .zero }
}
/// The gradient where the output `y` is not ≤ 0, else 0: a select, as PyTorch's
/// `threshold_backward`, so an infinite upstream gradient gives 0 (not NaN) where relu
/// clipped, and a NaN output lets the gradient through.
struct ReluBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ y: T) -> T { y <= 0 ? 0 : g }
}
/// x limited to [lower, upper]; either bound may be nil. NaN stays NaN.
struct ClampKernel: NumericUnaryKernel {
  let lower: Double?
  let upper: Double?
  func callAsFunction<T: NumericScalar>(_ x: T) -> T {
    var y = x
    if let lower, y < T(fromDouble: lower) { y = T(fromDouble: lower) }
    if let upper, y > T(fromDouble: upper) { y = T(fromDouble: upper) }
    return y
  }
}

extension Tensor {
  /// eˣ elementwise.
  public func exp() -> Tensor {
    unaryOp(ExpKernel(), "ExpBackward0", saving: .output) { g, y in g * y }
  }

  /// Natural logarithm elementwise.
  public func log() -> Tensor {
    unaryOp(LogKernel(), "LogBackward0", saving: .input) { g, x in g / x }
  }

  /// Square root elementwise.
  public func sqrt() -> Tensor {
    unaryOp(SqrtKernel(), "SqrtBackward0", saving: .output) { g, y in g / (y * 2) }
  }

  /// Sine elementwise.
  public func sin() -> Tensor {
    unaryOp(SinKernel(), "SinBackward0", saving: .input) { g, x in g * x.cos() }
  }

  /// Cosine elementwise.
  public func cos() -> Tensor {
    unaryOp(CosKernel(), "CosBackward0", saving: .input) { g, x in -(g * x.sin()) }
  }

  /// Hyperbolic tangent elementwise.
  public func tanh() -> Tensor {
    unaryOp(TanhKernel(), "TanhBackward0", saving: .output) { g, y in g * (1 - y * y) }
  }

  /// The logistic function 1 / (1 + e⁻ˣ) elementwise.
  public func sigmoid() -> Tensor {
    unaryOp(SigmoidKernel(), "SigmoidBackward0", saving: .output) { g, y in g * y * (1 - y) }
  }

  /// |x| elementwise; keeps integer dtypes.
  public func abs() -> Tensor {
    Tensor.op(self) {
      let out = unary(self, AbsKernel())
      let input = SavedTensor(self, op: "AbsBackward0")
      record("AbsBackward0", out, self) { g in g * input.value.sign().converted(to: g.dtype) }
      return out
    }
  }

  /// −1, 0 or 1 by the sign of each element (`sign`).
  public func sign() -> Tensor {
    Tensor.op(self) {
      let out = unary(self, SignKernel())
      record("SignBackward0", out, self) { g in g * 0 }
      return out
    }
  }

  /// max(x, 0) elementwise; keeps integer dtypes.
  public func relu() -> Tensor {
    Tensor.op(self) {
      let out = unary(self, ReluKernel())
      let result = SavedTensor(output: out, op: "ReluBackward0")
      record("ReluBackward0", out, self) { g in
        guard GradMode.isEnabled else {
          return binary(g, result.value, to: g.shape, ReluBackwardKernel())
        }
        let y = result.value
        return Tensor.where(y.le(0), Tensor.zeros([], dtype: g.dtype), g)
      }
      return out
    }
  }

  /// Limits every element to `[min, max]` (`clamp`); either bound may be nil. The gradient
  /// flows only where the input lies strictly inside the bounds: PyTorch (2.15) gives an input
  /// equal to a number bound a zero gradient.
  public func clamp(min lower: Double? = nil, max upper: Double? = nil) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      guard lower != nil || upper != nil else {
        throw OpError("clamp", "At least one of 'min' or 'max' must not be None")
      }
      let wholeBounds = [lower, upper].allSatisfy { $0 == nil || $0!.rounded() == $0! }
      let type: DType = dtype.isFloatingPoint ? dtype : (wholeBounds ? .int64 : .float32)
      let out = unary(converted(to: type), ClampKernel(lower: lower, upper: upper))
      let name =
        upper == nil
        ? "ClampMinBackward0" : (lower == nil ? "ClampMaxBackward0" : "ClampBackward1")
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
  }

  /// `kernel` on every element, recorded as `name`, whose backward is `derivative(g, saved)`
  /// of the saved input or output (`saving`), as the derivative is best written.
  private func unaryOp<K: UnaryKernel>(
    _ kernel: K, _ name: String, saving: SavedOperand,
    _ derivative: @escaping (_ g: Tensor, _ saved: Tensor) -> Tensor
  ) -> Tensor {
    Tensor.op(self) {
      let out = unary(self, kernel)
      let saved =
        saving == .input ? SavedTensor(self, op: name) : SavedTensor(output: out, op: name)
      record(name, out, self) { g in derivative(g, saved.value) }
      return out
    }
  }

  /// `clamp(min:)` (`clamp_min`).
  public func clampMin(_ lower: Double) -> Tensor { clamp(min: lower) }
  /// `clamp(max:)` (`clamp_max`).
  public func clampMax(_ upper: Double) -> Tensor { clamp(max: upper) }
}

/// Which tensor a unary op's backward reads: its input or its output.
private enum SavedOperand { case input, output }
