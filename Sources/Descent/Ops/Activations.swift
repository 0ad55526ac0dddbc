import RealModule

/// Activation functions beyond `relu`/`sigmoid`/`tanh`: leaky ReLU, ELU and GELU, each beside
/// its backward and its kernels.

/// x for x > 0, else slope·x.
struct LeakyReluKernel: UnaryKernel {
  let slope: Double
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { x > 0 ? x : x * T(fromDouble: slope) }
}
/// g · (1 for x > 0, else slope).
struct LeakyReluBackwardKernel: BinaryKernel {
  let slope: Double
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    g * (x > 0 ? 1 : T(fromDouble: slope))
  }
}
/// x for x > 0, else α·(eˣ − 1).
struct EluKernel: UnaryKernel {
  let alpha: Double
  func callAsFunction<T: FloatScalar>(_ x: T) -> T {
    x > 0 ? x : T(fromDouble: alpha) * T.expMinusOne(x)
  }
}
/// g · (1 for x > 0, else α·eˣ).
struct EluBackwardKernel: BinaryKernel {
  let alpha: Double
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    g * (x > 0 ? 1 : T(fromDouble: alpha) * T.exp(x))
  }
}
/// x·Φ(x), or PyTorch's tanh approximation.
struct GeluKernel: UnaryKernel {
  let approximateTanh: Bool
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { geluValue(x, approximateTanh) }
}
/// g · gelu′(x).
struct GeluBackwardKernel: BinaryKernel {
  let approximateTanh: Bool
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    g * geluDerivative(x, approximateTanh)
  }
}

extension Tensor {
  /// `kernel(self)` for a float activation, recorded as `name`. Its backward is the fused
  /// kernel `derivative(g, x)`, or while the gradient is itself recorded, `formula(g, x)`: the
  /// same derivative written with differentiable ops.
  private func activation<K: UnaryKernel, D: BinaryKernel>(
    _ op: String, _ name: String, _ kernel: K, derivative: D,
    formula: @escaping (_ g: Tensor, _ x: Tensor) -> Tensor
  ) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      try requireFloat(op)
      let out = unary(self, kernel)
      let input = SavedTensor(self, op: name)
      record(name, out, self) { g in
        GradMode.isEnabled
          ? formula(g, input.value) : binary(g, input.value, to: g.shape, derivative)
      }
      return out
    }
  }

  /// x for x > 0, else `negativeSlope`·x (`leaky_relu`).
  public func leakyRelu(negativeSlope: Double = 0.01) -> Tensor {
    activation(
      "leaky_relu", "LeakyReluBackward0", LeakyReluKernel(slope: negativeSlope),
      derivative: LeakyReluBackwardKernel(slope: negativeSlope)
    ) { g, x in Tensor.where(x.gt(0), g, g * negativeSlope) }
  }

  /// x for x > 0, else α·(eˣ − 1) (`elu`).
  public func elu(alpha: Double = 1) -> Tensor {
    activation(
      "elu", "EluBackward0", EluKernel(alpha: alpha), derivative: EluBackwardKernel(alpha: alpha)
    ) { g, x in Tensor.where(x.gt(0), g, g * (x.exp() * alpha)) }
  }

  /// The Gaussian error linear unit x·Φ(x) (`gelu`); `approximateTanh` uses PyTorch's
  /// `approximate='tanh'` formula.
  public func gelu(approximateTanh: Bool = false) -> Tensor {
    activation(
      "gelu", "GeluBackward0", GeluKernel(approximateTanh: approximateTanh),
      derivative: GeluBackwardKernel(approximateTanh: approximateTanh)
    ) { g, x in g * geluDerivativeFormula(x, approximateTanh: approximateTanh) }
  }
}

// Written in small typed steps: with Tensor's operator overloads in scope, long mixed
// expressions take the type checker too long.
private func geluValue<T: FloatScalar>(_ x: T, _ approximateTanh: Bool) -> T {
  let half: T = x / 2
  if approximateTanh {
    let cube: T = x * x * x
    let k: T = T.sqrt(2 / T.pi)
    let inner: T = k * (x + 0.044715 * cube)
    return half * (1 + T.tanh(inner))
  }
  let scaled: T = x / T.sqrt(2)
  return half * (1 + T.erf(scaled))
}

private func geluDerivative<T: FloatScalar>(_ x: T, _ approximateTanh: Bool) -> T {
  let square: T = x * x
  if approximateTanh {
    let k: T = T.sqrt(2 / T.pi)
    let inner: T = k * (x + 0.044715 * square * x)
    let t: T = T.tanh(inner)
    let slope: T = k * (1 + 3 * 0.044715 * square)
    let outer: T = (1 + t) / 2
    let chain: T = (x / 2) * (1 - t * t) * slope
    return outer + chain
  }
  let scaled: T = x / T.sqrt(2)
  let cdf: T = (1 + T.erf(scaled)) / 2
  let pdf: T = T.exp(-square / 2) / T.sqrt(2 * T.pi)
  return cdf + x * pdf
}

/// gelu′(x) with differentiable ops: Φ(x) + x·φ(x), or the derivative of PyTorch's tanh form.
private func geluDerivativeFormula(_ x: Tensor, approximateTanh: Bool) -> Tensor {
  if approximateTanh {
    let k = (2 / Double.pi).squareRoot()
    let t = ((x + x * x * x * 0.044715) * k).tanh()
    let slope = (x * x * (3 * 0.044715) + 1) * k
    return (t + 1) * 0.5 + x * 0.5 * (1 - t * t) * slope
  }
  let cdf = ((x / 2.0.squareRoot()).erf() + 1) * 0.5
  let pdf = (x * x * -0.5).exp() / (2 * Double.pi).squareRoot()
  return cdf + x * pdf
}
