// The thread pool behind GEMM: split products equal the naive result and, bit for bit, the
// one-thread result on every kernel path; the thread count setting; concurrent callers.
import CDescentKernels
import Dispatch
import Synchronization
import Testing

@testable import Descent

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Odd shapes (M, N, K) with 1, 7, 33 and 1000 in some dimension, split along M (M >= N) or N.
private let threadShapes: [(Int, Int, Int)] = [
  (1, 1, 1), (7, 7, 7), (33, 33, 33), (1000, 7, 33), (7, 1000, 33), (33, 7, 1000), (1, 1000, 7),
  (1000, 1, 7), (70, 90, 450), (1030, 3, 5), (3, 1100, 5), (45, 33, 1),
]

/// Every shape and transpose with 1, 2 and 3 threads (split at any size); the first mismatch.
func checkThreads<T: GemmScalar>(_: T.Type, seed: UInt64) -> String? {
  var rng = XorShift(state: seed)
  let scalings = [(1.5, -0.5), (-0.75, 0.0), (1.0, 1.0)]
  var round = 0
  for (m, n, k) in threadShapes {
    for transA in [false, true] {
      for transB in [false, true] {
        let (alpha, beta) = scalings[round % scalings.count]
        round += 1
        if let failure = checkOne(
          T.self, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
          pad: (m + n) % 5 + 1, rng: &rng, threads: [1, 2, 3])
        {
          return failure
        }
      }
    }
  }
  return nil
}

/// C = A B for dense row-major A (m x k) and B (k x n), C first filled with NaN (beta = 0).
private func sgemmProduct(_ a: [Float], _ b: [Float], _ m: Int, _ n: Int, _ k: Int) -> [Float] {
  var c = [Float](repeating: .nan, count: m * n)
  a.withUnsafeBufferPointer { ap in
    b.withUnsafeBufferPointer { bp in
      c.withUnsafeMutableBufferPointer { cp in
        descent_sgemm(
          0, 0, m, n, k, 1, ap.baseAddress!, k, bp.baseAddress!, n, 0, cp.baseAddress!, n)
      }
    }
  }
  return c
}

/// Runs `body` with the GEMM split at any size, restoring the thread count and threshold after.
func withSplitting<R>(_ body: () -> R) -> R {
  let savedThreads = descent_get_num_threads()
  let savedThreshold = descent_gemm_set_thread_threshold(0)
  defer {
    descent_set_num_threads(savedThreads)
    descent_gemm_set_thread_threshold(savedThreshold)
  }
  return body()
}

/// Every shape with 1, 2 and 3 threads on the forced `path`: the first mismatch, or which
/// kernels ran instead.
func threadFailureOnPath<T: GemmScalar>(_ path: String, _: T.Type, seed: UInt64) -> String? {
  failureOnPath(path) { withSplitting { checkThreads(T.self, seed: seed) } }
}

// In the serialized GEMM suite: the thread count is process-wide.
extension GemmKernelTests {
  @Test("concurrent GEMM calls from several threads give the one-thread result")
  func concurrentCallers() {
    let (m, n, k) = (70, 300, 90)
    var rng = XorShift(state: 0x1234_5678_9ABC_DEF1)
    let a = (0..<m * k).map { _ in Float(rng.next()) }
    let b = (0..<k * n).map { _ in Float(rng.next()) }
    withSplitting {
      descent_set_num_threads(1)
      let expected = sgemmProduct(a, b, m, n, k)
      descent_set_num_threads(3)
      // Each caller either gets the pool or runs on its own thread; all must finish and agree.
      let mismatches = Atomic<Int>(0)
      DispatchQueue.concurrentPerform(iterations: 6) { _ in
        for _ in 0..<20 {
          let c = sgemmProduct(a, b, m, n, k)
          if !zip(c, expected).allSatisfy({ $0.bitPattern == $1.bitPattern }) {
            mismatches.add(1, ordering: .relaxed)
          }
        }
      }
      #expect(mismatches.load(ordering: .relaxed) == 0)
    }
    // The Tensor API through the pool as well.
    withSplitting {
      descent_set_num_threads(2)
      let x = Tensor.arange(0, 12 * 40, dtype: .float64).reshaped(12, 40) / 100
      let y = Tensor.arange(0, 40 * 9, dtype: .float64).reshaped(40, 9) / 50
      let z = x.matmul(y)
      descent_set_num_threads(1)
      let z1 = x.matmul(y)
      #expect(z.shape == [12, 9])
      #expect(
        zip(z.toArray(as: Double.self), z1.toArray(as: Double.self)).allSatisfy {
          $0.bitPattern == $1.bitPattern
        })
    }
  }

  @Test("thread count: set, clamp, refuse below 1")
  func threadCountSetting() {
    let saved = numThreads
    defer { descent_set_num_threads(Int32(saved)) }
    setNumThreads(3)
    #expect(numThreads == 3)
    #expect(descent_set_num_threads(0) == -1)
    #expect(descent_set_num_threads(-4) == -1)
    #expect(numThreads == 3)
    setNumThreads(100_000)
    #expect(numThreads == Int(DESCENT_MAX_THREADS))
    setNumThreads(1)
    #expect(numThreads == 1)
  }
}

@Suite struct ThreadSettingTests {
  @Test func zeroThreadsStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      setNumThreads(0)
    }
    expectStopMessage(result, op: "setNumThreads", ["expected a positive number of threads, got 0"])
  }

  @Test func negativeThreadsStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      setNumThreads(-2)
    }
    expectStopMessage(result, op: "setNumThreads", ["got -2"])
  }

  // A fresh process reads DESCENT_NUM_THREADS at the first use of the setting.
  @Test func environmentVariable() async {
    await #expect(processExitsWith: .success) {
      setenv("DESCENT_NUM_THREADS", "3", 1)
      exit(numThreads == 3 ? 0 : 1)
    }
    await #expect(processExitsWith: .success) {
      setenv("DESCENT_NUM_THREADS", "zero", 1)
      exit(numThreads == 1 ? 0 : 1)
    }
    await #expect(processExitsWith: .success) {
      unsetenv("DESCENT_NUM_THREADS")
      exit(numThreads == 1 ? 0 : 1)
    }
  }
}
