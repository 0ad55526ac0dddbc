import Foundation
import Testing

@testable import Descent

/// Every case of Tests/Fixtures/losses.json (PyTorch's values and gradients, made by
/// make_loss_fixtures.py) run through both forms of each loss, the function and the module:
/// the output, then the input's and target's gradients after `backward(gradient:)` with the
/// recorded upstream gradient. Float32 agrees within 1e-5 relative (+1e-6 absolute), float64
/// within 1e-9 relative.
@Suite("Losses match PyTorch's values and gradients")
struct LossFixtureTests {
  static let cases: [LossFixtureCase] = (try? LossFixtureFile.loaded.get().cases) ?? []

  @Test func fixtureLoads() throws {
    let file = try LossFixtureFile.loaded.get()
    #expect(file.cases.count >= 140)
    #expect(Set(file.cases.map(\.name)).count == file.cases.count, "case names must be unique")
    let losses = Set(file.cases.map(\.loss))
    #expect(losses.count == 8, "\(losses.sorted())")
  }

  @Test(arguments: cases)
  func functionMatchesPyTorch(_ c: LossFixtureCase) {
    for problem in check(c, module: false) { Issue.record("\(c.name) [function]: \(problem)") }
  }

  @Test(arguments: cases)
  func moduleMatchesPyTorch(_ c: LossFixtureCase) {
    for problem in check(c, module: true) { Issue.record("\(c.name) [module]: \(problem)") }
  }

  /// Runs one case; returns what differed from PyTorch, empty when everything agrees.
  func check(_ c: LossFixtureCase, module: Bool) -> [String] {
    let input = c.input.makeTensor(requiresGrad: true)
    let target = c.target.makeTensor(requiresGrad: c.gradTarget != nil)
    let output = run(c, input, target, module: module)
    var problems = lossMismatches(output, c.output, "output")
    guard problems.isEmpty else { return problems }
    output.backward(gradient: c.gradOutput.makeTensor(requiresGrad: false))
    problems += lossMismatches(input.grad, c.gradInput, "grad_input")
    if let expected = c.gradTarget {
      problems += lossMismatches(target.grad, expected, "grad_target")
    }
    return problems
  }

  func run(_ c: LossFixtureCase, _ x: Tensor, _ y: Tensor, module: Bool) -> Tensor {
    let o = c.options
    let r = o.reduction
    let w = c.weight?.makeTensor(requiresGrad: false)
    let pw = c.posWeight?.makeTensor(requiresGrad: false)
    let ignore = o.ignoreIndex ?? -100
    switch (c.loss, module) {
    case ("mse_loss", false): return mseLoss(x, y, reduction: r)
    case ("mse_loss", true): return MSELoss(reduction: r)(x, y)
    case ("l1_loss", false): return l1Loss(x, y, reduction: r)
    case ("l1_loss", true): return L1Loss(reduction: r)(x, y)
    case ("smooth_l1_loss", false): return smoothL1Loss(x, y, reduction: r, beta: o.beta!)
    case ("smooth_l1_loss", true): return SmoothL1Loss(reduction: r, beta: o.beta!)(x, y)
    case ("huber_loss", false): return huberLoss(x, y, reduction: r, delta: o.delta!)
    case ("huber_loss", true): return HuberLoss(reduction: r, delta: o.delta!)(x, y)
    case ("binary_cross_entropy", false):
      return binaryCrossEntropy(x, y, weight: w, reduction: r)
    case ("binary_cross_entropy", true): return BCELoss(weight: w, reduction: r)(x, y)
    case ("binary_cross_entropy_with_logits", false):
      return binaryCrossEntropyWithLogits(x, y, weight: w, reduction: r, posWeight: pw)
    case ("binary_cross_entropy_with_logits", true):
      return BCEWithLogitsLoss(weight: w, reduction: r, posWeight: pw)(x, y)
    case ("nll_loss", false): return nllLoss(x, y, weight: w, ignoreIndex: ignore, reduction: r)
    case ("nll_loss", true): return NLLLoss(weight: w, ignoreIndex: ignore, reduction: r)(x, y)
    case ("cross_entropy", false):
      return crossEntropy(
        x, y, weight: w, ignoreIndex: ignore, reduction: r, labelSmoothing: o.labelSmoothing ?? 0)
    case ("cross_entropy", true):
      return CrossEntropyLoss(
        weight: w, ignoreIndex: ignore, reduction: r, labelSmoothing: o.labelSmoothing ?? 0)(x, y)
    default:
      Issue.record("\(c.name): unknown loss \(c.loss)")
      return Tensor.zeros([])
    }
  }
}

// MARK: Decoding

/// A tensor recorded by make_loss_fixtures.py: shape, dtype and row-major data. Non-finite
/// floats are the strings "nan", "inf" and "-inf" (JSON has no literal for them).
struct LossFixtureTensor: Decodable, Sendable {
  let shape: [Int]
  let dtype: DType
  let floats: [Double]
  let integers: [Int64]

