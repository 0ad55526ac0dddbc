// Public GEMM entry points and run-time choice of the kernel path.
//
// The path is detected once (CPUID via __builtin_cpu_supports, which also checks that the OS saves
// the wide registers; NEON on every arm64 CPU) and cached in an atomic; racing first calls compute
// the same answer, so a relaxed store is enough. DESCENT_CPU=avx512|avx2|neon|portable overrides
// the choice when the CPU supports that path, else the best supported one is used.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { PATH_UNSET = -1, PATH_PORTABLE = 0, PATH_AVX2 = 1, PATH_AVX512 = 2, PATH_NEON = 3 };

static _Atomic int chosen_path = PATH_UNSET;

static int supported(int path) {
  switch (path) {
  case PATH_PORTABLE: return 1;
#if defined(__x86_64__)
  case PATH_AVX512:
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("fma");
  case PATH_AVX2:
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#if defined(__aarch64__)
  case PATH_NEON: return 1; // Advanced SIMD is part of every arm64 CPU
#endif
  default: return 0;
  }
}

static int best_supported(void) {
  static const int by_preference[] = {PATH_AVX512, PATH_AVX2, PATH_NEON};
  for (size_t i = 0; i < sizeof by_preference / sizeof by_preference[0]; i++)
    if (supported(by_preference[i])) return by_preference[i];
  return PATH_PORTABLE;
}

static int parse_path(const char *name) {
  if (!name) return PATH_UNSET;
  if (strcmp(name, "avx512") == 0) return PATH_AVX512;
  if (strcmp(name, "avx2") == 0) return PATH_AVX2;
  if (strcmp(name, "neon") == 0) return PATH_NEON;
  if (strcmp(name, "portable") == 0) return PATH_PORTABLE;
  return PATH_UNSET;
}

// The requested path if the CPU has it, else the best one it has (unknown names: the best).
static int resolve(const char *name) {
  int req = parse_path(name);
  return req != PATH_UNSET && supported(req) ? req : best_supported();
}

// A path forced by descent_gemm_force_path, for the calling thread only: a test that forces a
// path must not change the kernels (and so the rounding) of other tests running meanwhile.
static _Thread_local int forced_path = PATH_UNSET;

static int current_path(void) {
  if (forced_path != PATH_UNSET) return forced_path;
  int p = atomic_load_explicit(&chosen_path, memory_order_relaxed);
  if (p == PATH_UNSET) {
    p = resolve(getenv("DESCENT_CPU"));
    atomic_store_explicit(&chosen_path, p, memory_order_relaxed);
  }
  return p;
}

void descent_gemm_force_path(const char *name) {
  if (name && name[0]) {
    forced_path = resolve(name);
  } else {
    // Drop this thread's forced path and detect again (reading DESCENT_CPU again).
    forced_path = PATH_UNSET;
    atomic_store_explicit(&chosen_path, PATH_UNSET, memory_order_relaxed);
  }
}

static const char *path_name(int path) {
  switch (path) {
  case PATH_AVX512: return "avx512";
  case PATH_AVX2: return "avx2";
  case PATH_NEON: return "neon";
  case PATH_PORTABLE: return "portable";
  default: return "none";
  }
}

const char *descent_gemm_path(void) { return path_name(current_path()); }

int descent_gemm_path_supported(const char *name) {
  int req = parse_path(name);
  return req != PATH_UNSET && supported(req);
}

// The path of the calling thread's last product, so that a test can tell which kernels ran.
static _Thread_local int last_path = PATH_UNSET;

const char *descent_gemm_last_path(void) { return path_name(last_path); }

static const descent_sgemm_impl *simpl(void) {
  switch (current_path()) {
#if defined(__x86_64__)
  case PATH_AVX512: return &descent_sgemm_avx512;
  case PATH_AVX2: return &descent_sgemm_avx2;
#endif
#if defined(__aarch64__)
  case PATH_NEON: return &descent_sgemm_neon;
#endif
  default: return &descent_sgemm_portable;
  }
}

static const descent_dgemm_impl *dimpl(void) {
  switch (current_path()) {
#if defined(__x86_64__)
  case PATH_AVX512: return &descent_dgemm_avx512;
  case PATH_AVX2: return &descent_dgemm_avx2;
#endif
#if defined(__aarch64__)
  case PATH_NEON: return &descent_dgemm_neon;
#endif
  default: return &descent_dgemm_portable;
  }
}

void descent_gemm_get_blocking(int float64, long *mc, long *kc, long *nc) {
  descent_blocking b = float64 ? descent_gemm_blocking(dimpl()->mr, dimpl()->nr, sizeof(double))
                               : descent_gemm_blocking(simpl()->mr, simpl()->nr, sizeof(float));
  *mc = b.mc;
  *kc = b.kc;
  *nc = b.nc;
}

void descent_gemm_get_tile(int float64, int *mr, int *nr) {
  *mr = float64 ? dimpl()->mr : simpl()->mr;
  *nr = float64 ? dimpl()->nr : simpl()->nr;
}

// C = beta * C for the cases without a product (K == 0 or alpha == 0); beta == 0 writes zeros.
#define DEFINE_SCALE(T, P)                                                                               \
  static void P##scale_c(long M, long N, T beta, T *C, long ldc) {                                      \
    if (beta == (T)1) return;                                                                           \
    for (long i = 0; i < M; i++) {                                                                      \
      T *ci = C + i * ldc;                                                                              \
      if (beta == (T)0) {                                                                               \
        for (long j = 0; j < N; j++) ci[j] = (T)0;                                                      \
      } else {                                                                                          \
        for (long j = 0; j < N; j++) ci[j] *= beta;                                                     \
      }                                                                                                 \
    }                                                                                                   \
  }

DEFINE_SCALE(float, s)
DEFINE_SCALE(double, d)

// The public products: empty ones return at once, those without a product only scale C.
#define DEFINE_GEMM(T, P)                                                                                \
  void descent_##P##gemm(int transA, int transB, long M, long N, long K, T alpha, const T *A, long lda,  \
                         const T *B, long ldb, T beta, T *C, long ldc) {                                \
    if (M <= 0 || N <= 0) return;                                                                       \
    if (K <= 0 || alpha == (T)0) {                                                                      \
      P##scale_c(M, N, beta, C, ldc);                                                                   \
      return;                                                                                           \
    }                                                                                                   \
    last_path = current_path();                                                                         \
    descent_##P##gemm_threaded(P##impl(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); \
  }

DEFINE_GEMM(float, s)
DEFINE_GEMM(double, d)
