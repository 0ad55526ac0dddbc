/// `padSequence`: sequences of different lengths padded into one batch.

/// Stacks `sequences` (`[Lᵢ, *]`, the same trailing dimensions and dtype) into
/// `[max Lᵢ, count, *]`, or `[count, max Lᵢ, *]` with `batchFirst`, filling the positions past
/// each sequence's end with `paddingValue` (`torch.nn.utils.rnn.pad_sequence`). Differentiable
/// in every sequence.
public func padSequence(
  _ sequences: [Tensor], batchFirst: Bool = false, paddingValue: Double = 0
) -> Tensor {
  Tensor.op(sequences) { () throws(OpError) in
    guard let first = sequences.first else {
      throw OpError("pad_sequence", "received an empty list of sequences")
    }
    let trailing = Array(first.shape.dropFirst())
    for (index, sequence) in sequences.enumerated() {
      guard sequence.rank >= 1, Array(sequence.shape.dropFirst()) == trailing else {
        throw OpError(
          "pad_sequence",
          "The size of sequence \(index) \(shapeText(sequence.shape)) does not match the size of sequence 0 \(shapeText(first.shape)) past the first dimension: sequences must be [L, *] with the same *"
        )
      }
      guard sequence.dtype == first.dtype else {
        throw OpError(
          "pad_sequence",
          "expected every sequence to have dtype \(first.dtype), but sequence \(index) has \(sequence.dtype) (shape \(shapeText(sequence.shape)))"
        )
      }
    }
    let longest = sequences.map { $0.shape[0] }.max()!
    let padded = sequences.map { sequence -> Tensor in
      let missing = longest - sequence.shape[0]
      guard missing > 0 else { return sequence }
      let fill = Tensor.full([missing] + trailing, paddingValue, dtype: sequence.dtype)
      return Tensor.cat([sequence, fill], dim: 0)
    }
    return Tensor.stack(padded, dim: batchFirst ? 0 : 1)
  }
}
