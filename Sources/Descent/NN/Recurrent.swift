/// `RNN`, `LSTM` and `GRU`: the recurrent layers, called as in PyTorch.
///
/// ```swift
/// let lstm = LSTM(10, 20, numLayers: 2, batchFirst: true)
/// let (output, (h, c)) = lstm(x)          // x: [batch, length, 10]
/// let (next, (h2, c2)) = lstm(y, (h, c))  // continue from the last states
/// ```
///
/// Inside `Sequential` they yield `output` alone.

/// An Elman recurrent network, h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh) or with ReLU
/// (`torch.nn.RNN`).
public final class RNN: RNNBase {
  /// The activation of the recurrence.
  public enum Nonlinearity: String, Sendable { case tanh, relu }
  /// `tanh` or `relu`.
  public let nonlinearity: Nonlinearity

  public init(
    _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1,
    nonlinearity: Nonlinearity = .tanh, bias: Bool = true, batchFirst: Bool = false,
    dropout: Double = 0, bidirectional: Bool = false, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    self.nonlinearity = nonlinearity
    super.init(
      mode: nonlinearity == .tanh ? .rnnTanh : .rnnRelu, name: "RNN", inputSize, hiddenSize,
      numLayers: numLayers, bias: bias, batchFirst: batchFirst, dropout: dropout,
      bidirectional: bidirectional, dtype: dtype, generator: generator)
  }

  /// The output `[length, batch, directions·hidden]` (batch first when `batchFirst`) and the
  /// last hidden state of each layer and direction, `[layers·directions, batch, hidden]`, from
  /// zero states.
  public func callAsFunction(_ input: Tensor) -> (Tensor, Tensor) { hiddenStates(input, nil) }

  /// The same from the initial state `hx`, `[layers·directions, batch, hidden]`.
  public func callAsFunction(_ input: Tensor, _ hx: Tensor) -> (Tensor, Tensor) {
    hiddenStates(input, hx)
  }

  public override func forward(_ input: Tensor) -> Tensor { self(input).0 }
}

/// A long short-term memory network (`torch.nn.LSTM`), gates i, f, g, o in PyTorch's order
/// and layout.
public final class LSTM: RNNBase {
  public init(
    _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true,
    batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false,
    dtype: DType = .float32, generator: Generator? = nil
  ) {
    super.init(
      mode: .lstm, name: "LSTM", inputSize, hiddenSize, numLayers: numLayers, bias: bias,
      batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype,
      generator: generator)
  }

  /// The output and the last hidden and cell states, from zero initial states.
  public func callAsFunction(_ input: Tensor) -> (Tensor, (Tensor, Tensor)) {
    states(input, nil, nil)
  }

  /// The output and the last hidden and cell states, from the states `hx` = (h0, c0), each
  /// `[layers·directions, batch, hidden]`.
  public func callAsFunction(_ input: Tensor, _ hx: (Tensor, Tensor)) -> (Tensor, (Tensor, Tensor))
  {
    states(input, hx.0, hx.1)
  }

  private func states(_ input: Tensor, _ h: Tensor?, _ c: Tensor?) -> (Tensor, (Tensor, Tensor)) {
    Tensor.op(
      [input] + [h, c].compactMap { $0 }, placeholder: (.poisoned(), (.poisoned(), .poisoned()))
    ) { () throws(OpError) in
      let (output, state, cell) = try run(input, h, c)
      return (output, (state, cell!))
    }
  }

  public override func forward(_ input: Tensor) -> Tensor { self(input).0 }
}

/// A gated recurrent unit network (`torch.nn.GRU`), gates r, z, n in PyTorch's order and
/// layout.
public final class GRU: RNNBase {
  public init(
    _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true,
    batchFirst: Bool = false, dropout: Double = 0, bidirectional: Bool = false,
    dtype: DType = .float32, generator: Generator? = nil
  ) {
    super.init(
      mode: .gru, name: "GRU", inputSize, hiddenSize, numLayers: numLayers, bias: bias,
      batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, dtype: dtype,
      generator: generator)
  }

  /// The output and the last hidden state of each layer and direction, from zero states.
  public func callAsFunction(_ input: Tensor) -> (Tensor, Tensor) { hiddenStates(input, nil) }

  /// The same from the initial state `hx`, `[layers·directions, batch, hidden]`.
  public func callAsFunction(_ input: Tensor, _ hx: Tensor) -> (Tensor, Tensor) {
    hiddenStates(input, hx)
  }

  public override func forward(_ input: Tensor) -> Tensor { self(input).0 }
}

extension RNNBase {
  /// The output and the last hidden states of a layer with no cell state (`RNN`, `GRU`),
  /// through the error boundary.
  fileprivate func hiddenStates(_ input: Tensor, _ hx: Tensor?) -> (Tensor, Tensor) {
    Tensor.op([input] + (hx.map { [$0] } ?? []), placeholder: (.poisoned(), .poisoned())) {
      () throws(OpError) in
      let (output, state, _) = try run(input, hx, nil)
      return (output, state)
    }
  }
}
