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

  var testDescription: String { name }

  private enum Keys: String, CodingKey { case name, shape, dtype, values, suffixes, expected }

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
    suffixes = try c.decode([String].self, forKey: .suffixes)
    expected = try c.decode(String.self, forKey: .expected)
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
    #expect(Set(cases.map(\.name)).count == cases.count, "case names must be unique")
  }

  @Test(arguments: cases)
  fileprivate func matchesPyTorch(_ c: PrintCase) {
    let got = formatTensor(c.values, shape: c.shape, dtype: c.dtype, suffixes: c.suffixes)
    #expect(
      got == c.expected, "case \(c.name):\n--- got ---\n\(got)\n--- PyTorch ---\n\(c.expected)")
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
