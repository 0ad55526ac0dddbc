/// `Embedding`: a lookup table of vectors, one row per token (the op is `embedding`, in
/// `Ops/Embedding.swift`).

/// A table of `numEmbeddings` vectors of `embeddingDim` values, indexed by int64 tensors
/// (`torch.nn.Embedding`). The weight is drawn from N(0, 1) as PyTorch draws it (the same
/// values after `manualSeed`); the row `paddingIdx` starts at zero and never gets a gradient.
///
/// ```swift
/// let embed = Embedding(1000, 64, paddingIdx: 0)
/// let vectors = embed(tokens)   // [batch, length] int64 → [batch, length, 64]
/// ```
public final class Embedding: Module {
  /// The number of rows (the vocabulary size).
  public let numEmbeddings: Int
  /// The length of each vector.
  public let embeddingDim: Int
  /// The row that gets no gradient (made non-negative, as PyTorch stores it), or nil.
  public let paddingIdx: Int?
  /// `[numEmbeddings, embeddingDim]`.
  public let weight: Tensor

  public init(
    _ numEmbeddings: Int, _ embeddingDim: Int, paddingIdx: Int? = nil, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    self.numEmbeddings = numEmbeddings
    self.embeddingDim = embeddingDim
    self.paddingIdx = Embedding.checkedPadding(paddingIdx, numEmbeddings, embeddingDim, dtype)
    self.weight = Tensor.zeros([numEmbeddings, embeddingDim], dtype: dtype)
    super.init()
    resetParameters(generator: generator)
    weight.requiresGrad = true
  }

  /// Wraps `weight` as it is (no copy, no initialisation): `fromPretrained`.
  private init(wrapping weight: Tensor, paddingIdx: Int?, freeze: Bool) {
    self.numEmbeddings = weight.shape[0]
    self.embeddingDim = weight.shape[1]
    self.paddingIdx = Embedding.checkedPadding(
      paddingIdx, weight.shape[0], weight.shape[1], weight.dtype)
    self.weight = weight.detach()
    super.init()
    if freeze {
      // A frozen table is still part of the state (`weight` in the state dict), as in PyTorch,
      // but not a trained parameter.
      registerBuffer("weight", self.weight)
    } else {
      self.weight.requiresGrad = true
    }
  }

  /// An embedding whose table is `embeddings` (2-D, shared, not copied), like
  /// `nn.Embedding.from_pretrained`. With `freeze` (the default) the table is not trained.
  public static func fromPretrained(
    _ embeddings: Tensor, freeze: Bool = true, paddingIdx: Int? = nil
  ) -> Embedding {
    guard embeddings.rank == 2 else {
      opFailure(
        "Embedding.fromPretrained",
        "Embeddings parameter is expected to be 2-dimensional (got shape \(shapeText(embeddings.shape)))"
      )
    }
    return Embedding(wrapping: embeddings, paddingIdx: paddingIdx, freeze: freeze)
  }

  private static func checkedPadding(_ index: Int?, _ rows: Int, _ width: Int, _ dtype: DType)
    -> Int?
  {
    guard rows >= 0, width >= 0 else {
      opFailure(
        "Embedding",
        "num_embeddings and embedding_dim must be non-negative (got \(rows), \(width))")
    }
    guard dtype.isFloatingPoint else {
      opFailure(
        "Embedding", "the dtype of a layer's parameters must be floating point (got \(dtype))")
    }
    guard let index else { return nil }
    guard index >= -rows && index < rows else {
      opFailure(
        "Embedding",
        "Padding_idx must be within num_embeddings (padding_idx \(index), num_embeddings \(rows))")
    }
    return index < 0 ? index + rows : index
  }

  /// PyTorch's `reset_parameters`: N(0, 1), then the padding row set to zero.
  public func resetParameters(generator: Generator? = nil) {
    noGrad {
      weight.normal_(generator: generator)
      if let paddingIdx { _ = weight[paddingIdx].fill_(0) }
    }
  }

  public override func forward(_ input: Tensor) -> Tensor {
    embedding(input, weight, paddingIdx: paddingIdx)
  }

  public override var extraRepr: String {
    "\(numEmbeddings), \(embeddingDim)" + (paddingIdx.map { ", padding_idx=\($0)" } ?? "")
  }
}
