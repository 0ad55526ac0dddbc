/// `TransformerEncoderLayer`, `TransformerEncoder` and `generateSquareSubsequentMask`, as
/// PyTorch builds, prints and runs them (the training path; PyTorch's inference fast path gives
/// the same values).

/// The mask that stops position i from attending to positions after it: 0 on and below the
/// diagonal, −inf above (`nn.Transformer.generate_square_subsequent_mask`).
public func generateSquareSubsequentMask(_ size: Int, dtype: DType = .float32) -> Tensor {
  Tensor.full([size, size], -Double.infinity, dtype: dtype).triu(diagonal: 1)
}

/// Self-attention then a feed-forward block, each with a residual connection and layer
/// normalisation (`torch.nn.TransformerEncoderLayer`), after the norms (post-norm) or before
/// them with `normFirst`.
///
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 128, nhead: 4, dimFeedforward: 256, batchFirst: true)
/// let y = layer(x, srcKeyPaddingMask: padding)
/// ```
public final class TransformerEncoderLayer: Module {
  /// The feed-forward block's activation.
  public enum Activation: String, Sendable { case relu, gelu }

  public let selfAttn: MultiheadAttention
  public let linear1: Linear
  public let dropout: Dropout
  public let linear2: Linear
  public let normFirst: Bool
  public let norm1: LayerNorm
  public let norm2: LayerNorm
  public let dropout1: Dropout
  public let dropout2: Dropout
  public let activation: Activation
  let layerNormEps: Double

  public init(
    dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1,
    activation: Activation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
    normFirst: Bool = false, bias: Bool = true, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    // PyTorch's order of construction, hence of the random draws.
    selfAttn = MultiheadAttention(
      dModel, nhead, dropout: dropout, bias: bias, batchFirst: batchFirst, dtype: dtype,
      generator: generator)
    linear1 = Linear(dModel, dimFeedforward, bias: bias, dtype: dtype, generator: generator)
    self.dropout = Dropout(p: dropout)
    linear2 = Linear(dimFeedforward, dModel, bias: bias, dtype: dtype, generator: generator)
    self.normFirst = normFirst
    norm1 = LayerNorm([dModel], eps: layerNormEps, bias: bias, dtype: dtype)
    norm2 = LayerNorm([dModel], eps: layerNormEps, bias: bias, dtype: dtype)
    dropout1 = Dropout(p: dropout)
    dropout2 = Dropout(p: dropout)
    self.activation = activation
    self.layerNormEps = layerNormEps
    super.init()
  }

  public override var reflectsChildren: Bool { false }
  public override func ownChildren() -> [(String, Module)] {
    [
      ("self_attn", selfAttn), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2),
      ("norm1", norm1), ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2),
    ]
  }

  /// The layer on `src` (`[S, N, E]`, `[N, S, E]` when batch first, or `[S, E]`). `srcMask`
  /// `[S, S]` or `[N·heads, S, S]` and `srcKeyPaddingMask` `[N, S]`: true (or −inf) masks.
  /// `isCausal` is a hint that `srcMask` is the causal mask.
  public func callAsFunction(
    _ src: Tensor, srcMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil,
    isCausal: Bool = false
  ) -> Tensor {
    Tensor.op([src] + [srcMask, srcKeyPaddingMask].compactMap { $0 }) { () throws(OpError) in
      try checkMaskType(srcKeyPaddingMask, "src_key_padding_mask", op: "TransformerEncoderLayer")
      try checkMaskType(srcMask, "src_mask", op: "TransformerEncoderLayer")
      var x = src
      if normFirst {
        x = x + selfAttention(norm(x, norm1), srcMask, srcKeyPaddingMask, isCausal)
        x = x + feedForward(norm(x, norm2))
      } else {
        x = norm(x + selfAttention(x, srcMask, srcKeyPaddingMask, isCausal), norm1)
        x = norm(x + feedForward(x), norm2)
      }
      return x
    }
  }

  // The labelled call: a bare `self(input)` would pick `Module`'s `callAsFunction`, which calls
  // `forward` again.
  public override func forward(_ input: Tensor) -> Tensor { self(input, srcMask: nil) }

  private func norm(_ x: Tensor, _ layer: LayerNorm) -> Tensor {
    fusedLayerNorm(x, weight: layer.weight, bias: layer.bias, eps: layer.eps)
  }

  private func selfAttention(_ x: Tensor, _ mask: Tensor?, _ padding: Tensor?, _ causal: Bool)
    -> Tensor
  {
    let (output, _) = selfAttn(
      x, x, x, keyPaddingMask: padding, needWeights: false, attnMask: mask, isCausal: causal)
    return dropout1(output)
  }

  private func feedForward(_ x: Tensor) -> Tensor {
    let hidden = linear1(x)
    let activated = activation == .relu ? hidden.relu() : hidden.gelu()
    return dropout2(linear2(dropout(activated)))
  }

  /// A copy with the same configuration and values that shares nothing with this layer and
  /// draws nothing from the default generator (`copy.deepcopy`).
  func deepCopy() -> TransformerEncoderLayer {
    let copy = TransformerEncoderLayer(
      dModel: selfAttn.embedDim, nhead: selfAttn.numHeads, dimFeedforward: linear1.outFeatures,
      dropout: dropout.p, activation: activation, layerNormEps: layerNormEps,
      batchFirst: selfAttn.batchFirst, normFirst: normFirst, bias: linear1.bias != nil,
      dtype: linear1.weight.dtype, generator: Generator(seed: 0))
    let source = stateDict()
    noGrad {
      for (key, target) in copy.stateDict() { _ = target.copy_(source[key]!) }
    }
    copy.train(training)
    return copy
  }
}

