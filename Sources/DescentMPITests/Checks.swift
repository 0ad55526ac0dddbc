import Descent
import Foundation

/// Expectations of one suite on one rank. Failures are printed at once, with the rank; at the
/// end the ranks agree on a verdict (an all-reduce of the failure counts), so that every rank
/// exits with the same status and rank 0 prints one summary line.
final class Checks {
  let suite: String
  let group: ProcessGroup
  private(set) var passed = 0
  private(set) var failed = 0

  init(suite: String, group: ProcessGroup) {
    self.suite = suite
    self.group = group
  }

  /// Records `condition`; `message` says what was expected and what came.
  func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if condition {
      passed += 1
    } else {
      failed += 1
      printError("FAIL [\(suite)] rank \(group.rank): \(message())")
    }
  }

  /// Prints the suite's verdict on rank 0 and returns whether every rank passed.
  func finish() -> Bool {
    let counts = Tensor(shape: [2], scalars: [Int64(passed), Int64(failed)])
    group.allReduce(counts, op: .sum)
    let totals = counts.toArray(as: Int64.self)
    if group.rank == 0 {
      print(
        "\(totals[1] == 0 ? "PASS" : "FAIL") [\(suite)] \(totals[0]) checks passed, \(totals[1]) failed on \(group.size) ranks (\(group.backend))"
      )
    }
    return totals[1] == 0
  }
}

/// Writes a line to standard output at once, so that it reaches a log in order with the output
/// of the jobs the driver starts.
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes a line to standard error.
func printError(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A deterministic small integer for rank `rank`, element `index`, in -1000…1000: sums over a
/// few ranks stay exact in float32, so results compare bit for bit.
@inline(__always)
func pattern(_ rank: Int, _ index: Int) -> Int64 {
  let mixed = UInt64(truncatingIfNeeded: index) &* 2_654_435_761 ^ UInt64(rank) &* 40_503
  return Int64(mixed % 2001) - 1000
}

/// An element type under test, with how to build a tensor of it and compare results.
protocol CheckedScalar: TensorScalar, Equatable {
  init(pattern value: Int64)
  /// The sum of `size` values divided as `.avg` divides it.
  static func average(_ sum: Self, _ size: Int) -> Self
  static func + (a: Self, b: Self) -> Self
  static func < (a: Self, b: Self) -> Bool
}

extension Float: CheckedScalar {
  init(pattern value: Int64) { self = Float(value) }
  static func average(_ sum: Float, _ size: Int) -> Float { sum / Float(size) }
}

extension Double: CheckedScalar {
  init(pattern value: Int64) { self = Double(value) }
  static func average(_ sum: Double, _ size: Int) -> Double { sum / Double(size) }
}

extension Int64: CheckedScalar {
  init(pattern value: Int64) { self = value }
  static func average(_ sum: Int64, _ size: Int) -> Int64 { sum / Int64(size) }
}

/// Rank `rank`'s values for a tensor of `count` elements.
func patternValues<T: CheckedScalar>(_: T.Type, rank: Int, count: Int, offset: Int = 0) -> [T] {
  (0..<count).map { T(pattern: pattern(rank, offset + $0)) }
}

/// The first index where two arrays differ, for messages.
func firstMismatch<T: Equatable>(_ a: [T], _ b: [T]) -> String {
  guard a.count == b.count else { return "counts \(a.count) and \(b.count)" }
  guard let index = a.indices.first(where: { a[$0] != b[$0] }) else { return "none" }
  return "element \(index): \(a[index]) instead of \(b[index])"
}
