import Foundation
import Testing

@testable import Descent

// Decoding of Tests/Fixtures/vision.json (made by make_vision_fixtures.py): op cases in the
// format of ops.json, and the layer sections.

/// A keyword argument of a case as Python wrote it.
enum VisionArg: Decodable, Sendable, Equatable {
  case int(Int)
  case double(Double)
  case bool(Bool)
  case ints([Int])
  case string(String)
  case null

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int.self) {
      self = .int(i)
    } else if let d = try? c.decode(Double.self) {
      self = .double(d)
    } else if let list = try? c.decode([Int].self) {
      self = .ints(list)
    } else {
      self = .string(try c.decode(String.self))
    }
  }
}

/// One op case: PyTorch's output and gradients for random inputs.
struct VisionCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let op: String
  let args: [String: VisionArg]
  let inputs: [OpFixtureTensor]
  let output: OpFixtureTensor
  let output_indices: OpFixtureTensor?
  let grad_output: OpFixtureTensor
  let grads: [OpFixtureTensor?]
  /// batch_norm: the running averages after the call.
  let running_after: [OpFixtureTensor]?
  /// Float32 convolutions: PyTorch's output and gradients for the same inputs in float64.
  let output_f64: OpFixtureTensor?
  let grads_f64: [OpFixtureTensor?]?

  var testDescription: String { name }

  /// A size, stride, padding or dilation: an Int or a list; `fallback` when absent.
  func spatial(_ key: String, _ fallback: any SpatialArgument) -> any SpatialArgument {
    switch args[key] {
    case .int(let i): return i
    case .ints(let list): return list
    default: return fallback
    }
  }

  /// A spatial argument that may be absent (a pooling's stride).
  func optionalSpatial(_ key: String) -> (any SpatialArgument)? {
    args[key] == nil || args[key] == .null ? nil : spatial(key, 0)
  }

  /// A convolution's padding: values or `'same'`/`'valid'`.
  var padding: any ConvPadding {
    switch args["padding"] {
    case .int(let i): return i
    case .ints(let list): return list
    case .string("same"): return PaddingRule.same
    case .string("valid"): return PaddingRule.valid
    default: return 0
    }
  }

  func int(_ key: String, _ fallback: Int) -> Int {
    if case .int(let i) = args[key] { return i }
    return fallback
  }

  func double(_ key: String) -> Double? {
    switch args[key] {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  func bool(_ key: String, _ fallback: Bool) -> Bool {
    if case .bool(let b) = args[key] { return b }
    return fallback
  }

  func ints(_ key: String) -> [Int] {
    switch args[key] {
    case .ints(let list): return list
    case .int(let i): return [i]
    default: return []
    }
  }
}

/// A tensor of the layer sections: shape and float values.
struct VisionStored: Decodable, Sendable {
  let shape: [Int]
  let data: [Double]
  var tensor: Tensor { Tensor(shape: shape, scalars: data.map { Float($0) }) }
}

struct VisionFixture: Decodable, Sendable {
  struct LeNet: Decodable, Sendable {
    let input: VisionStored
    let output: VisionStored
    let grads: [String: VisionStored]
  }
  struct Initialised: Decodable, Sendable {
    let name: String
    let seed: UInt64
    let weight: VisionStored
    let bias: VisionStored?
  }
  struct BatchNormRun: Decodable, Sendable {
    let output_train, grad_input, output_second_batch, output_eval: VisionStored
    let grad_weight, grad_bias, running_mean, running_var: VisionStored?
    let num_batches_tracked: Int?
  }
  struct BatchNorm2d: Decodable, Sendable {
    let input: VisionStored
    let grad_output: VisionStored
    let runs: [String: BatchNormRun]
  }
  struct Dropout2d: Decodable, Sendable {
    let seed: UInt64
    let p: Double
    let shape: [Int]
    let output: VisionStored
  }

  let torch_version: String
  let cases: [VisionCase]
  let lenet: LeNet
  let `init`: [Initialised]
  let repr: [String: String]
  let state_dict_keys: [String: [String]]
  let batchnorm2d: BatchNorm2d
  let dropout2d: Dropout2d
  let errors: [String: String]

  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures")

  static let loaded: Result<VisionFixture, any Error> = Result {
    try JSONDecoder().decode(
      VisionFixture.self,
      from: Data(contentsOf: fixtures.appendingPathComponent("vision.json")))
  }

  /// The fixture, or a placeholder-free failure: tests that need it `try` this.
  static func get() throws -> VisionFixture { try loaded.get() }

  /// PyTorch's message for `key` (an exit test's expected fragment).
  static func message(_ key: String) -> String {
    (try? loaded.get().errors[key]) ?? "missing fixture message \(key)"
  }
}

/// Where `actual` differs from `expected` (float32 within 1e-5 relative + 1e-6 absolute).
func visionMismatch(
  _ actual: Tensor?, _ expected: VisionStored?, _ what: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let actual, let expected else {
    if actual != nil || expected != nil {
      Issue.record("\(what): one side is missing", sourceLocation: sourceLocation)
    }
    return
  }
  #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
  guard actual.shape == expected.shape else { return }
  for (index, (a, e)) in zip(actual.toDoubles(), expected.data).enumerated()
  where Swift.abs(a - e) > 1e-5 * Swift.abs(e) + 1e-6 {
    Issue.record("\(what)[\(index)]: Descent \(a), PyTorch \(e)", sourceLocation: sourceLocation)
    return
  }
}

/// Where a float32 result differs from PyTorch's: within 1e-5 relative + 1e-6 absolute of
/// PyTorch's value, or, where the two round a long sum differently (GEMM kernels add in other
/// orders), at least as close to the exact (float64) result as PyTorch's value is.
func roundingAwareMismatches(
  _ actual: Tensor, _ expected: OpFixtureTensor, exact: OpFixtureTensor?, _ what: String
) -> [String] {
  guard let exact, case .floating(let want) = expected.values,
    case .floating(let truth) = exact.values, actual.shape == expected.shape
  else { return opFixtureMismatches(actual, expected, what) }
  var bad: [String] = []
  for (i, got) in actual.toDoubles().enumerated() {
    let (p, e) = (want[i], truth[i])
    if Swift.abs(got - p) <= 1e-5 * Swift.abs(p) + 1e-6 { continue }
    if Swift.abs(got - e) <= Swift.max(Swift.abs(p - e), 1e-5 * Swift.abs(e) + 1e-6) { continue }
    bad.append("[\(i)] \(got) vs \(p) (exact \(e))")
  }
  guard !bad.isEmpty else { return [] }
  return ["\(what): \(bad.count) elements differ: " + bad.prefix(5).joined(separator: ", ")]
}
