/// `LayerNorm` (batch normalisation is in BatchNorm.swift).

/// Normalises over the last dimensions given by `normalizedShape`, then scales and shifts
/// (`F.layer_norm`).
public func layerNorm(
  _ input: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
  eps: Double = 1e-5
) -> Tensor {
  Tensor.op([input] + [weight, bias].compactMap { $0 }) { () throws(OpError) in
    try checkedLayerNorm(input, normalizedShape, weight, bias, eps)
  }
}

private func checkedLayerNorm(
  _ input: Tensor, _ normalizedShape: [Int], _ weight: Tensor?, _ bias: Tensor?, _ eps: Double
) throws(OpError) -> Tensor {
  guard input.rank >= normalizedShape.count,
    Array(input.shape.suffix(normalizedShape.count)) == normalizedShape
  else {
    throw OpError(
      "layer_norm",
      "Given normalized_shape=\(shapeText(normalizedShape)), expected input with shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], but got input of size \(shapeText(input.shape))"
    )
  }
  let dims = Array((input.rank - normalizedShape.count)..<input.rank)
  let mean = input.mean(dims: dims, keepDim: true)
  let variance = input.var(dims: dims, correction: 0, keepDim: true)
  var out = (input - mean) / (variance + eps).sqrt()
  if let weight { out = out * weight }
  if let bias { out = out + bias }
  return out
}

/// `nn.LayerNorm`: learnable `weight` (ones) and `bias` (zeros) of `normalizedShape`.
public final class LayerNorm: Module {
  /// The trailing shape normalised over.
  public let normalizedShape: [Int]
  /// The value added to the variance for numerical stability.
  public let eps: Double
  /// The learned scale, or nil without `elementwiseAffine`.
  public let weight: Tensor?
  /// The learned shift, or nil without it.
  public let bias: Tensor?

  /// Layer normalisation over the trailing `normalizedShape`, like `nn.LayerNorm`.
  public init(
    _ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
    dtype: DType = .float32
  ) {
    self.normalizedShape = normalizedShape
    self.eps = eps
    self.weight =
      elementwiseAffine ? Tensor.ones(normalizedShape, dtype: dtype, requiresGrad: true) : nil
    self.bias =
      elementwiseAffine && bias
      ? Tensor.zeros(normalizedShape, dtype: dtype, requiresGrad: true) : nil
    super.init()
  }

  /// Layer normalisation over a last dimension of `size`.
  public convenience init(_ size: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true) {
    self.init([size], eps: eps, elementwiseAffine: elementwiseAffine)
  }

  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    layerNorm(input, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
  }

  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String {
    let shape =
      "(" + normalizedShape.map(String.init).joined(separator: ", ")
      + (normalizedShape.count == 1 ? ",)" : ")")
    let affine = weight == nil ? "False" : "True"
    return
      "\(shape), eps=\(eps), elementwise_affine=\(affine), bias=\(bias == nil ? "False" : "True")"
  }
}
