import RealModule

/// Elementwise functions that keep precision where the obvious formula loses it (`log1p`,
/// `expm1`), the error function, and reciprocals (`rsqrt`, `reciprocal`), each beside its
/// backward: a differentiable formula while a graph of the gradient is recorded, a fused
/// kernel otherwise. Integral inputs compute in float32, as in PyTorch.

struct Log1pKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { T.log(onePlus: x) }
}
/// g / (1 + x).
struct Log1pBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T { g / (x + 1) }
}
struct Expm1Kernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { T.expMinusOne(x) }
}
/// g · (y + 1), y = eˣ − 1.
struct Expm1BackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ y: T) -> T { g * (y + 1) }
}
struct ErfKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { T.erf(x) }
}
/// g · 2/√π · e^(−x²).
struct ErfBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ x: T) -> T {
    let slope: T = 2 / T.sqrt(T.pi)
    return g * slope * T.exp(-(x * x))
  }
}
struct RsqrtKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { 1 / x.squareRoot() }
}
/// −½ · g · y³, y = 1/√x.
struct RsqrtBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ y: T) -> T { -0.5 * g * (y * y * y) }
}
struct ReciprocalKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { 1 / x }
}
/// −g · y², y = 1/x.
struct ReciprocalBackwardKernel: BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ g: T, _ y: T) -> T { -g * (y * y) }
}

extension Tensor {
  /// log(1 + x), exact for small x (`log1p`).
  public func log1p() -> Tensor {
    special(Log1pKernel(), "Log1PBackward0", fused: Log1pBackwardKernel(), fromOutput: false) {
      g, x in g / (x + 1)
    }
  }

  /// eˣ − 1, exact for small x (`expm1`).
  public func expm1() -> Tensor {
    special(Expm1Kernel(), "Expm1Backward0", fused: Expm1BackwardKernel(), fromOutput: true) {
      g, x in g * x.exp()
    }
  }

  /// The error function 2/√π ∫₀ˣ e^(−t²) dt (`erf`).
  public func erf() -> Tensor {
    special(ErfKernel(), "ErfBackward0", fused: ErfBackwardKernel(), fromOutput: false) { g, x in
      g * (-(x * x)).exp() * (2 / Double.pi.squareRoot())
    }
  }

  /// 1/√x (`rsqrt`).
  public func rsqrt() -> Tensor {
    special(RsqrtKernel(), "RsqrtBackward0", fused: RsqrtBackwardKernel(), fromOutput: true) {
      g, x in g * x.rsqrt().pow(3) * -0.5
    }
  }

  /// 1/x (`reciprocal`).
  public func reciprocal() -> Tensor {
    special(
      ReciprocalKernel(), "ReciprocalBackward0", fused: ReciprocalBackwardKernel(),
      fromOutput: true
    ) { g, x in -g * x.reciprocal().square() }
  }

  /// `kernel(self)`, recorded as `name`. Backward runs `formula(g, x)` (public ops of the
  /// saved input) while a gradient graph is recorded; otherwise the fused kernel, reading the
  /// saved output when `fromOutput` (as PyTorch's formulas do) or else the input.
  private func special<K: UnaryKernel, D: BinaryKernel>(
    _ kernel: K, _ name: String, fused: D, fromOutput: Bool,
    formula: @escaping (Tensor, Tensor) -> Tensor
  ) -> Tensor {
    Tensor.op(self) {
      let out = unary(self, kernel)
      guard requiresGradFlag else { return out }
      let input = SavedTensor(self, op: name)
      let result = fromOutput ? SavedTensor(output: out, op: name) : input
      record(name, out, self) { g in
        if GradMode.isEnabled { return formula(g, input.value) }
        return binary(g, result.value, to: g.shape, fused)
      }
      return out
    }
  }
}
