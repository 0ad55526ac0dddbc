/// Layers of the smooth activations (`nn.Softplus`, `nn.SiLU`, `nn.Mish`, `nn.Hardtanh`,
/// `nn.LogSigmoid`); the functions are in Ops/SmoothActivations.swift.

/// `nn.Softplus(beta:threshold:)`: log(1 + e^(βx)) / β, x where βx > threshold.
public final class Softplus: Module {
  public let beta: Double
  public let threshold: Double
  public init(beta: Double = 1, threshold: Double = 20) {
    self.beta = beta
    self.threshold = threshold
    super.init()
  }
  public override func forward(_ input: Tensor) -> Tensor {
    input.softplus(beta: beta, threshold: threshold)
  }
  public override var extraRepr: String {
    "beta=\(pythonNumber(beta)), threshold=\(pythonNumber(threshold))"
  }
}

/// `nn.SiLU`: x·σ(x).
public final class SiLU: Module {
  public override init() { super.init() }
  public override func forward(_ input: Tensor) -> Tensor { input.silu() }
}

/// `nn.Mish`: x·tanh(softplus(x)).
public final class Mish: Module {
  public override init() { super.init() }
  public override func forward(_ input: Tensor) -> Tensor { input.mish() }
}

/// `nn.Hardtanh(minVal:maxVal:)`: x limited to [minVal, maxVal]. As in PyTorch, `maxVal` must
/// be greater than `minVal`.
public final class Hardtanh: Module {
  public let minVal: Double
  public let maxVal: Double
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
  public override func forward(_ input: Tensor) -> Tensor {
    input.hardtanh(minVal: minVal, maxVal: maxVal)
  }
  public override var extraRepr: String {
    "min_val=\(pythonNumber(minVal)), max_val=\(pythonNumber(maxVal))"
  }
}

/// `nn.LogSigmoid`: log σ(x), computed stably.
public final class LogSigmoid: Module {
  public override init() { super.init() }
  public override func forward(_ input: Tensor) -> Tensor { input.logsigmoid() }
}
