/// `RNNBase`: what `RNN`, `LSTM` and `GRU` share. PyTorch's parameters (`weight_ih_l0`,
/// `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, then `…_reverse`, then the next layer), its
/// initialisation, its checks and messages, and the loop over layers and directions; each
/// direction of each layer is one recorded op (`recurrentLayer`, Ops/RecurrentLayer.swift).

/// The base of the recurrent layers (`torch.nn.RNNBase`).
open class RNNBase: Module {
  let mode: RecurrentMode
  /// The number of features of each input step.
  public let inputSize: Int
  /// The number of features of the hidden state.
  public let hiddenSize: Int
  /// Stacked layers, each reading the previous one's output.
  public let numLayers: Int
  /// Whether the layers have `bias_ih` and `bias_hh`.
  public let bias: Bool
  /// True when inputs and outputs are `[batch, length, features]` instead of
  /// `[length, batch, features]` (the hidden states stay `[layers, batch, hidden]`).
  public let batchFirst: Bool
  /// Dropout on the output of every layer but the last, while training.
  public let dropout: Double
  /// True for a second direction per layer, running from the last step to the first.
  public let bidirectional: Bool
  /// The parameters of each layer and direction (index layer·directions + direction), each
  /// `[weight_ih, weight_hh]` plus `[bias_ih, bias_hh]` (PyTorch's `all_weights`).
  public let allWeights: [[Tensor]]

  /// The number of directions (1, or 2 when bidirectional).
  public var numDirections: Int { bidirectional ? 2 : 1 }

  init(
    mode: RecurrentMode, name: String, _ inputSize: Int, _ hiddenSize: Int, numLayers: Int,
    bias: Bool, batchFirst: Bool, dropout: Double, bidirectional: Bool, dtype: DType,
    generator: Generator?
  ) {
    guard dropout >= 0 && dropout <= 1 else {
      opFailure(
        name,
        "dropout should be a number in range [0, 1] representing the probability of an element being zeroed (got \(dropout))"
      )
    }
    guard inputSize > 0 else { opFailure(name, "input_size must be greater than zero") }
    guard hiddenSize > 0 else { opFailure(name, "hidden_size must be greater than zero") }
    guard numLayers > 0 else { opFailure(name, "num_layers must be greater than zero") }
    guard dtype.isFloatingPoint else {
      opFailure(name, "the dtype of a layer's parameters must be floating point (got \(dtype))")
    }
    self.mode = mode
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.numLayers = numLayers
    self.bias = bias
    self.batchFirst = batchFirst
    self.dropout = dropout
    self.bidirectional = bidirectional
    let gates = mode.gateCount * hiddenSize
    let directions = bidirectional ? 2 : 1
    var weights: [[Tensor]] = []
    var names: [String] = []
    for layer in 0..<numLayers {
      for direction in 0..<directions {
        let layerInput = layer == 0 ? inputSize : hiddenSize * directions
        var group = [
          Tensor.zeros([gates, layerInput], dtype: dtype),
          Tensor.zeros([gates, hiddenSize], dtype: dtype),
        ]
        var groupNames = ["weight_ih", "weight_hh"]
        if bias {
          group += [Tensor.zeros([gates], dtype: dtype), Tensor.zeros([gates], dtype: dtype)]
          groupNames += ["bias_ih", "bias_hh"]
        }
        let suffix = "_l\(layer)" + (direction == 1 ? "_reverse" : "")
        weights.append(group)
        names += groupNames.map { $0 + suffix }
      }
    }
    self.allWeights = weights
    super.init()
    for (name, tensor) in zip(names, weights.joined()) {
      tensor.requiresGrad = true
      registerParameter(name, tensor)
    }
    resetParameters(generator: generator)
  }

  /// PyTorch's `reset_parameters`: every parameter from U(−1/√hidden, 1/√hidden), in order.
  public func resetParameters(generator: Generator? = nil) {
    let bound = 1 / Double(hiddenSize).squareRoot()
    noGrad {
      for tensor in allWeights.joined() { tensor.uniform_(-bound, bound, generator: generator) }
    }
  }

  /// The layer's name in messages: `LSTM`, `GRU`, `RNN`.
  var layerName: String { typeName }

