/// Activation layers and their functional forms (`torch.nn.ReLU`, `torch.nn.functional.relu`…).

/// max(x, 0) (`F.relu`).
public func relu(_ x: Tensor) -> Tensor { x.relu() }
/// 1 / (1 + e⁻ˣ) (`torch.sigmoid`).
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
/// Hyperbolic tangent (`torch.tanh`).
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
/// Leaky ReLU (`F.leaky_relu`).
public func leakyRelu(_ x: Tensor, negativeSlope: Double = 0.01) -> Tensor {
  x.leakyRelu(negativeSlope: negativeSlope)
}
/// ELU (`F.elu`).
public func elu(_ x: Tensor, alpha: Double = 1) -> Tensor { x.elu(alpha: alpha) }
/// GELU (`F.gelu`); `approximateTanh` is PyTorch's `approximate='tanh'`.
public func gelu(_ x: Tensor, approximateTanh: Bool = false) -> Tensor {
  x.gelu(approximateTanh: approximateTanh)
}
/// Softmax along `dim` (`F.softmax`).
public func softmax(_ x: Tensor, dim: Int) -> Tensor { x.softmax(dim: dim) }
/// Log-softmax along `dim` (`F.log_softmax`).
public func logSoftmax(_ x: Tensor, dim: Int) -> Tensor { x.logSoftmax(dim: dim) }

/// `nn.ReLU`.
public final class ReLU: Module {
  /// Creates the layer; it has no parameters.
  public override init() { super.init() }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// `nn.LeakyReLU`.
public final class LeakyReLU: Module {
  /// The slope for negative inputs (`negative_slope`).
  public let negativeSlope: Double
  /// A leaky ReLU with `negativeSlope` for negative inputs.
  public init(negativeSlope: Double = 0.01) {
    self.negativeSlope = negativeSlope
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    input.leakyRelu(negativeSlope: negativeSlope)
  }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String { "negative_slope=\(pythonNumber(negativeSlope))" }
}

/// `nn.ELU`.
public final class ELU: Module {
  /// The scale of the negative part, `alpha · (exp(x) − 1)`.
  public let alpha: Double
  /// An ELU with the given `alpha`.
  public init(alpha: Double = 1) {
    self.alpha = alpha
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.elu(alpha: alpha) }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String { "alpha=\(pythonNumber(alpha))" }
}

/// `nn.GELU`.
public final class GELU: Module {
  /// Whether the tanh approximation is used (`approximate='tanh'`).
  public let approximateTanh: Bool
  /// A GELU, exact (erf) or with the tanh approximation.
  public init(approximateTanh: Bool = false) {
    self.approximateTanh = approximateTanh
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    input.gelu(approximateTanh: approximateTanh)
  }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String { "approximate='\(approximateTanh ? "tanh" : "none")'" }
}

/// `nn.Sigmoid`.
public final class Sigmoid: Module {
  /// Creates the layer; it has no parameters.
  public override init() { super.init() }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// `nn.Tanh`.
public final class Tanh: Module {
  /// Creates the layer; it has no parameters.
  public override init() { super.init() }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// `nn.Softmax(dim:)`.
public final class Softmax: Module {
  /// The dimension the softmax runs along.
  public let dim: Int
  /// A softmax along `dim`.
  public init(dim: Int) {
    self.dim = dim
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.softmax(dim: dim) }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String { "dim=\(dim)" }
}

/// `nn.LogSoftmax(dim:)`.
public final class LogSoftmax: Module {
  /// The dimension the log-softmax runs along.
  public let dim: Int
  /// A log-softmax along `dim`.
  public init(dim: Int) {
    self.dim = dim
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input.logSoftmax(dim: dim) }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String { "dim=\(dim)" }
}

/// A Double as Python prints it in a repr: `0.01`, `1.0`, `1e-05`.
func pythonNumber(_ value: Double) -> String {
  if value == value.rounded() && Swift.abs(value) < 1e16 { return String(format: "%.1f", value) }
  let text = "\(value)"
  // Swift writes 1e-05 as "1e-05" already; Python agrees for the usual hyper-parameters.
  return text
}
