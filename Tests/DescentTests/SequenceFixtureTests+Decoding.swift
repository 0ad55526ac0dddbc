import Foundation
import Testing

@testable import Descent

// Decoding of Tests/Fixtures/sequence.json (layout: make_sequence_fixtures.py). Tensors are
// ops.json's (`OpFixtureTensor`); config and call arguments are plain JSON values.

/// One JSON value of a case's `config` or `call`.
enum SequenceFixtureValue: Decodable, Sendable, Equatable {
  case bool(Bool)
  case number(Double)
  case string(String)
  case null

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else {
      self = .string(try c.decode(String.self))
    }
  }
}

extension [String: SequenceFixtureValue] {
  func int(_ key: String) throws -> Int {
    guard let value = optionalInt(key) else {
      throw OpFixtureError("missing integer '\(key)' in \(self)")
    }
    return value
  }
  func optionalInt(_ key: String) -> Int? {
    guard case .number(let d)? = self[key] else { return nil }
    return Int(exactly: d)
  }
  func double(_ key: String) -> Double? {
    guard case .number(let d)? = self[key] else { return nil }
    return d
  }
  func bool(_ key: String) -> Bool? {
    guard case .bool(let b)? = self[key] else { return nil }
    return b
  }
  func string(_ key: String) -> String? {
    guard case .string(let s)? = self[key] else { return nil }
    return s
  }
}

/// One case: a layer or function, its config, seed, inputs, and what PyTorch computed.
struct SequenceFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let layer: String
  let config: [String: SequenceFixtureValue]
  let seed: UInt64
  let call: [String: SequenceFixtureValue]
  let state: [String: OpFixtureTensor]
  let inputs: [String: OpFixtureTensor]
  let requiresGrad: [String]
  let outputs: [String: OpFixtureTensor]
  let gradOutputs: [String: OpFixtureTensor]
  let grads: [String: OpFixtureTensor]

  var testDescription: String { name }

  private enum Keys: String, CodingKey {
    case name, layer, config, seed, call, state, inputs, requires_grad, outputs, grad_outputs,
      grads
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    name = try c.decode(String.self, forKey: .name)
    layer = try c.decode(String.self, forKey: .layer)
    config = try c.decode([String: SequenceFixtureValue].self, forKey: .config)
    seed = try c.decode(UInt64.self, forKey: .seed)
    call = try c.decode([String: SequenceFixtureValue].self, forKey: .call)
    state = try c.decode([String: OpFixtureTensor].self, forKey: .state)
    inputs = try c.decode([String: OpFixtureTensor].self, forKey: .inputs)
    requiresGrad = try c.decode([String].self, forKey: .requires_grad)
    outputs = try c.decode([String: OpFixtureTensor].self, forKey: .outputs)
    gradOutputs = try c.decode([String: OpFixtureTensor].self, forKey: .grad_outputs)
    grads = try c.decode([String: OpFixtureTensor].self, forKey: .grads)
  }
}

/// The whole file: PyTorch's version, the printed modules and the cases.
struct SequenceFixtureFile: Decodable, Sendable {
  let torch_version: String
  let reprs: [String: String]
  let cases: [SequenceFixtureCase]

  static func load() throws -> SequenceFixtureFile {
    let data = try Data(contentsOf: OpFixtureFile.url(named: "sequence.json"))
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try decoder.decode(SequenceFixtureFile.self, from: data)
  }
}