  /// Runs every layer and direction. `hx`, `cx`: `[layers·directions, batch, hidden]` (2-D for
  /// an unbatched input), zeros when nil. Returns the output and the last states, in PyTorch's
  /// shapes.
  func run(_ input: Tensor, _ hx: Tensor?, _ cx: Tensor?) throws(OpError) -> (
    Tensor, Tensor, Tensor?
  ) {
    let name = layerName
    guard input.rank == 2 || input.rank == 3 else {
      throw OpError(
        name,
        "\(name): Expected input to be 2D or 3D, got \(input.rank)D\(mode == .rnnTanh || mode == .rnnRelu ? " tensor" : "") instead (input \(shapeText(input.shape)))"
      )
    }
    let batched = input.rank == 3
    var x = batched ? input : input.unsqueeze(batchFirst ? 0 : 1)
    var (h, c) = (hx, cx)
    if let given = hx {
      try checkStateRank(given, cx, batched: batched, input: input)
      if !batched { (h, c) = (given.unsqueeze(1), cx?.unsqueeze(1)) }
    }
    let weightType = allWeights[0][0].dtype
    guard x.dtype == weightType else {
      throw OpError(
        name,
        "RNN input dtype (torch.\(x.dtype)) does not match weight dtype (torch.\(weightType)). Convert input: input.to(.\(weightType)), or convert the model's parameters to \(x.dtype) (input \(shapeText(input.shape)))"
      )
    }
    guard x.shape[2] == inputSize else {
      throw OpError(
        name,
        "input.size(-1) must be equal to input_size. Expected \(inputSize), got \(x.shape[2]) (input \(shapeText(input.shape)))"
      )
    }
    if batchFirst { x = x.transpose(0, 1) }
    let batch = x.shape[1]
    let expected = [numLayers * numDirections, batch, hiddenSize]
    let expectedText = "(" + expected.map(String.init).joined(separator: ", ") + ")"
    let isLSTM = mode == .lstm
    for (state, index) in [(h, 0), (c, 1)] {
      guard let state, state.shape != expected else { continue }
      throw OpError(
        name,
        "Expected hidden\(isLSTM ? "[\(index)]" : "") size \(expectedText), got \(shapeText(state.shape)) (input \(shapeText(input.shape)))"
      )
    }
    for state in [h, c].compactMap({ $0 }) where state.dtype != weightType {
      throw OpError(
        name,
        "Expected hidden state of dtype \(weightType) like the weights, got \(state.dtype) (hidden \(shapeText(state.shape)))"
      )
    }
    let h0 = h ?? Tensor.zeros(expected, dtype: weightType)
    let c0 = isLSTM ? (c ?? Tensor.zeros(expected, dtype: weightType)) : nil
    var layerInput = x
    var lastStates: [Tensor] = []
    var lastCells: [Tensor] = []
    for layer in 0..<numLayers {
      var outputs: [Tensor] = []
      for direction in 0..<numDirections {
        let index = layer * numDirections + direction
        let w = allWeights[index]
        let result = recurrentLayer(
          mode, input: layerInput, h0: h0.select(0, index), c0: c0?.select(0, index), wIH: w[0],
          wHH: w[1], bIH: bias ? w[2] : nil, bHH: bias ? w[3] : nil, reverse: direction == 1)
        outputs.append(result.output)
        lastStates.append(result.lastState)
        if let cell = result.lastCell { lastCells.append(cell) }
      }
      layerInput = outputs.count == 1 ? outputs[0] : Tensor.cat(outputs, dim: 2)
      if dropout > 0 && training && layer < numLayers - 1 {
        layerInput = Descent.dropout(layerInput, p: dropout)
      }
    }
    var output = batchFirst ? layerInput.transpose(0, 1) : layerInput
    var lastState = Tensor.stack(lastStates)
    var lastCell = isLSTM ? Tensor.stack(lastCells) : nil
    if !batched {
      output = output.squeeze(batchFirst ? 0 : 1)
      lastState = lastState.squeeze(1)
      lastCell = lastCell?.squeeze(1)
    }
    return (output, lastState, lastCell)
  }

  /// PyTorch's rank checks of given states: 3-D for a batched input, 2-D for an unbatched one.
  private func checkStateRank(_ h: Tensor, _ c: Tensor?, batched: Bool, input: Tensor)
    throws(OpError)
  {
    let rank = batched ? 3 : 2
    let what = batched ? "batched 3-D" : "unbatched 2-D"
    if let c {
      guard h.rank == rank && c.rank == rank else {
        throw OpError(
          layerName,
          "For \(what) input, hx and cx should also be \(rank)-D but got (\(h.rank)-D, \(c.rank)-D) tensors (input \(shapeText(input.shape)), hx \(shapeText(h.shape)), cx \(shapeText(c.shape)))"
        )
      }
    } else if h.rank != rank {
      throw OpError(
        layerName,
        "For \(what) input, hx should also be \(rank)-D but got \(h.rank)-D tensor (input \(shapeText(input.shape)), hx \(shapeText(h.shape)))"
      )
    }
  }

  public override var extraRepr: String {
    var text = "\(inputSize), \(hiddenSize)"
    if numLayers != 1 { text += ", num_layers=\(numLayers)" }
    if !bias { text += ", bias=False" }
    if batchFirst { text += ", batch_first=True" }
    if dropout != 0 { text += ", dropout=\(pythonNumber(dropout))" }
    if bidirectional { text += ", bidirectional=True" }
    return text
  }
}
