import RealModule

/// Smooth activations and their relatives: softplus, SiLU (swish), Mish, hardtanh and
/// log-sigmoid, each beside its backward (a differentiable formula while a graph of the
/// gradient is recorded, PyTorch's fused kernel otherwise), as Tensor methods and as free
/// functions like `relu(_:)`. The layers are in NN/SmoothActivationLayers.swift.

/// log(1 + e^(βx)) / β, or x where βx > threshold (PyTorch's switch to the identity).
struct SoftplusKernel: UnaryKernel {
  let beta: Double
  let threshold: Double
  func callAsFunction<T: FloatScalar>(_ x: T) -> T {
    let scaled = x * T(fromDouble: beta)
    return scaled > T(fromDouble: threshold)
      ? x : T.log(onePlus: T.exp(scaled)) / T(fromDouble: beta)
  }
}
/// g · e^(βx) / (e^(βx) + 1), or g where βx > threshold.
struct SoftplusBackwardKernel: BinaryKernel {
  let beta: Double
  let threshold: Double
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    let scaled = x * T(fromDouble: beta)
    if scaled > T(fromDouble: threshold) { return g }
    let z = T.exp(scaled)
    return g * z / (z + 1)
  }
}
/// x·σ(x).
struct SiluKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { x / (1 + T.exp(-x)) }
}
/// g · σ(x)·(1 + x·(1 − σ(x))).
struct SiluBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    let s: T = 1 / (1 + T.exp(-x))
    return g * s * (1 + x * (1 - s))
  }
}
/// x·tanh(log(1 + eˣ)).
struct MishKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { x * T.tanh(T.log(onePlus: T.exp(x))) }
}
/// g · (tanh(sp) + x·σ(x)·(1 − tanh²(sp))), sp = log(1 + eˣ).
struct MishBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    let s: T = 1 / (1 + T.exp(-x))
    let t: T = T.tanh(T.log(onePlus: T.exp(x)))
    return g * (t + x * s * (1 - t * t))
  }
}
/// x limited to [minVal, maxVal], on int64 too.
struct HardtanhKernel: NumericUnaryKernel {
  let minVal: Double
  let maxVal: Double
  func callAsFunction<T: NumericScalar>(_ x: T) -> T {
    let (lower, upper) = (T(fromDouble: minVal), T(fromDouble: maxVal))
    return x < lower ? lower : (x > upper ? upper : x)
  }
}
/// g where minVal < x < maxVal, else 0: a select (NaN lets the gradient through, as PyTorch).
struct HardtanhBackwardKernel: BinaryKernel {
  let minVal: Double
  let maxVal: Double
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    x <= T(fromDouble: minVal) || x >= T(fromDouble: maxVal) ? 0 : g
  }
}
/// log σ(x) = min(x, 0) − log(1 + e^−|x|), PyTorch's `log_sigmoid`: never overflows, and
/// keeps full precision for large |x| where log(sigmoid(x)) would round to 0 or −inf.
struct LogSigmoidKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T {
    Swift.min(x, 0) - T.log(onePlus: T.exp(-Swift.abs(x)))
  }
}
/// g · σ(−x), as PyTorch writes it: g·(1 − z/(1 + z)) for x < 0, g·z/(1 + z) otherwise,
/// z = e^−|x|.
struct LogSigmoidBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    let z = T.exp(-Swift.abs(x))
    return x < 0 ? g * (1 - z / (1 + z)) : g * (z / (1 + z))
  }
}

extension Tensor {
  /// log(1 + e^(βx)) / β, a smooth ReLU (`F.softplus`); where βx > `threshold` it is x.
  public func softplus(beta: Double = 1, threshold: Double = 20) -> Tensor {
    smooth(
      "softplus", "SoftplusBackward0", SoftplusKernel(beta: beta, threshold: threshold),
      fused: SoftplusBackwardKernel(beta: beta, threshold: threshold)
    ) { g, x in
      Tensor.where((x * beta).gt(threshold), g, g * (x * beta).sigmoid())
    }
  }

