// Checks the C GEMM kernels (every path the CPU has) against a naive triple loop in Double.
import CDescentKernels
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Float and Double behind one generic test body.
protocol GemmScalar: BinaryFloatingPoint, Sendable {
  static var name: String { get }
  static func gemm(
    _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
    _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int, _ beta: Self,
    _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
  func bitsEqual(_ other: Self) -> Bool
}

extension Float: GemmScalar {
  static var name: String { "f32" }
  static func gemm(
    _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int
  ) {
    descent_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }
  func bitsEqual(_ other: Float) -> Bool { bitPattern == other.bitPattern }
}

extension Double: GemmScalar {
  static var name: String { "f64" }
  static func gemm(
    _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
    _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int, _ beta: Double,
    _ c: UnsafeMutablePointer<Double>, _ ldc: Int
  ) {
    descent_dgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }
  func bitsEqual(_ other: Double) -> Bool { bitPattern == other.bitPattern }
}

/// Deterministic values in [-1, 1).
struct XorShift {
  var state: UInt64
  mutating func next() -> Double {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return Double(state >> 11) / Double(1 << 52) - 1
  }
}

/// (M, N, K): odd sizes around the register tiles (AVX-512 14x32, AVX2 6x16, portable 4x8), K = 0,
/// and shapes that cross the cache blocks (K > kc, M > mc, N > nc) while staying cheap in debug.
private let shapes: [(Int, Int, Int)] = [
  (1, 1, 1), (7, 7, 7), (33, 33, 33), (100, 100, 100), (13, 1, 70), (1, 50, 3), (70, 13, 1),
  (7, 33, 100), (100, 7, 33), (33, 100, 1), (27, 40, 9), (13, 33, 20), (5, 3, 0), (15, 33, 450),
  (1030, 3, 5), (3, 1100, 5),
]

/// Runs every shape and transpose combination, cycling through the (alpha, beta) pairs (beta == 0
/// with a NaN-filled C among them); returns a description of the first mismatch.
func checkAll<T: GemmScalar>(_: T.Type, seed: UInt64) -> String? {
  var rng = XorShift(state: seed)
  let scalings = [(1.5, -0.5), (-0.75, 0.0), (1.0, 1.0)]
  var round = 0
  for (m, n, k) in shapes {
    for transA in [false, true] {
      for transB in [false, true] {
        let (alpha, beta) = scalings[round % scalings.count]
        round += 1
        if let failure = checkOne(
          T.self, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
          pad: (m + n) % 5 + 1, rng: &rng)
        {
          return failure
        }
      }
    }
  }
  return nil
}

/// With `threads` non-empty, C is computed with each of these thread counts in turn (the first one
/// is the result checked against the naive product) and the others must match it bit for bit.
func checkOne<T: GemmScalar>(
  _: T.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double, beta: Double,
  pad: Int,
  rng: inout XorShift, threads: [Int] = []
) -> String? {
  // Stored shapes and (padded) row strides.
  let (aRows, aCols) = transA ? (k, m) : (m, k)
  let (bRows, bCols) = transB ? (n, k) : (k, n)
  let lda = aCols + pad, ldb = bCols + 2 * pad, ldc = n + 3 * pad
  let a = (0..<max(aRows * lda, 1)).map { _ in T(rng.next()) }
  let b = (0..<max(bRows * ldb, 1)).map { _ in T(rng.next()) }
  // beta == 0 must ignore C entirely, NaNs included; the padding past n must never be written.
  let c0 = (0..<max(m * ldc, 1)).map { _ in beta == 0 ? T.nan : T(rng.next()) }
  func product() -> [T] {
    var c = c0
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          T.gemm(
            transA, transB, m, n, k, T(alpha), ap.baseAddress!, lda, bp.baseAddress!, ldb, T(beta),
            cp.baseAddress!, ldc)
        }
      }
    }
    return c
  }
  if let first = threads.first { descent_set_num_threads(Int32(first)) }
  let c = product()
  for count in threads.dropFirst() {
    descent_set_num_threads(Int32(count))
    let other = product()
    if let idx = (0..<c.count).first(where: { !other[$0].bitsEqual(c[$0]) }) {
      return
        "\(T.name) transA=\(transA) transB=\(transB) M=\(m) N=\(n) K=\(k): C[\(idx / ldc), \(idx % ldc)] "
        + "with \(count) threads = \(other[idx]), with \(threads[0]) = \(c[idx])"
    }
  }
  // Reference in Double: op(A) as M x K rows and op(B) as N x K rows, so the dot products below
  // walk contiguous unsafe buffers (the naive loop would dominate a debug test run otherwise).
  var opA = [Double](repeating: 0, count: m * k)
  var opBt = [Double](repeating: 0, count: n * k)
  for i in 0..<m {
    for p in 0..<k { opA[i * k + p] = Double(transA ? a[p * lda + i] : a[i * lda + p]) }
  }
  for j in 0..<n {
    for p in 0..<k { opBt[j * k + p] = Double(transB ? b[j * ldb + p] : b[p * ldb + j]) }
  }
  let eps = Double(T.ulpOfOne)
  return opA.withUnsafeBufferPointer { ra -> String? in
    opBt.withUnsafeBufferPointer { rb -> String? in
      for i in 0..<m {
        for j in 0..<ldc {
          let idx = i * ldc + j
          if j >= n {
            if !c[idx].bitsEqual(c0[idx]) { return "padding written at (\(i), \(j))" }
            continue
          }
          var sum = 0.0
          var absSum = 0.0
          for p in 0..<k {
            let prod = ra[i * k + p] * rb[j * k + p]
            sum += prod
            absSum += abs(prod)
          }
          let cOld = beta == 0 ? 0 : Double(c0[idx])
          let expected = alpha * sum + beta * cOld
          // Standard GEMM error bound: about K roundings on |alpha| sum |a||b|, plus the beta term.
          let tol = Double(k + 2) * eps * (abs(alpha) * absSum + abs(beta * cOld)) + 4 * eps
          let got = Double(c[idx])
          if !(abs(got - expected) <= tol) {
            return
              "\(T.name) transA=\(transA) transB=\(transB) M=\(m) N=\(n) K=\(k) alpha=\(alpha) beta=\(beta): "
              + "C[\(i), \(j)] = \(got), expected \(expected) (tol \(tol))"
          }
        }
      }
      return nil
    }
  }
}

