// Sums and means equal PyTorch's to the last bit: Descent adds float32 in float32 in the order
// of PyTorch's CPU cascade_sum. PyTorch's values: Tests/Fixtures/make_summation_fixtures.py
// (summation.json), on one thread.
import Foundation
import Testing

@testable import Descent

/// One sum or mean and what PyTorch made of it.
struct SummationCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let shape: [Int]
  let salt: Int
  let dtype: String
  let op: String
  let dims: [Int]?
  let expected: [Double]

  var testDescription: String { name }

  /// The case's input: element i is ((i·7919 + salt·104729) mod 2001 − 1000) / 37 in the dtype,
  /// as the generator makes it.
  var input: Tensor {
    let count = shape.reduce(1, *)
    let numerators = (0..<count).map { ($0 * 7919 + salt * 104729) % 2001 - 1000 }
    if dtype == "float64" {
      return Tensor(shape: shape, scalars: numerators.map { Double($0) / 37 }, dtype: .float64)
    }
    return Tensor(shape: shape, scalars: numerators.map { Float($0) / 37 }, dtype: .float32)
  }

  /// Descent's answer, as Doubles.
  func computed() -> [Double] {
    let x = input
    let out: Tensor
    switch (op, dims) {
    case ("sum", nil): out = x.sum()
    case ("sum", let dims?): out = x.sum(dims: dims)
    case (_, nil): out = x.mean()
    case (_, let dims?): out = x.mean(dims: dims)
    }
    return out.toDoubles()
  }
}

struct SummationFile: Decodable {
  let torch: String
  let cases: [SummationCase]

  static let cases: [SummationCase] = {
    let url = OpFixtureFile.url(named: "summation.json")
    return (try? JSONDecoder().decode(SummationFile.self, from: Data(contentsOf: url)))?.cases
      ?? []
  }()
}

@Suite struct SummationOrderTests {
  @Test func theFixtureIsRead() {
    #expect(SummationFile.cases.count == 132)
  }

  @Test("sums and means equal PyTorch's bit for bit", arguments: SummationFile.cases)
  func bitForBit(_ fixture: SummationCase) {
    let got = fixture.computed()
    #expect(got.count == fixture.expected.count)
    let differing = zip(got, fixture.expected).enumerated().filter { $0.element.0 != $0.element.1 }
    #expect(differing.isEmpty, "first differences: \(differing.prefix(3))")
  }

  @Test func theNotesGradientOfTheBiasIsNotTwo() {
    // R4's first gradient of B: the sum of 0.2·2·(Yp − Y) over the five people. Added in
    // PyTorch's order, in float32, it is 2.0000002 (the notes print tensor(2.0000)); added in
    // Double and rounded once it would be exactly 2.
    let terms: [Float] = [1.0799999, -1.7200001, 1.7200001, -0.8, 1.7200001]
    let sum = Tensor(terms.map(Double.init)).sum()
    #expect(sum.item() == Double(Float(2).nextUp))
    #expect("\(sum)" == "tensor(2.0000)")
  }
}

// In the serialized GEMM suite: the thread count is process-wide.
extension GemmKernelTests {
  @Test("long sums are the same for any thread count") func sumsIgnoreThreadCount() {
    // The ones large enough to be split: long rows, and [500, 600] by columns and by rows.
    let long = SummationFile.cases.filter { $0.shape.reduce(1, *) >= 2 * elementwiseGrain }
    #expect(long.count == 6)
    let saved = numThreads
    defer { setNumThreads(saved) }
    for threads in [1, 4] {
      setNumThreads(threads)
      for fixture in long {
        #expect(fixture.computed() == fixture.expected, "\(fixture.name), \(threads) threads")
      }
    }
  }
}
