/// `RNNCell`, `LSTMCell` and `GRUCell`: one time step, for loops written by hand. Each runs
/// the layers' fused step (a one-step `recurrentLayer`), so that a cell and a layer agree
/// exactly.
///
/// ```swift
/// let cell = LSTMCell(10, 20)
/// var (h, c) = (Tensor.zeros([3, 20]), Tensor.zeros([3, 20]))
/// for t in 0..<6 { (h, c) = cell(x[t], (h, c)) }
/// ```

/// What the three cells share (`torch.nn.RNNCellBase`): `weight_ih` `[G·hidden, input]`,
/// `weight_hh` `[G·hidden, hidden]`, `bias_ih` and `bias_hh` `[G·hidden]`, every one drawn from
/// U(−1/√hidden, 1/√hidden) in that order.
open class RNNCellBase: Module {
  let mode: RecurrentMode
  /// The number of input features.
  public let inputSize: Int
  /// The number of hidden features.
  public let hiddenSize: Int
  /// `[G·hidden, input]`.
  public let weightIH: Tensor
  /// `[G·hidden, hidden]`.
  public let weightHH: Tensor
  /// `[G·hidden]`, or nil with `bias: false`.
  public let biasIH: Tensor?
  /// `[G·hidden]`, or nil with `bias: false`.
  public let biasHH: Tensor?

  init(
    mode: RecurrentMode, name: String, _ inputSize: Int, _ hiddenSize: Int, bias: Bool,
    dtype: DType, generator: Generator?
  ) {
    guard inputSize >= 0, hiddenSize >= 0, dtype.isFloatingPoint else {
      opFailure(
        name,
        "input_size and hidden_size must be non-negative and the dtype floating point (got \(inputSize), \(hiddenSize), \(dtype))"
      )
    }
    self.mode = mode
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    let gates = mode.gateCount * hiddenSize
    weightIH = Tensor.zeros([gates, inputSize], dtype: dtype)
    weightHH = Tensor.zeros([gates, hiddenSize], dtype: dtype)
    biasIH = bias ? Tensor.zeros([gates], dtype: dtype) : nil
    biasHH = bias ? Tensor.zeros([gates], dtype: dtype) : nil
    super.init()
    for (name, tensor) in [
      ("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH),
    ] {
      guard let tensor else { continue }
      tensor.requiresGrad = true
      registerParameter(name, tensor)
    }
    resetParameters(generator: generator)
  }

  /// PyTorch's `reset_parameters`: every parameter from U(−1/√hidden, 1/√hidden), in order.
  public func resetParameters(generator: Generator? = nil) {
    let bound = hiddenSize > 0 ? 1 / Double(hiddenSize).squareRoot() : 0
    noGrad {
      for tensor in [weightIH, weightHH, biasIH, biasHH].compactMap({ $0 }) {
        tensor.uniform_(-bound, bound, generator: generator)
      }
    }
  }

  /// One step from `input` (`[batch, input]` or `[input]`) and the states (`[batch, hidden]`
  /// or `[hidden]`, zeros when nil): the new hidden state and, for LSTM, the new cell.
  func step(_ input: Tensor, _ h: Tensor?, _ c: Tensor?) throws(OpError) -> (Tensor, Tensor?) {
    let name = typeName
    guard input.rank == 1 || input.rank == 2 else {
      throw OpError(
        name,
        "\(name): Expected input to be 1D or 2D, got \(input.rank)D instead (input \(shapeText(input.shape)))"
      )
    }
    for (index, state) in [h, c].enumerated() {
      guard let state, state.rank != 1 && state.rank != 2 else { continue }
      let label = mode == .lstm ? "hx[\(index)]" : "hidden"
      throw OpError(
        name,
        "\(name): Expected \(label) to be 1D or 2D, got \(state.rank)D instead (\(label) \(shapeText(state.shape)))"
      )
    }
    let batched = input.rank == 2
    let x = batched ? input : input.unsqueeze(0)
    let zeros = Tensor.zeros([x.shape[0], hiddenSize], dtype: x.dtype)
    let h0 = h.map { batched ? $0 : $0.unsqueeze(0) } ?? zeros
    let c0 = mode == .lstm ? (c.map { batched ? $0 : $0.unsqueeze(0) } ?? zeros) : nil
    guard x.shape[1] == inputSize else {
      throw OpError(
        name,
        "input has inconsistent input_size: got \(x.shape[1]) expected \(inputSize) (input \(shapeText(input.shape)))"
      )
    }
    for (index, state) in [h0, c0].enumerated() {
      guard let state else { continue }
      let label = mode == .lstm ? "\(index)" : ""
      guard state.rank == 2, state.shape[0] == x.shape[0] else {
        throw OpError(
          name,
          "Input batch size \(x.shape[0]) doesn't match hidden\(label) batch size \(state.rank == 2 ? state.shape[0] : 1) (input \(shapeText(input.shape)), hidden\(label) \(shapeText(state.shape)))"
        )
      }
      guard state.shape[1] == hiddenSize else {
        throw OpError(
          name,
          "hidden\(label) has inconsistent hidden_size: got \(state.shape[1]), expected \(hiddenSize) (hidden\(label) \(shapeText(state.shape)))"
        )
      }
    }
    for tensor in [x, h0] + (c0.map { [$0] } ?? []) where tensor.dtype != weightIH.dtype {
      throw OpError(
        name,
        "expected scalar type \(weightIH.dtype.scalarTypeName) but found \(tensor.dtype.scalarTypeName) (input \(shapeText(input.shape)), weight \(shapeText(weightIH.shape)))"
      )
    }
    let result = recurrentLayer(
      mode, input: x.unsqueeze(0), h0: h0, c0: c0, wIH: weightIH, wHH: weightHH, bIH: biasIH,
      bHH: biasHH, reverse: false)
    let (state, cell) = (result.lastState, result.lastCell)
    return batched ? (state, cell) : (state.squeeze(0), cell?.squeeze(0))
  }

  public override var extraRepr: String {
    var text = "\(inputSize), \(hiddenSize)"
    if biasIH == nil { text += ", bias=False" }
    if mode == .rnnRelu { text += ", nonlinearity=relu" }
    return text
  }
}

/// An Elman cell, h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh) or with ReLU (`torch.nn.RNNCell`).
public final class RNNCell: RNNCellBase {
  /// `tanh` or `relu`.
  public let nonlinearity: RNN.Nonlinearity

