import Foundation
import Testing

@testable import Descent

/// One `repr(tensor)` recorded from PyTorch by Tests/Fixtures/make_print_fixtures.py.
private struct PrintCase: Decodable, CustomTestStringConvertible {
  let name: String
  let shape: [Int]
  let dtype: DType
  let values: FormatterValues
  let suffixes: [String]
  let expected: String
  /// For a view case: the steps that make the printed view of the tensor above.
  let view: [ViewStep]?
  let contiguous: Bool?

  var testDescription: String { name }

  private enum Keys: String, CodingKey {
    case name, shape, dtype, values, suffixes, expected, view, contiguous
  }

  /// JSON has no nan or inf; the generator writes those (and -0.0) as strings.
  private struct JSONFloat: Decodable {
    let value: Double
    init(from decoder: Decoder) throws {
      let container = try decoder.singleValueContainer()
      if let text = try? container.decode(String.self) {
        switch text {
        case "nan": value = .nan
        case "inf": value = .infinity
        case "-inf": value = -.infinity
        case "-0.0": value = -0.0
        default:
          throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "unknown float \(text)")
        }
      } else {
        value = try container.decode(Double.self)
      }
    }
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    name = try c.decode(String.self, forKey: .name)
    shape = try c.decode([Int].self, forKey: .shape)
    suffixes = try c.decodeIfPresent([String].self, forKey: .suffixes) ?? []
    expected = try c.decode(String.self, forKey: .expected)
    view = try c.decodeIfPresent([ViewStep].self, forKey: .view)
    contiguous = try c.decodeIfPresent(Bool.self, forKey: .contiguous)
    switch try c.decode(String.self, forKey: .dtype) {
    case "float32":
      dtype = .float32
      values = .floating(try c.decode([JSONFloat].self, forKey: .values).map(\.value))
    case "float64":
      dtype = .float64
      values = .floating(try c.decode([JSONFloat].self, forKey: .values).map(\.value))
    case "int64":
      dtype = .int64
      values = .integer(try c.decode([Int64].self, forKey: .values))
    case "bool":
      dtype = .bool
      values = .boolean(try c.decode([Bool].self, forKey: .values))
    case let other:
      throw DecodingError.dataCorruptedError(
        forKey: .dtype, in: c, debugDescription: "unknown dtype \(other)")
    }
  }

  static func loadAll() throws -> [PrintCase] {
    let url = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/printing.json")
    return try JSONDecoder().decode([PrintCase].self, from: Data(contentsOf: url))
  }
}

@Suite("Tensor printing matches PyTorch's repr")
struct TensorFormatterTests {
  /// Loaded once; a broken fixture fails the coverage test instead of crashing discovery.
  private static let cases: [PrintCase] = (try? PrintCase.loadAll()) ?? []

  @Test func fixturesLoadAndCoverTheRules() throws {
    let cases = try PrintCase.loadAll()
    #expect(cases.count >= 60)
    #expect(cases.filter { $0.view != nil }.count == 14)
    #expect(Set(cases.map(\.name)).count == cases.count, "case names must be unique")
  }

  @Test(arguments: cases.filter { $0.view == nil })
  fileprivate func matchesPyTorch(_ c: PrintCase) {
    let got = formatTensor(c.values, shape: c.shape, dtype: c.dtype, suffixes: c.suffixes)
    #expect(
      got == c.expected, "case \(c.name):\n--- got ---\n\(got)\n--- PyTorch ---\n\(c.expected)")
  }

  /// Non-contiguous views printed through `description`, which reads their strides.
  @Test(arguments: cases.filter { $0.view != nil })
  fileprivate func viewPrintsAsPyTorch(_ c: PrintCase) throws {
    let view = try c.view!.reduce(c.baseTensor()) { try $1.apply(to: $0) }
    #expect(view.isContiguous == c.contiguous)
    #expect(
      view.description == c.expected,
      "case \(c.name):\n--- got ---\n\(view.description)\n--- PyTorch ---\n\(c.expected)")
  }

  @Test func negativeZeroSurvivesDecoding() throws {
    let c = try #require(Self.cases.first { $0.name == "vec_negative_zero" })
    guard case .floating(let v) = c.values else { Issue.record("not floating"); return }
    #expect(v[0] == 0 && v[0].sign == .minus)
  }

  @Test func largeRowsWithoutSummaryKeepEveryElement() {
    // 1000 elements is not above the threshold: no `...`, but wrapped rows.
    let text = formatTensor(
      .integer((0..<1000).map(Int64.init)), shape: [1000], dtype: .int64, suffixes: [])
    #expect(!text.contains("..."))
    #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
  }
}

/// One step of a view case (make_print_fixtures.py's `apply_view`).
private struct ViewStep: Decodable {
  let op: String
  let dim0, dim1, dim, start, end, step, index: Int?
  let dims, shape: [Int]?

  func apply(to t: Tensor) throws -> Tensor {
    switch op {
    case "transpose": return t.transpose(try #require(dim0), try #require(dim1))
    case "t": return t.t()
    case "permute": return t.permute(try #require(dims))
    case "slice":
      return t.slice(
        try #require(dim), start: try #require(start), end: try #require(end),
        step: try #require(step))
    case "select": return t.select(try #require(dim), try #require(index))
    case "expand": return t.expand(try #require(shape))
    default: throw CocoaError(.coderReadCorrupt)
    }
  }
}

extension PrintCase {
  /// The base tensor of a view case, a leaf that requires grad when PyTorch's did.
  func baseTensor() -> Tensor {
    let requiresGrad = expected.contains("grad_fn=")
    switch values {
    case .floating(let v) where dtype == .float32:
      return Tensor(shape: shape, scalars: v.map { Float($0) }, requiresGrad: requiresGrad)
    case .floating(let v): return Tensor(shape: shape, scalars: v, requiresGrad: requiresGrad)
    case .integer(let v): return Tensor(shape: shape, scalars: v)
    case .boolean(let v): return Tensor(shape: shape, scalars: v)
    }
  }
}
