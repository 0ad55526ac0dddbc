/// `MultiheadAttention`: PyTorch's parameters, initialisation and printing; the computation is
/// in Ops/MultiheadAttentionForward.swift.

/// A Linear layer under the name PyTorch gives MultiheadAttention's output projection
/// (`torch.nn.modules.linear.NonDynamicallyQuantizableLinear`): the same weights, the same
/// initialisation, the same result as `Linear`.
public final class NonDynamicallyQuantizableLinear: Module {
  public let inFeatures: Int
  public let outFeatures: Int
  /// `[outFeatures, inFeatures]`.
  public let weight: Tensor
  /// `[outFeatures]`, or nil with `bias: false`.
  public let bias: Tensor?

  public init(
    _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    // Linear's parameters, drawn as Linear draws them.
    let linear = Linear(inFeatures, outFeatures, bias: bias, dtype: dtype, generator: generator)
    self.weight = linear.weight
    self.bias = linear.bias
    super.init()
  }

  public override func forward(_ input: Tensor) -> Tensor { linear(input, weight, bias) }

  public override var extraRepr: String {
    "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
  }
}

/// Attention with `numHeads` heads over `embedDim` features (`torch.nn.MultiheadAttention`).
///
/// ```swift
/// let mha = MultiheadAttention(64, 4, batchFirst: true)
/// let (output, weights) = mha(x, x, x, keyPaddingMask: padding)   // weights averaged over heads
/// ```
///
/// Parameters as PyTorch names them: `in_proj_weight` `[3E, E]` and `in_proj_bias` `[3E]`
/// (or `q_proj_weight`, `k_proj_weight`, `v_proj_weight` when `kdim`/`vdim` differ from E),
/// `out_proj.weight` and `out_proj.bias`. Initialised as PyTorch does for the same seed: the
/// output projection as a Linear (its bias then zeroed), Xavier-uniform input projections,
/// zero input bias.
public final class MultiheadAttention: Module {
  public let embedDim: Int
  public let numHeads: Int
  /// Dropout on the attention weights while training.
  public let dropout: Double
  /// True when inputs and outputs are `[batch, length, features]`.
  public let batchFirst: Bool
  /// The features of keys and values (`embedDim` unless given).
  public let kdim: Int
  public let vdim: Int
  /// `embedDim / numHeads`.
  public let headDim: Int
  /// `[3E, E]` when keys and values have E features, else nil.
  public let inProjWeight: Tensor?
  /// `[E, E]`, `[E, kdim]`, `[E, vdim]` when keys or values have other sizes, else nil.
  public let qProjWeight: Tensor?
  public let kProjWeight: Tensor?
  public let vProjWeight: Tensor?
  /// `[3E]`, or nil with `bias: false`.
  public let inProjBias: Tensor?
  /// The output projection.
  public let outProj: NonDynamicallyQuantizableLinear

  /// True when query, key and value share one packed projection (`_qkv_same_embed_dim`).
  var packed: Bool { inProjWeight != nil }

  public init(
    _ embedDim: Int, _ numHeads: Int, dropout: Double = 0, bias: Bool = true,
    batchFirst: Bool = false, kdim: Int? = nil, vdim: Int? = nil, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    guard embedDim > 0 && numHeads > 0 else {
      opFailure(
        "MultiheadAttention",
        "embed_dim and num_heads must be greater than 0, got embed_dim=\(embedDim) and num_heads=\(numHeads) instead"
      )
    }
    guard embedDim % numHeads == 0 else {
      opFailure(
        "MultiheadAttention",
        "embed_dim must be divisible by num_heads (embed_dim \(embedDim), num_heads \(numHeads))")
    }
    guard dropout >= 0 && dropout <= 1 else {
      opFailure(
        "MultiheadAttention", "dropout probability has to be between 0 and 1, but got \(dropout)")
    }
    self.embedDim = embedDim
    self.numHeads = numHeads
    self.dropout = dropout
    self.batchFirst = batchFirst
    self.kdim = kdim ?? embedDim
    self.vdim = vdim ?? embedDim
    self.headDim = embedDim / numHeads
    let same = self.kdim == embedDim && self.vdim == embedDim
    inProjWeight = same ? Tensor.zeros([3 * embedDim, embedDim], dtype: dtype) : nil
    qProjWeight = same ? nil : Tensor.zeros([embedDim, embedDim], dtype: dtype)
    kProjWeight = same ? nil : Tensor.zeros([embedDim, self.kdim], dtype: dtype)
    vProjWeight = same ? nil : Tensor.zeros([embedDim, self.vdim], dtype: dtype)
    inProjBias = bias ? Tensor.zeros([3 * embedDim], dtype: dtype) : nil
    // PyTorch builds the output projection (drawing a Linear's weights) before it initialises
    // the input projections.
    outProj = NonDynamicallyQuantizableLinear(
      embedDim, embedDim, bias: bias, dtype: dtype, generator: generator)
    super.init()
    let named: [(String, Tensor?)] = [
      ("in_proj_weight", inProjWeight), ("q_proj_weight", qProjWeight),
      ("k_proj_weight", kProjWeight), ("v_proj_weight", vProjWeight),
      ("in_proj_bias", inProjBias),
    ]
    for case (let name, let tensor?) in named {
      tensor.requiresGrad = true
      registerParameter(name, tensor)
    }
    resetParameters(generator: generator)
  }

  /// PyTorch's `_reset_parameters`: Xavier-uniform input projections, zero biases.
  public func resetParameters(generator: Generator? = nil) {
    for weight in [inProjWeight, qProjWeight, kProjWeight, vProjWeight].compactMap({ $0 }) {
      xavierUniform_(weight, generator: generator)
    }
    if let inProjBias {
      constant_(inProjBias, 0)
      if let bias = outProj.bias { constant_(bias, 0) }
    }
  }

  /// Attention of `query` over `key`/`value` (`[L, N, E]`, `[S, N, kdim]`, `[S, N, vdim]`,
  /// batch first when `batchFirst`, or unbatched `[L, E]`…): the output `[L, N, E]` and, with
  /// `needWeights`, the attention weights `[N, L, S]` (averaged over heads) or
  /// `[N, heads, L, S]`.
  ///
  /// `keyPaddingMask` `[N, S]`: true (or −inf) ignores a key. `attnMask` `[L, S]` or
  /// `[N·heads, L, S]`: true (or −inf) stops a query from seeing a key; float masks are added.
  /// `isCausal` is a hint that `attnMask` is the causal mask (it must be given, as in PyTorch).
  public func callAsFunction(
    _ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
    needWeights: Bool = true, attnMask: Tensor? = nil, averageAttnWeights: Bool = true,
    isCausal: Bool = false
  ) -> (Tensor, Tensor?) {
    let tensors = [query, key, value] + [keyPaddingMask, attnMask].compactMap { $0 }
    return Tensor.op(tensors, placeholder: (.poisoned(), needWeights ? .poisoned() : nil)) {
      () throws(OpError) in
      try attend(
        query, key, value, keyPaddingMask: keyPaddingMask, needWeights: needWeights,
        attnMask: attnMask, averageAttnWeights: averageAttnWeights, isCausal: isCausal)
    }
  }

  public override var reflectsChildren: Bool { false }
  public override func ownChildren() -> [(String, Module)] { [("out_proj", outProj)] }

  /// Self-attention of `input` with no mask; the output alone (in `Sequential`).
  public override func forward(_ input: Tensor) -> Tensor {
    self(input, input, input, needWeights: false).0
  }
}
