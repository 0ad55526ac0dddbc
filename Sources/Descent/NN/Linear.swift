/// `Linear`: the fully connected layer, y = x·Wᵀ + b (the op is `linear`, in `Ops/LinearFunction.swift`).

/// A fully connected layer, `torch.nn.Linear`: weight `[out, in]` and bias `[out]`, both from
/// U(−1/√in, 1/√in) as PyTorch initialises them (and, after `manualSeed`, the same values).
public final class Linear: Module {
  /// The number of input features.
  public let inFeatures: Int
  /// The number of output features.
  public let outFeatures: Int
  /// `[outFeatures, inFeatures]`.
  public let weight: Tensor
  /// `[outFeatures]`, or nil with `bias: false`.
  public let bias: Tensor?

  /// A layer `y = x·Wᵀ + b` from `inFeatures` to `outFeatures`, initialised as PyTorch initialises
  /// it for the same generator state.
  public init(
    _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    guard inFeatures >= 0, outFeatures >= 0 else {
      opFailure(
        "Linear",
        "in_features and out_features must be non-negative (got \(inFeatures), \(outFeatures))")
    }
    guard dtype.isFloatingPoint else {
      opFailure("Linear", "the dtype of a layer's parameters must be floating point (got \(dtype))")
    }
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    self.weight = Tensor.zeros([outFeatures, inFeatures], dtype: dtype)
    self.bias = bias ? Tensor.zeros([outFeatures], dtype: dtype) : nil
    super.init()
    resetParameters(generator: generator)
    weight.requiresGrad = true
    self.bias?.requiresGrad = true
  }

  /// PyTorch's `reset_parameters`: Kaiming-uniform with a = √5 for the weight, which is
  /// U(−1/√in, 1/√in), then the bias from the same range; the weight is drawn first.
  public func resetParameters(generator: Generator? = nil) {
    noGrad {
      kaimingUniform_(weight, a: 5.0.squareRoot(), generator: generator)
      if let bias {
        let bound = inFeatures > 0 ? 1 / Double(inFeatures).squareRoot() : 0
        bias.uniform_(-bound, bound, generator: generator)
      }
    }
  }

  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { linear(input, weight, bias) }

  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String {
    "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
  }
}
