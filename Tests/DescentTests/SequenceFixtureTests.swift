import Foundation
import Testing

@testable import Descent

/// Every case of Tests/Fixtures/sequence.json (made by make_sequence_fixtures.py): the layer
/// built from the same seed must hold PyTorch's initial parameters bit for bit, and the call must
/// give PyTorch's outputs and, for the loss Σ output·g, PyTorch's gradients of every input and
/// parameter (float32: 1e-5 relative + 1e-6 absolute).
@Suite("Sequence layers match PyTorch's initialisation, forward values and gradients")
struct SequenceFixtureTests {
  static let loaded: Result<SequenceFixtureFile, any Error> = Result {
    try SequenceFixtureFile.load()
  }
  static let cases: [SequenceFixtureCase] = (try? loaded.get().cases) ?? []

  @Test func fixtureLoads() throws {
    let file = try Self.loaded.get()
    #expect(file.cases.count >= 70)
    #expect(Set(file.cases.map(\.name)).count == file.cases.count, "case names must be unique")
    let layers = Set(file.cases.map(\.layer))
    #expect(
      layers.isSuperset(of: [
        "Embedding", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention",
        "scaled_dot_product_attention", "TransformerEncoderLayer", "TransformerEncoder",
        "pad_sequence",
      ]))
  }

  @Test(arguments: cases)
  func matchesPyTorch(_ c: SequenceFixtureCase) throws {
    // A private default generator: the initialisation draws from it.
    let built = try withDefaultGenerator(Generator(seed: c.seed)) { try Self.build(c) }
    var problems: [String] = []
    if let module = built {
      problems += Self.stateProblems(module, c)
    }
    let inputs = c.inputs.mapValues { $0.makeTensor() }
    for name in c.requiresGrad { inputs[name]!.requiresGrad = true }
    let outputs = try Self.run(c, built, inputs)
    #expect(Set(outputs.keys) == Set(c.outputs.keys), "\(c.name): outputs")
    for (key, expected) in c.outputs {
      guard let actual = outputs[key] else { continue }
      problems += opFixtureMismatches(actual, expected, key)
    }
    if !c.gradOutputs.isEmpty {
      var loss: Tensor?
      for (key, g) in c.gradOutputs {
        guard let actual = outputs[key], actual.requiresGrad else {
          problems.append("\(key) does not require grad, PyTorch's does")
          continue
        }
        let term = (actual * g.makeTensor()).sum()
        loss = loss.map { $0 + term } ?? term
      }
      loss?.backward()
      for (key, expected) in c.grads {
        let actual: Tensor?
        if key.hasPrefix("input.") {
          actual = inputs[String(key.dropFirst(6))]?.grad
        } else {
          let name = String(key.dropFirst(6))
          actual = built?.namedParameters().first { $0.0 == name }?.1.grad
        }
        guard let actual else {
          problems.append("\(key): no gradient, PyTorch has one")
          continue
        }
        problems += opFixtureMismatches(actual, expected, "grad of \(key)")
      }
    }
    for problem in problems { Issue.record("\(c.name): \(problem)") }
  }

  /// The layer's state after construction must be PyTorch's for the same seed, bit for bit;
  /// then it is loaded anyway, so that a failure here does not hide the forward's.
  static func stateProblems(_ module: Module, _ c: SequenceFixtureCase) -> [String] {
    var problems: [String] = []
    let state = module.stateDict()
    if Set(state.keys) != Set(c.state.keys) {
      problems.append("state keys \(state.keys.sorted()), PyTorch has \(c.state.keys.sorted())")
    }
    for (key, expected) in c.state {
      guard let actual = state[key] else { continue }
      if actual.shape != expected.shape {
        problems.append("\(key): shape \(actual.shape), PyTorch has \(expected.shape)")
      } else if actual.toDoubles() != expected.makeTensor().toDoubles() {
        problems.append("\(key): the initial values differ from PyTorch's for seed \(c.seed)")
      }
    }
    if problems.isEmpty { return [] }
    do {
      try module.loadStateDict(StateDict(c.state.map { ($0.key, $0.value.makeTensor()) }))
    } catch {
      problems.append("loading PyTorch's state failed: \(error)")
    }
    return problems
  }

  /// The layer of case `c`, or nil for a function.
  static func build(_ c: SequenceFixtureCase) throws -> Module? {
    let k = c.config
    switch c.layer {
    case "Embedding":
      return Embedding(
        try k.int("num_embeddings"), try k.int("embedding_dim"),
        paddingIdx: k.optionalInt("padding_idx"))
    case "RNN", "LSTM", "GRU":
      let (inputSize, hiddenSize) = (try k.int("input_size"), try k.int("hidden_size"))
      let (layers, bias) = (k.optionalInt("num_layers") ?? 1, k.bool("bias") ?? true)
      let (batchFirst, bidirectional) = (
        k.bool("batch_first") ?? false, k.bool("bidirectional") ?? false
      )
      switch c.layer {
      case "RNN":
        let relu = k.string("nonlinearity") == "relu"
        return RNN(
          inputSize, hiddenSize, numLayers: layers, nonlinearity: relu ? .relu : .tanh,
          bias: bias, batchFirst: batchFirst, bidirectional: bidirectional)
      case "LSTM":
        return LSTM(
          inputSize, hiddenSize, numLayers: layers, bias: bias, batchFirst: batchFirst,
          bidirectional: bidirectional)
      default:
        return GRU(
          inputSize, hiddenSize, numLayers: layers, bias: bias, batchFirst: batchFirst,
          bidirectional: bidirectional)
      }
    case "RNNCell":
      let relu = k.string("nonlinearity") == "relu"
      return RNNCell(
        try k.int("input_size"), try k.int("hidden_size"), bias: k.bool("bias") ?? true,
        nonlinearity: relu ? .relu : .tanh)
    case "LSTMCell":
      return LSTMCell(
        try k.int("input_size"), try k.int("hidden_size"), bias: k.bool("bias") ?? true)
    case "GRUCell":
      return GRUCell(
        try k.int("input_size"), try k.int("hidden_size"), bias: k.bool("bias") ?? true)
    default:
      return try buildAttention(c)
    }
  }

  /// Calls the layer (or function) of case `c` on `inputs`; the outputs by PyTorch's names.
  static func run(_ c: SequenceFixtureCase, _ module: Module?, _ inputs: [String: Tensor]) throws
    -> [String: Tensor]
  {
    let x = inputs["x"]
    switch module {
    case let layer as Embedding: return ["output": layer(x!)]
    case let layer as LSTM:
      let (output, (h, c)) = inputs["h0"].map { layer(x!, ($0, inputs["c0"]!)) } ?? layer(x!)
      return ["output": output, "h": h, "c": c]
    case let layer as GRU:
      let (output, h) = inputs["h0"].map { layer(x!, $0) } ?? layer(x!)
      return ["output": output, "h": h]
    case let layer as RNN:
      let (output, h) = inputs["h0"].map { layer(x!, $0) } ?? layer(x!)
      return ["output": output, "h": h]
    case let cell as LSTMCell:
      let (h, c) = inputs["h0"].map { cell(x!, ($0, inputs["c0"]!)) } ?? cell(x!)
      return ["h": h, "c": c]
    case let cell as GRUCell: return ["h": inputs["h0"].map { cell(x!, $0) } ?? cell(x!)]
    case let cell as RNNCell: return ["h": inputs["h0"].map { cell(x!, $0) } ?? cell(x!)]
    default: return try runAttention(c, module, inputs)
    }
  }
}
