/// Layers of the smooth activations (`nn.Softplus`, `nn.SiLU`, `nn.Mish`, `nn.Hardtanh`,
/// `nn.LogSigmoid`); the functions are in Ops/SmoothActivations.swift.

/// `nn.Softplus(beta:threshold:)`: log(1 + e^(βx)) / β, x where βx > threshold.
public final class Softplus: Module {
  /// The sharpness `beta` of `log(1 + exp(beta·x)) / beta`.
  public let beta: Double
  /// Above `beta·x > threshold` the layer returns `x` itself.
  public let threshold: Double
  /// A softplus with the given `beta` and `threshold`.
  public init(beta: Double = 1, threshold: Double = 20) {
    self.beta = beta
    self.threshold = threshold
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    input.softplus(beta: beta, threshold: threshold)
  }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String {
    "beta=\(pythonNumber(beta)), threshold=\(pythonNumber(threshold))"
  }
}

/// `nn.SiLU`: x·σ(x).
public final class SiLU: Module {
  /// Creates the layer; it has no parameters.
  public override init() { super.init() }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.silu() }
}

/// `nn.Mish`: x·tanh(softplus(x)).
public final class Mish: Module {
  /// Creates the layer; it has no parameters.
  public override init() { super.init() }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.mish() }
}

/// `nn.Hardtanh(minVal:maxVal:)`: x limited to [minVal, maxVal]. As in PyTorch, `maxVal` must
/// be greater than `minVal`.
public final class Hardtanh: Module {
  /// The lower clamp.
  public let minVal: Double
  /// The upper clamp.
  public let maxVal: Double
  /// A hard tanh clamping to `minVal...maxVal`.
  public init(minVal: Double = -1, maxVal: Double = 1) {
    stopping { () throws(OpError) in
      guard maxVal > minVal else {
        throw OpError(
          "Hardtanh",
          "max_val (\(pythonNumber(maxVal))) must be greater than min_val (\(pythonNumber(minVal)))"
        )
      }
    }
    self.minVal = minVal
    self.maxVal = maxVal
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    input.hardtanh(minVal: minVal, maxVal: maxVal)
  }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String {
    "min_val=\(pythonNumber(minVal)), max_val=\(pythonNumber(maxVal))"
  }
}

/// `nn.LogSigmoid`: log σ(x), computed stably.
public final class LogSigmoid: Module {
  /// Creates the layer; it has no parameters.
  public override init() { super.init() }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.logsigmoid() }
}
