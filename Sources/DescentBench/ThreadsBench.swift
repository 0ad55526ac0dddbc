import CDescentKernels
import Descent
import Foundation

// `descent-bench threads`: where splitting work over the pool starts to pay on this machine.
//   - GEMM: float32 products of growing size, 1 thread against the split forced over all threads
//     (descent_gemm_set_thread_threshold(0)); the library's own threshold is printed alongside.
//   - Elementwise float32 add of n elements through parallelFor (grain n / threads), against one
//     plain loop.
// Each is timed "hot" (back to back: the workers are still spinning from the previous call) and
// "cold" (after a 2 ms pause: they have gone to sleep and need a wake-up). Medians of 31 calls,
// the two settings interleaved.

/// `count` floats, uniform in [-1, 1), allocated for the rest of the run.
private func randomFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
  let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
  for i in 0..<count { buffer[i] = Float.random(in: -1..<1) }
  return buffer
}

/// Median seconds per call of `body`, after `pause` seconds before each call (0: back to back).
private func timePerCall(pause: Double, repeats: Int, _ body: () -> Void) -> Double {
  var times: [Double] = []
  for _ in 0..<31 {
    if pause > 0 { usleep(UInt32(pause * 1e6)) }
    let start = now()
    for _ in 0..<repeats { body() }
    times.append((now() - start) / Double(repeats))
  }
  return median(times)
}

/// (one thread, all threads) seconds per call, interleaved twice.
private func compare(pause: Double, repeats: Int, one: () -> Void, all: () -> Void) -> (
  Double, Double
) {
  var a: [Double] = []
  var b: [Double] = []
  for _ in 0..<2 {
    a.append(timePerCall(pause: pause, repeats: repeats, one))
    b.append(timePerCall(pause: pause, repeats: repeats, all))
  }
  return (a.reduce(0, +) / 2, b.reduce(0, +) / 2)
}

@MainActor
func runThreadsBenchmark() {
  let all = numThreads
  let cores = Int(descent_usable_cores())
  print(
    "threads \(all), usable physical cores \(cores), GEMM path \(String(cString: descent_gemm_path()))"
  )
  if all < 2 {
    print("threads: needs at least 2 threads (--threads 2) to measure a split")
    return
  }
  // GEMM: C[m x n] = A[m x k] B[n x k]^T, as a Linear layer computes it.
  print("GEMM float32 (m x n x k), microseconds per product, 1 thread vs \(all) (split forced):")
  let shapes = [
    (16, 16, 64), (32, 32, 32), (32, 64, 64), (64, 64, 64), (64, 64, 128), (64, 128, 128),
    (128, 128, 128), (128, 128, 256), (128, 256, 256), (128, 256, 512), (128, 512, 784),
  ]
  let saved = descent_gemm_set_thread_threshold(0)
  for pause in [0.0, 0.002] {
    var breakEven: Int? = nil
    for (m, n, k) in shapes {
      let (pa, pw, pc) = (randomFloats(m * k), randomFloats(n * k), randomFloats(m * n))
      defer { [pa, pw, pc].forEach { $0.deallocate() } }
      let product = { descent_sgemm(0, 1, m, n, k, 1, pa, k, pw, k, 0, pc, n) }
      let repeats = pause > 0 ? 1 : Swift.max(1, 2_000_000 / (m * n * k))
      let (t1, tn) = compare(
        pause: pause, repeats: repeats,
        one: {
          descent_set_num_threads(1)
          product()
        },
        all: {
          descent_set_num_threads(Int32(all))
          product()
        })
      descent_set_num_threads(Int32(all))
      if t1 > tn, breakEven == nil { breakEven = m * n * k }
      if t1 <= tn { breakEven = nil }
      print(
        String(
          format: "  %@ %4d x %4d x %4d (%9d multiply-adds): %8.1f us vs %8.1f us, %.2fx",
          pause > 0 ? "cold" : "hot ", m, n, k, m * n * k, t1 * 1e6, tn * 1e6, t1 / tn))
    }
    let label = pause > 0 ? "cold" : "hot"
    print(
      "  GEMM \(label) break-even: \(breakEven.map { "\($0) multiply-adds" } ?? "none measured")")
  }
  descent_gemm_set_thread_threshold(saved)
  print(
    "  library threshold: \(descent_gemm_thread_threshold()) multiply-adds per thread, at most \(cores) threads"
  )

  print("Elementwise float32 add z = x + y, microseconds per call, 1 thread vs \(all):")
  for pause in [0.0, 0.002] {
    var breakEven: Int? = nil
    for exponent in stride(from: 10, through: 22, by: 2) {
      let n = 1 << exponent
      let (px, py, pz) = (randomFloats(n), randomFloats(n), randomFloats(n))
      defer { [px, py, pz].forEach { $0.deallocate() } }
      let grain = (n + all - 1) / all
      let repeats = pause > 0 ? 1 : Swift.max(1, (1 << 20) / n)
      let (t1, tn) = compare(
        pause: pause, repeats: repeats,
        one: {
          for i in 0..<n { pz[i] = px[i] + py[i] }
        },
        all: {
          parallelFor(n, grain: grain) { range in
            for i in range { pz[i] = px[i] + py[i] }
          }
        })
      if t1 > tn, breakEven == nil { breakEven = n }
      if t1 <= tn { breakEven = nil }
      print(
        String(
          format: "  %@ n = 2^%d (%8d): %8.2f us vs %8.2f us, %.2fx", pause > 0 ? "cold" : "hot ",
          exponent, n, t1 * 1e6, tn * 1e6, t1 / tn))
    }
    let label = pause > 0 ? "cold" : "hot"
    print("  add \(label) break-even: \(breakEven.map { "n = \($0)" } ?? "none measured")")
  }
}
