import Foundation
import Testing

@testable import Descent

/// Every case of Tests/Fixtures/vocabulary.json (made by make_vocabulary_fixtures.py) run
/// through Descent's public API, compared with PyTorch's output, indices and gradients as the
/// ops.json cases are.
@Suite("Tensor vocabulary matches PyTorch's forward values and gradients")
struct VocabularyFixtureTests {
  static let loaded: Result<OpFixtureFile, any Error> = Result {
    try OpFixtureFile.load(from: OpFixtureFile.url(named: "vocabulary.json"))
  }
  static let cases: [OpFixtureCase] = (try? loaded.get().cases) ?? []

  @Test func fixtureLoads() throws {
    let file = try Self.loaded.get()
    #expect(file.cases.count >= 100)
    #expect(Set(file.cases.map(\.name)).count == file.cases.count, "case names must be unique")
    for c in file.cases where c.grads.count != c.inputs.count {
      Issue.record("\(c.name): \(c.grads.count) grads for \(c.inputs.count) inputs")
    }
    let byName = Dictionary(uniqueKeysWithValues: file.cases.map { ($0.name, $0) })
    // Non-finite values survive decoding, in arguments and in data.
    #expect(byName["masked_fill_f32_neg_inf"]?.args["value"] == .float(-.infinity))
    #expect(byName["masked_fill_i64_truncates"]?.args["value"] == .float(-2.7))
  }

  /// The layers print as PyTorch prints them.
  @Test func layersPrintAsPyTorch() throws {
    struct Reprs: Decodable { let reprs: [String: String] }
    let data = try Data(contentsOf: OpFixtureFile.url(named: "vocabulary.json"))
    let reprs = try JSONDecoder().decode(Reprs.self, from: data).reprs
    let layers: [String: Module] = [
      "softplus": Softplus(), "softplus_b2_t10": Softplus(beta: 2, threshold: 10), "silu": SiLU(),
      "mish": Mish(), "hardtanh": Hardtanh(), "hardtanh_m2_3": Hardtanh(minVal: -2, maxVal: 3),
      "logsigmoid": LogSigmoid(),
    ]
    #expect(Set(layers.keys) == Set(reprs.keys))
    for (key, layer) in layers { #expect(layer.description == reprs[key], "\(key)") }
  }

  @Test(arguments: cases)
  func matchesPyTorch(_ c: OpFixtureCase) {
    for problem in opFixtureProblems(c, Self.run) {
      Issue.record("\(c.name) (\(c.op)): \(problem)")
    }
  }

  /// The op of case `c` applied to `x` through Descent's public API.
  static func run(_ c: OpFixtureCase, _ x: [Tensor]) throws -> (output: Tensor, indices: Tensor?) {
    func input(_ i: Int) throws -> Tensor {
      guard i < x.count else { throw OpFixtureError("\(c.op) needs input \(i)") }
      return x[i]
    }
    let a = try input(0)
    let dim = c.has("dim") ? try c.int("dim") : nil
    switch c.op {
    case "masked_fill": return (a.maskedFill(try input(1), try c.number("value").value), nil)
    case "masked_fill_tensor": return (a.maskedFill(try input(1), try input(2)), nil)
    case "where": return (Tensor.where(a, try input(1), try input(2)), nil)
    case "tril": return (a.tril(diagonal: try c.int("diagonal")), nil)
    case "triu": return (a.triu(diagonal: try c.int("diagonal")), nil)
    case "bmm": return (a.bmm(try input(1)), nil)
    case "baddbmm":
      let (beta, alpha) = (try c.number("beta").value, try c.number("alpha").value)
      return (a.baddbmm(try input(1), try input(2), beta: beta, alpha: alpha), nil)
    case "cumsum": return (a.cumsum(dim: try c.int("dim")), nil)
    case "cumprod": return (a.cumprod(dim: try c.int("dim")), nil)
    case "one_hot": return (oneHot(a, numClasses: try c.int("num_classes")), nil)
    case "repeat": return (a.repeat(try c.ints("repeats")), nil)
    case "repeat_interleave": return (a.repeatInterleave(try c.int("repeats"), dim: dim), nil)
    case "repeat_interleave_tensor": return (a.repeatInterleave(try input(1), dim: dim), nil)
    case "flip": return (a.flip(try c.ints("dims")), nil)
    case "roll": return (a.roll(try c.ints("shifts"), dims: try c.ints("dims")), nil)
    default:
      if let result = try runElementwise(c, x) { return result }
      if let result = try runReductions(c, x) { return result }
      if let result = try runIndexing(c, x) { return result }
      throw OpFixtureError("unknown op '\(c.op)': teach VocabularyFixtureTests.run how to call it")
    }
  }
}