  /// x·σ(x), the sigmoid-weighted linear unit or swish (`F.silu`).
  public func silu() -> Tensor {
    smooth("silu", "SiluBackward0", SiluKernel(), fused: SiluBackwardKernel()) { g, x in
      let s = x.sigmoid()
      return g * s * (1 + x * (1 - s))
    }
  }

  /// x·tanh(softplus(x)) (`F.mish`).
  public func mish() -> Tensor {
    smooth("mish", "MishBackward0", MishKernel(), fused: MishBackwardKernel()) { g, x in
      let t = x.softplus().tanh()
      return g * (t + x * x.sigmoid() * (1 - t * t))
    }
  }

  /// log σ(x), computed stably (`F.logsigmoid`).
  public func logsigmoid() -> Tensor {
    smooth(
      "log_sigmoid", "LogSigmoidBackward0", LogSigmoidKernel(), fused: LogSigmoidBackwardKernel()
    ) { g, x in g * (-x).sigmoid() }
  }

  /// x limited to [`minVal`, `maxVal`] (`F.hardtanh`); int64 tensors stay int64. The gradient
  /// is zero at and beyond the bounds.
  public func hardtanh(minVal: Double = -1, maxVal: Double = 1) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      guard minVal <= maxVal else {
        throw OpError(
          "hardtanh",
          "min_val cannot be greater than max_val (min_val \(minVal), max_val \(maxVal), shape \(shapeText(shape)))"
        )
      }
      guard dtype != .bool else {
        throw OpError(
          "hardtanh", "Bool inputs not supported for hardtanh (shape \(shapeText(shape)))")
      }
      let out = unary(self, HardtanhKernel(minVal: minVal, maxVal: maxVal))
      guard requiresGradFlag else { return out }
      let input = SavedTensor(self, op: "HardtanhBackward0")
      record("HardtanhBackward0", out, self) { g in
        let x = input.value
        if GradMode.isEnabled {
          let outside = x.le(minVal).logicalOr(x.ge(maxVal))
          return Tensor.where(outside, Tensor.zeros([], dtype: g.dtype), g)
        }
        return binary(g, x, to: g.shape, HardtanhBackwardKernel(minVal: minVal, maxVal: maxVal))
      }
      return out
    }
  }

  /// `kernel(self)` for a float activation, recorded as `name`: backward is `formula(g, x)`
  /// while a gradient graph is recorded, the fused kernel `derivative(g, x)` otherwise.
  private func smooth<K: UnaryKernel, D: BinaryKernel>(
    _ op: String, _ name: String, _ kernel: K, fused derivative: D,
    formula: @escaping (Tensor, Tensor) -> Tensor
  ) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      guard dtype.isFloatingPoint else {
        throw OpError(
          op,
          "\"\(op)_cpu\" not implemented for '\(dtype.scalarTypeName)' (shape \(shapeText(shape))). Convert first: to(.float32)."
        )
      }
      let out = unary(self, kernel)
      guard requiresGradFlag else { return out }
      let input = SavedTensor(self, op: name)
      record(name, out, self) { g in
        GradMode.isEnabled
          ? formula(g, input.value) : binary(g, input.value, to: g.shape, derivative)
      }
      return out
    }
  }
}

/// log(1 + e^(βx)) / β (`F.softplus`).
public func softplus(_ x: Tensor, beta: Double = 1, threshold: Double = 20) -> Tensor {
  x.softplus(beta: beta, threshold: threshold)
}
/// x·σ(x) (`F.silu`).
public func silu(_ x: Tensor) -> Tensor { x.silu() }
/// x·tanh(softplus(x)) (`F.mish`).
public func mish(_ x: Tensor) -> Tensor { x.mish() }
/// x limited to [minVal, maxVal] (`F.hardtanh`).
public func hardtanh(_ x: Tensor, minVal: Double = -1, maxVal: Double = 1) -> Tensor {
  x.hardtanh(minVal: minVal, maxVal: maxVal)
}
/// log σ(x) (`F.logsigmoid`).
public func logsigmoid(_ x: Tensor) -> Tensor { x.logsigmoid() }