/// Checks the products on the forced `path`: the first mismatch, or which kernels ran instead.
func failureOnPath(_ path: String, _ check: () -> String?) -> String? {
  descent_gemm_force_path(path)
  defer { descent_gemm_force_path(nil) }
  let failure = check()
  let ran = String(cString: descent_gemm_last_path())
  guard ran == path else { return "the \(path) kernels were forced, the \(ran) kernels ran" }
  return failure.map { "\(path) kernels: \($0)" }
}

/// True when this CPU can run the kernel path `name`.
func cpuRuns(_ name: String) -> Bool { descent_gemm_path_supported(name) != 0 }

// The thread count is process-wide (and the thread tests set it), so these run one at a time.
// Each kernel path has its own suite (GemmKernelTests+Paths.swift), skipped with the reason on a
// CPU without the path.
@Suite("GEMM kernels", .serialized)
struct GemmKernelTests {
  @Test("forcing a path selects it, or the best supported one")
  func pathSelection() async {
    defer { descent_gemm_force_path(nil) }
    descent_gemm_force_path(nil)
    let best = String(cString: descent_gemm_path())
    #expect(["avx512", "avx2", "portable"].contains(best))
    #expect(cpuRuns(best) && cpuRuns("portable") && !cpuRuns("sse9"))
    #expect(cpuRuns("avx512") == (best == "avx512"))
    #expect(cpuRuns("avx2") == (best != "portable"))
    descent_gemm_force_path("portable")
    #expect(String(cString: descent_gemm_path()) == "portable")
    // Asking for more than the CPU has falls back to the best supported path.
    descent_gemm_force_path("avx512")
    #expect(String(cString: descent_gemm_path()) == best)
    descent_gemm_force_path("avx2")
    #expect(String(cString: descent_gemm_path()) == (best == "portable" ? "portable" : "avx2"))
    // Unknown names mean "detect".
    descent_gemm_force_path("sse9")
    #expect(String(cString: descent_gemm_path()) == best)
    // DESCENT_CPU is read when no path is forced: in a child process, since the environment
    // and the detected path are shared by every test of this one.
    await #expect(processExitsWith: .success) {
      setenv("DESCENT_CPU", "portable", 1)
      descent_gemm_force_path(nil)
      exit(String(cString: descent_gemm_path()) == "portable" ? 0 : 1)
    }
  }

  @Test("the last product reports the path it ran on")
  func lastPathReportsTheKernelsThatRan() {
    defer { descent_gemm_force_path(nil) }
    var a: [Float] = [1, 2]
    var c: [Float] = [0]
    descent_gemm_force_path("portable")
    descent_sgemm(0, 1, 1, 1, 2, 1, &a, 2, &a, 2, 0, &c, 1)
    #expect(String(cString: descent_gemm_last_path()) == "portable" && c == [5])
    descent_gemm_force_path(nil)
    let best = String(cString: descent_gemm_path())
    var d: [Double] = [3]
    var e: [Double] = [0]
    descent_dgemm(0, 0, 1, 1, 1, 2, &d, 1, &d, 1, 0, &e, 1)
    #expect(String(cString: descent_gemm_last_path()) == best && e == [18])
    // A path the CPU lacks falls back, and the check on that path says so.
    for path in ["avx512", "avx2"] where !cpuRuns(path) {
      let failure = failureOnPath(path) {
        descent_dgemm(0, 0, 1, 1, 1, 2, &d, 1, &d, 1, 0, &e, 1)
        return nil
      }
      #expect(failure == "the \(path) kernels were forced, the \(best) kernels ran")
    }
  }
}
