// parallelFor and parallelChunks: the ranges cover the loop exactly once, split on multiples of
// the grain, and chunked results do not depend on the thread count.
import CDescentKernels
import Synchronization
import Testing

@testable import Descent

/// Runs `body` with `threads` threads, restoring the setting afterwards.
private func withThreads<R>(_ threads: Int, _ body: () -> R) -> R {
  let saved = numThreads
  setNumThreads(threads)
  defer { setNumThreads(saved) }
  return body()
}

/// The ranges parallelFor hands out for (count, grain), sorted.
private func ranges(_ count: Int, grain: Int) -> [Range<Int>] {
  let collected = Mutex<[Range<Int>]>([])
  parallelFor(count, grain: grain) { range in collected.withLock { $0.append(range) } }
  return collected.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
}

// In the serialized GEMM suite: the thread count is process-wide.
extension GemmKernelTests {
  @Test("parallelFor: ranges cover the loop on grain boundaries") func parallelRanges() {
    let cores = Int(descent_usable_cores())
    for threads in [1, 2, 3, 8] {
      withThreads(threads) {
        for (count, grain) in [(1, 1), (10, 3), (1000, 7), (1000, 1000), (1001, 1000), (5, 100)] {
          let got = ranges(count, grain: grain)
          // Contiguous, disjoint, exactly 0..<count.
          #expect(got.first?.lowerBound == 0 && got.last?.upperBound == count)
          #expect(zip(got, got.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
          #expect(got.allSatisfy { !$0.isEmpty && $0.lowerBound % grain == 0 })
          // No more ranges than grains, threads or cores.
          let limit = min((count + grain - 1) / grain, threads, cores)
          #expect(got.count <= limit, "count \(count) grain \(grain) threads \(threads)")
          if threads == 1 || count <= grain { #expect(got == [0..<count]) }
        }
      }
    }
  }

  @Test("parallelFor: every index once with more threads than cores") func parallelEveryIndex() {
    withThreads(4) {
      let n = 100_003
      var hits = [UInt8](repeating: 0, count: n)
      hits.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress!
        parallelFor(n, grain: 1000) { range in
          for i in range { base[i] &+= 1 }
        }
      }
      #expect(hits.allSatisfy { $0 == 1 })
    }
  }

  @Test("parallelFor: nested loops run on the calling thread") func parallelNested() {
    withThreads(2) {
      let total = Atomic<Int>(0)
      parallelFor(8, grain: 1) { outer in
        parallelFor(100, grain: 10) { inner in
          total.add(inner.count * outer.count, ordering: .relaxed)
        }
      }
      #expect(total.load(ordering: .relaxed) == 800)
    }
  }

  @Test("parallelChunks: a chunked sum is the same with any thread count") func parallelChunkedSum()
  {
    let values = (0..<50_000).map { Float(($0 * 7919) % 1000) / 997 }
    func sum() -> (Float, Int) {
      let partial = values.withUnsafeBufferPointer { x in
        parallelChunks(x.count, chunk: 4096) { range in range.reduce(Float(0)) { $0 + x[$1] } }
      }
      return (partial.reduce(0, +), partial.count)
    }
    let one = withThreads(1, sum)
    #expect(one.1 == 13)
    let sequential = stride(from: 0, to: values.count, by: 4096).map { start in
      values[start..<min(start + 4096, values.count)].reduce(Float(0), +)
    }.reduce(0, +)
    #expect(one.0.bitPattern == sequential.bitPattern)
    for threads in [2, 3, 5] {
      #expect(withThreads(threads, sum).0.bitPattern == one.0.bitPattern)
    }
    #expect(parallelChunks(0, chunk: 10) { $0.count }.isEmpty)
  }
}
