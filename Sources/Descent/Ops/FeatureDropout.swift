/// Channel-wise dropout (`F.dropout2d`): whole channels are zeroed together, which suits
/// convolutional features, where neighbouring values are correlated.

/// Zeroes each channel of `[N, C, …]` with probability `p` while training and scales the rest
/// by 1 / (1 − p) (`F.dropout2d`; like PyTorch, a 3-D input is read as `[N, C, L]`). The mask
/// draws one uniform double per channel, as PyTorch's `bernoulli_` does.
public func dropout2d(
  _ input: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator? = nil
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    try featureDropout(input, p: p, training: training, generator: generator, op: "dropout2d")
  }
}

/// Channel-wise dropout, checked.
func featureDropout(_ input: Tensor, p: Double, training: Bool, generator: Generator?, op: String)
  throws(OpError) -> Tensor
{
  guard p >= 0 && p <= 1 else {
    throw OpError(op, "dropout probability has to be between 0 and 1, but got \(p)")
  }
  guard input.rank >= 2 else {
    throw OpError(
      op,
      "Feature dropout requires at least 2 dimensions in the input (got input of shape \(shapeText(input.shape)))"
    )
  }
  guard training && p > 0 else { return input }
  if p == 1 { return input * 0 }
  let type: DType = input.dtype.isFloatingPoint ? input.dtype : .float32
  let maskShape = [input.shape[0], input.shape[1]] + [Int](repeating: 1, count: input.rank - 2)
  let keep = Tensor.rand(maskShape, dtype: .float64, generator: generator).lt(1 - p).to(type)
  return input * (keep / (1 - p))
}
