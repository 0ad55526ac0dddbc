/// `LayerNorm` and `BatchNorm1d`.

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

/// `nn.BatchNorm1d` for `[N, C]` or `[N, C, L]` inputs: batch statistics while training (and
/// running averages of them), the running averages in evaluation.
public final class BatchNorm1d: Module {
  /// The number of features (channels) normalised.
  public let numFeatures: Int
  /// The value added to the variance for numerical stability.
  public let eps: Double
  /// The weight of a new batch's statistics in the running estimates.
  public let momentum: Double
  /// The learned scale, or nil without `affine`.
  public let weight: Tensor?
  /// The learned shift, or nil.
  public let bias: Tensor?
  /// The running mean used in evaluation mode (a buffer).
  public let runningMean: Tensor
  /// The running variance used in evaluation mode (a buffer).
  public let runningVar: Tensor
  /// The number of training batches seen (a buffer).
  public let numBatchesTracked: Tensor

  /// Batch normalisation over `numFeatures` channels, like `nn.BatchNorm1d`.
  public init(
    _ numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true,
    bias: Bool = true, dtype: DType = .float32
  ) {
    self.numFeatures = numFeatures
    self.eps = eps
    self.momentum = momentum
    self.weight = affine ? Tensor.ones([numFeatures], dtype: dtype, requiresGrad: true) : nil
    self.bias = affine && bias ? Tensor.zeros([numFeatures], dtype: dtype, requiresGrad: true) : nil
    self.runningMean = Tensor.zeros([numFeatures], dtype: dtype)
    self.runningVar = Tensor.ones([numFeatures], dtype: dtype)
    self.numBatchesTracked = Tensor.zeros([], dtype: .int64)
    super.init()
    registerBuffer("running_mean", runningMean)
    registerBuffer("running_var", runningVar)
    registerBuffer("num_batches_tracked", numBatchesTracked)
  }

  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in try normalized(input) }
  }

  private func normalized(_ input: Tensor) throws(OpError) -> Tensor {
    guard (input.rank == 2 || input.rank == 3), input.shape[1] == numFeatures else {
      throw OpError(
        "BatchNorm1d",
        "expected 2D or 3D input of shape [N, \(numFeatures)] or [N, \(numFeatures), L] (got input of shape \(shapeText(input.shape)))"
      )
    }
    let dims = input.rank == 2 ? [0] : [0, 2]
    // Statistics broadcast over the batch (and length) dimensions.
    let statShape = input.rank == 2 ? [1, numFeatures] : [1, numFeatures, 1]
    let mean: Tensor
    let variance: Tensor
    if training {
      let n = dims.map { input.shape[$0] }.reduce(1, *)
      guard n > 1 else {
        throw OpError(
          "BatchNorm1d",
          "Expected more than 1 value per channel when training, got input size \(shapeText(input.shape))"
        )
      }
      mean = input.mean(dims: dims, keepDim: true)
      variance = input.var(dims: dims, correction: 0, keepDim: true)
      noGrad {
        // Running statistics use the unbiased variance, as PyTorch's do.
        let unbiased = variance.detach().reshaped([numFeatures]) * (Double(n) / Double(n - 1))
        runningMean *= 1 - momentum
        runningMean += mean.detach().reshaped([numFeatures]) * momentum
        runningVar *= 1 - momentum
        runningVar += unbiased * momentum
        numBatchesTracked += 1
      }
    } else {
      mean = runningMean.reshaped(statShape)
      variance = runningVar.reshaped(statShape)
    }
    var out = (input - mean) / (variance + eps).sqrt()
    if let weight { out = out * weight.reshaped(statShape) }
    if let bias { out = out + bias.reshaped(statShape) }
    return out
  }

  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String {
    let affine = weight == nil ? "False" : "True"
    return
      "\(numFeatures), eps=\(eps), momentum=\(momentum), affine=\(affine), bias=\(bias == nil ? "False" : "True"), track_running_stats=True"
  }
}
