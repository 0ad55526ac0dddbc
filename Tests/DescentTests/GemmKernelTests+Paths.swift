// Each GEMM kernel path against the naive product, alone and split over threads. A path this CPU
// lacks would silently fall back to another one, so its suite is skipped, with the reason; each
// check also asks the kernels which path ran (`descent_gemm_last_path`).
import CDescentKernels
import Testing

/// The four checks on one path, the same seeds for every path.
private enum PathCheck {
  static func float32(_ path: String) -> String? {
    failureOnPath(path) { checkAll(Float.self, seed: 0x9E37_79B9_7F4A_7C15) }
  }
  static func float64(_ path: String) -> String? {
    failureOnPath(path) { checkAll(Double.self, seed: 0xD1B5_4A32_D192_ED03) }
  }
  static func float32Threads(_ path: String) -> String? {
    threadFailureOnPath(path, Float.self, seed: 0x2545_F491_4F6C_DD1D)
  }
  static func float64Threads(_ path: String) -> String? {
    threadFailureOnPath(path, Double.self, seed: 0x9FB2_1C65_1E98_DF25)
  }
}

extension GemmKernelTests {
  @Suite("GEMM on the portable kernels")
  struct Portable {
    @Test("portable: float32 matches the naive product")
    func float32() { #expect(PathCheck.float32("portable") == nil) }
    @Test("portable: float64 matches the naive product")
    func float64() { #expect(PathCheck.float64("portable") == nil) }
    @Test("portable: float32 with 1, 2, 3 threads: naive result, bit-identical")
    func float32Threads() { #expect(PathCheck.float32Threads("portable") == nil) }
    @Test("portable: float64 with 1, 2, 3 threads: naive result, bit-identical")
    func float64Threads() { #expect(PathCheck.float64Threads("portable") == nil) }
  }

  @Suite(
    "GEMM on the avx2 kernels",
    .enabled(if: cpuRuns("avx2"), "this CPU lacks AVX2 with FMA: the avx2 kernels cannot run"))
  struct AVX2 {
    @Test("avx2: float32 matches the naive product")
    func float32() { #expect(PathCheck.float32("avx2") == nil) }
    @Test("avx2: float64 matches the naive product")
    func float64() { #expect(PathCheck.float64("avx2") == nil) }
    @Test("avx2: float32 with 1, 2, 3 threads: naive result, bit-identical")
    func float32Threads() { #expect(PathCheck.float32Threads("avx2") == nil) }
    @Test("avx2: float64 with 1, 2, 3 threads: naive result, bit-identical")
    func float64Threads() { #expect(PathCheck.float64Threads("avx2") == nil) }
  }

  @Suite(
    "GEMM on the avx512 kernels",
    .enabled(
      if: cpuRuns("avx512"),
      "this CPU lacks AVX-512 (F and VL) with FMA: the avx512 kernels cannot run"))
  struct AVX512 {
    @Test("avx512: float32 matches the naive product")
    func float32() { #expect(PathCheck.float32("avx512") == nil) }
    @Test("avx512: float64 matches the naive product")
    func float64() { #expect(PathCheck.float64("avx512") == nil) }
    @Test("avx512: float32 with 1, 2, 3 threads: naive result, bit-identical")
    func float32Threads() { #expect(PathCheck.float32Threads("avx512") == nil) }
    @Test("avx512: float64 with 1, 2, 3 threads: naive result, bit-identical")
    func float64Threads() { #expect(PathCheck.float64Threads("avx512") == nil) }
  }
}