/// `numLayers` copies of an encoder layer applied in turn, then an optional norm
/// (`torch.nn.TransformerEncoder`). The copies start equal, as PyTorch's deep copies do.
public final class TransformerEncoder: Module {
  public let layers: ModuleList
  public let numLayers: Int
  public let norm: Module?

  public init(_ encoderLayer: TransformerEncoderLayer, numLayers: Int, norm: Module? = nil) {
    guard numLayers >= 0 else {
      opFailure("TransformerEncoder", "num_layers must be non-negative, got \(numLayers)")
    }
    layers = ModuleList((0..<numLayers).map { _ in encoderLayer.deepCopy() })
    self.numLayers = numLayers
    self.norm = norm
    super.init()
  }

  public override var reflectsChildren: Bool { false }
  public override func ownChildren() -> [(String, Module)] {
    [("layers", layers)] + (norm.map { [("norm", $0)] } ?? [])
  }

  /// The encoder on `src`. `isCausal` nil detects whether `mask` is the causal mask, as
  /// PyTorch does; each layer then gets the hint.
  public func callAsFunction(
    _ src: Tensor, mask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil, isCausal: Bool? = nil
  ) -> Tensor {
    Tensor.op([src] + [mask, srcKeyPaddingMask].compactMap { $0 }) { () throws(OpError) in
      try checkMaskType(srcKeyPaddingMask, "src_key_padding_mask", op: "TransformerEncoder")
      try checkMaskType(mask, "mask", op: "TransformerEncoder")
      var causal = isCausal ?? false
      if isCausal == nil, let mask, !layers.modules_.isEmpty {
        let first = layers[0] as! TransformerEncoderLayer
        let length = src.rank == 2 ? src.shape[0] : src.shape[first.selfAttn.batchFirst ? 1 : 0]
        causal = isCausalMask(mask, length)
      }
      var output = src
      for layer in layers.modules_ {
        output = (layer as! TransformerEncoderLayer)(
          output, srcMask: mask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: causal)
      }
      return norm.map { $0(output) } ?? output
    }
  }

  public override func forward(_ input: Tensor) -> Tensor { self(input, mask: nil) }

  /// PyTorch's `_detect_is_causal_mask`: the mask equals `generateSquareSubsequentMask(length)`
  /// (a bool mask as its float form).
  private func isCausalMask(_ mask: Tensor, _ length: Int) -> Bool {
    guard mask.shape == [length, length] else { return false }
    let causal = (0..<length).flatMap { i in (0..<length).map { j in j > i } }
    let values = mask.toDoubles()
    if mask.dtype == .bool { return zip(values, causal).allSatisfy { ($0 != 0) == $1 } }
    return zip(values, causal).allSatisfy { $1 ? $0 == -.infinity : $0 == 0 }
  }
}

/// PyTorch's `_canonical_mask` check: masks are bool or floating point.
func checkMaskType(_ mask: Tensor?, _ name: String, op: String) throws(OpError) {
  guard let mask, mask.dtype != .bool, !mask.dtype.isFloatingPoint else { return }
  throw OpError(
    op,
    "only bool and floating types of \(name) are supported (\(name) of dtype \(mask.dtype), shape \(shapeText(mask.shape)))"
  )
}
