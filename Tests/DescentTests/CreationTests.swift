import Foundation
import Testing

@testable import Descent

/// Factory functions against the values PyTorch printed (Tests/Fixtures/creation.json, made by
/// make_creation_fixtures.py), bit for bit.
@Suite struct CreationTests {
  struct Values: Decodable {
    let shape: [Int]
    let dtype: String
    let values: [Double]
  }
  struct LinspaceCase: Decodable {
    let start, end: Double
    let steps: Int
    let expected: Values
    enum CodingKeys: CodingKey { case start, end, steps }
    init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      (start, end, steps) = (
        try c.decode(Double.self, forKey: .start), try c.decode(Double.self, forKey: .end),
        try c.decode(Int.self, forKey: .steps)
      )
      expected = try Values(from: decoder)
    }
  }
  struct ArangeCase: Decodable {
    let start, end, step: Double
    let requested: String?
    let expected: Values
    enum CodingKeys: String, CodingKey { case start, end, step, requested = "requested_dtype" }
    init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      (start, end, step) = (
        try c.decode(Double.self, forKey: .start), try c.decode(Double.self, forKey: .end),
        try c.decode(Double.self, forKey: .step)
      )
      requested = try c.decodeIfPresent(String.self, forKey: .requested)
      expected = try Values(from: decoder)
    }
  }
  struct EyeCase: Decodable {
    let n, m: Int
    let values: [Double]
  }
  struct Fixture: Decodable {
    let linspace: [LinspaceCase]
    let arange: [ArangeCase]
    let eye: [EyeCase]
  }

  static let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/creation.json")
    return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }()

  static func dtype(_ name: String) -> DType {
    switch name {
    case "float64": return .float64
    case "int64": return .int64
    default: return .float32
    }
  }

  /// The dtype, shape and values (int64 ones compared as integers).
  func expectSame(_ t: Tensor, _ expected: Values, _ what: String) {
    #expect(t.dtype == Self.dtype(expected.dtype), "\(what): dtype")
    #expect(t.shape == expected.shape, "\(what): shape")
    if t.dtype == .int64 {
      #expect(t.toArray(as: Int64.self) == expected.values.map { Int64($0) }, "\(what)")
    } else {
      #expect(t.toDoubles() == expected.values, "\(what)")
    }
  }

  @Test func linspaceMatchesPyTorchBitForBit() {
    #expect(Self.fixture.linspace.count == 9)
    for c in Self.fixture.linspace {
      let t = Tensor.linspace(c.start, c.end, count: c.steps, dtype: Self.dtype(c.expected.dtype))
      expectSame(t, c.expected, "linspace(\(c.start), \(c.end), \(c.steps))")
    }
  }

  @Test func arangeTypesAndValues() {
    #expect(Self.fixture.arange.count == 9)
    for c in Self.fixture.arange {
      let t = Tensor.arange(c.start, c.end, step: c.step, dtype: c.requested.map(Self.dtype))
      expectSame(t, c.expected, "arange(\(c.start), \(c.end), \(c.step))")
    }
    #expect(Tensor.arange(5).dtype == .int64)
  }

  @Test func eyeMatchesPyTorch() {
    for c in Self.fixture.eye {
      #expect(Tensor.eye(c.n, c.m).toDoubles() == c.values, "eye(\(c.n), \(c.m))")
    }
  }

  @Test func eyeZerosOnesFull() {
    #expect(Tensor.eye(3).sum().item() == 3)
    #expect(Tensor.zeros([2, 2]).toDoubles() == [0, 0, 0, 0])
    #expect(Tensor.ones([3], dtype: .int64).toArray(as: Int64.self) == [1, 1, 1])
    #expect(Tensor.full([2], 2.5, dtype: .float64).toDoubles() == [2.5, 2.5])
    #expect(Tensor.zeros([0, 3]).count == 0)
  }

  @Test func literalsAndTypedArrays() {
    #expect(Tensor([[1], [2]]).shape == [2, 1])
    #expect(Tensor([1, 2, 3]).dtype == .float32)
    #expect(Tensor(integers: [0, 2, 1]).dtype == .int64)
    #expect(Tensor([true, false]).dtype == .bool)
    #expect(Tensor([Float(1.5)]).dtype == .float32)
    #expect(Tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]).shape == [2, 2, 2])
    #expect(Tensor(shape: [2, 2], scalars: [1.0, 2, 3, 4]).dtype == .float64)
    #expect(Tensor(3.5).shape == [])
  }
}