  private enum Keys: String, CodingKey { case shape, dtype, data }

  private struct Number: Decodable {
    let value: Double
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let value = try? c.decode(Double.self) {
        self.value = value
        return
      }
      switch try c.decode(String.self) {
      case "nan": value = .nan
      case "inf": value = .infinity
      case "-inf": value = -.infinity
      case let other:
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "bad number \(other)")
      }
    }
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    shape = try c.decode([Int].self, forKey: .shape)
    switch try c.decode(String.self, forKey: .dtype) {
    case "float32": dtype = .float32
    case "float64": dtype = .float64
    case "int64": dtype = .int64
    case let other:
      throw DecodingError.dataCorruptedError(
        forKey: .dtype, in: c, debugDescription: "unknown dtype \(other)")
    }
    if dtype == .int64 {
      integers = try c.decode([Int64].self, forKey: .data)
      floats = []
    } else {
      floats = try c.decode([Number].self, forKey: .data).map(\.value)
      integers = []
    }
  }

  /// A new leaf holding these values.
  func makeTensor(requiresGrad: Bool) -> Tensor {
    switch dtype {
    case .int64: return Tensor(shape: shape, scalars: integers)
    case .float32:
      return Tensor(shape: shape, scalars: floats.map { Float($0) }, requiresGrad: requiresGrad)
    default: return Tensor(shape: shape, scalars: floats, requiresGrad: requiresGrad)
    }
  }
}

/// A loss's options as make_loss_fixtures.py writes them.
struct LossFixtureOptions: Decodable, Sendable {
  let reduction: Reduction
  let beta: Double?
  let delta: Double?
  let ignoreIndex: Int?
  let labelSmoothing: Double?

  private enum Keys: String, CodingKey {
    case reduction, beta, delta
    case ignoreIndex = "ignore_index"
    case labelSmoothing = "label_smoothing"
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    let name = try c.decode(String.self, forKey: .reduction)
    guard let reduction = Reduction(rawValue: name) else {
      throw DecodingError.dataCorruptedError(
        forKey: .reduction, in: c, debugDescription: "unknown reduction \(name)")
    }
    self.reduction = reduction
    beta = try c.decodeIfPresent(Double.self, forKey: .beta)
    delta = try c.decodeIfPresent(Double.self, forKey: .delta)
    ignoreIndex = try c.decodeIfPresent(Int.self, forKey: .ignoreIndex)
    labelSmoothing = try c.decodeIfPresent(Double.self, forKey: .labelSmoothing)
  }
}

/// One case: a loss, its operands and options, and what PyTorch computed.
struct LossFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let loss: String
  let options: LossFixtureOptions
  let input: LossFixtureTensor
  let target: LossFixtureTensor
  let weight: LossFixtureTensor?
  let posWeight: LossFixtureTensor?
  let output: LossFixtureTensor
  let gradOutput: LossFixtureTensor
  let gradInput: LossFixtureTensor
  let gradTarget: LossFixtureTensor?

  private enum CodingKeys: String, CodingKey {
    case name, loss, options, input, target, weight, output
    case posWeight = "pos_weight"
    case gradOutput = "grad_output"
    case gradInput = "grad_input"
    case gradTarget = "grad_target"
  }

  var testDescription: String { name }
}

struct LossFixtureFile: Decodable, Sendable {
  let cases: [LossFixtureCase]

  /// The fixture next to the test sources: Tests/Fixtures/losses.json.
  static let loaded: Result<LossFixtureFile, Error> = Result {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/losses.json")
    return try JSONDecoder().decode(LossFixtureFile.self, from: Data(contentsOf: url))
  }
}

// MARK: Comparison

/// What differs between `actual` and PyTorch's `expected`: dtype, shape, or values beyond
/// the tolerance of the dtype (NaN matches NaN, an infinity the same infinity).
func lossMismatches(_ actual: Tensor?, _ expected: LossFixtureTensor, _ label: String) -> [String] {
  guard let actual else { return ["\(label): missing (nil)"] }
  if actual.dtype != expected.dtype {
    return ["\(label): dtype \(actual.dtype), PyTorch \(expected.dtype)"]
  }
  if actual.shape != expected.shape {
    return ["\(label): shape \(actual.shape), PyTorch \(expected.shape)"]
  }
  let (relative, absolute) = actual.dtype == .float32 ? (1e-5, 1e-6) : (1e-9, 0.0)
  var problems: [String] = []
  for (index, (a, e)) in zip(actual.toDoubles(), expected.floats).enumerated() {
    let agrees =
      (a.isNaN && e.isNaN) || a == e
      || (e.isFinite && Swift.abs(a - e) <= relative * Swift.abs(e) + absolute)
    if !agrees { problems.append("\(label)[\(index)]: \(a), PyTorch \(e)") }
  }
  return problems
}
