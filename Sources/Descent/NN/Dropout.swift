/// Dropout: zeroes elements with probability `p` while training and scales the rest by
/// 1 / (1 − p), so that evaluation needs no rescaling.

/// `F.dropout`: identity when not training.
public func dropout(
  _ input: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator? = nil
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    guard p >= 0 && p <= 1 else {
      throw OpError("dropout", "dropout probability has to be between 0 and 1, but got \(p)")
    }
    guard training && p > 0 else { return input }
    if p == 1 { return input * 0 }
    let type: DType = input.dtype.isFloatingPoint ? input.dtype : .float32
    // PyTorch's CPU mask (`bernoulli_(1 - p)`) draws one uniform double per element, whatever
    // the input's dtype.
    let keep = Tensor.rand(input.shape, dtype: .float64, generator: generator).lt(1 - p).to(type)
    return input * (keep / (1 - p))
  }
}

/// `nn.Dropout`.
public final class Dropout: Module {
  /// The probability of zeroing an element in training mode.
  public let p: Double
  /// A dropout layer that zeroes each element with probability `p` in training mode.
  public init(p: Double = 0.5) {
    guard p >= 0 && p <= 1 else {
      opFailure("Dropout", "dropout probability has to be between 0 and 1, but got \(p)")
    }
    self.p = p
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    dropout(input, p: p, training: training)
  }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String { "p=\(pythonNumber(p)), inplace=False" }
}