  public init(
    _ inputSize: Int, _ hiddenSize: Int, bias: Bool = true,
    nonlinearity: RNN.Nonlinearity = .tanh, dtype: DType = .float32, generator: Generator? = nil
  ) {
    self.nonlinearity = nonlinearity
    super.init(
      mode: nonlinearity == .tanh ? .rnnTanh : .rnnRelu, name: "RNNCell", inputSize, hiddenSize,
      bias: bias, dtype: dtype, generator: generator)
  }

  /// The next hidden state from `hx`.
  public func callAsFunction(_ input: Tensor, _ hx: Tensor) -> Tensor {
    Tensor.op([input, hx]) { () throws(OpError) in try step(input, hx, nil).0 }
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in try step(input, nil, nil).0 }
  }
}

/// A long short-term memory cell (`torch.nn.LSTMCell`), gates i, f, g, o.
public final class LSTMCell: RNNCellBase {
  public init(
    _ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    super.init(
      mode: .lstm, name: "LSTMCell", inputSize, hiddenSize, bias: bias, dtype: dtype,
      generator: generator)
  }

  /// The next hidden and cell states from zeros.
  public func callAsFunction(_ input: Tensor) -> (Tensor, Tensor) { states(input, nil, nil) }

  /// The next hidden and cell states from `hx` = (h, c).
  public func callAsFunction(_ input: Tensor, _ hx: (Tensor, Tensor)) -> (Tensor, Tensor) {
    states(input, hx.0, hx.1)
  }

  private func states(_ input: Tensor, _ h: Tensor?, _ c: Tensor?) -> (Tensor, Tensor) {
    Tensor.op([input] + [h, c].compactMap { $0 }, placeholder: (.poisoned(), .poisoned())) {
      () throws(OpError) in
      let (state, cell) = try step(input, h, c)
      return (state, cell!)
    }
  }

  /// The next hidden state (in `Sequential`).
  public override func forward(_ input: Tensor) -> Tensor { states(input, nil, nil).0 }
}

/// A gated recurrent unit cell (`torch.nn.GRUCell`), gates r, z, n.
public final class GRUCell: RNNCellBase {
  public init(
    _ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    super.init(
      mode: .gru, name: "GRUCell", inputSize, hiddenSize, bias: bias, dtype: dtype,
      generator: generator)
  }

  /// The next hidden state from `hx`.
  public func callAsFunction(_ input: Tensor, _ hx: Tensor) -> Tensor {
    Tensor.op([input, hx]) { () throws(OpError) in try step(input, hx, nil).0 }
  }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in try step(input, nil, nil).0 }
  }
}
