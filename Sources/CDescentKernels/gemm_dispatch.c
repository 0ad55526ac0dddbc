// Public GEMM entry points and run-time choice of the kernel path.
//
// The path is detected once (CPUID via __builtin_cpu_supports, which also checks that the OS saves
// the wide registers) and cached in an atomic; racing first calls compute the same answer, so a
// relaxed store is enough. DESCENT_CPU=avx512|avx2|portable overrides the choice, clamped to what
// the CPU supports (each path's instruction set contains the previous one's).
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { PATH_UNSET = -1, PATH_PORTABLE = 0, PATH_AVX2 = 1, PATH_AVX512 = 2 };

static _Atomic int chosen_path = PATH_UNSET;

static int best_supported(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    return PATH_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return PATH_AVX2;
#endif
  return PATH_PORTABLE;
}

static int parse_path(const char *name) {
  if (!name) return PATH_UNSET;
  if (strcmp(name, "avx512") == 0) return PATH_AVX512;
  if (strcmp(name, "avx2") == 0) return PATH_AVX2;
  if (strcmp(name, "portable") == 0) return PATH_PORTABLE;
  return PATH_UNSET;
}

// The requested path if the CPU has it, else the best one it has (unknown names: the best).
static int resolve(const char *name) {
  int best = best_supported();
  int req = parse_path(name);
  return (req == PATH_UNSET || req > best) ? best : req;
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
  case PATH_PORTABLE: return "portable";
  default: return "none";
  }
}

const char *descent_gemm_path(void) { return path_name(current_path()); }

int descent_gemm_path_supported(const char *name) {
  int req = parse_path(name);
  return req != PATH_UNSET && req <= best_supported();
}

// The path of the calling thread's last product, so that a test can tell which kernels ran.
static _Thread_local int last_path = PATH_UNSET;

const char *descent_gemm_last_path(void) { return path_name(last_path); }

static const descent_sgemm_impl *simpl(void) {
  last_path = current_path();
  switch (last_path) {
#if defined(__x86_64__)
  case PATH_AVX512: return &descent_sgemm_avx512;
  case PATH_AVX2: return &descent_sgemm_avx2;
#endif
  default: return &descent_sgemm_portable;
  }
}

static const descent_dgemm_impl *dimpl(void) {
  last_path = current_path();
  switch (last_path) {
#if defined(__x86_64__)
  case PATH_AVX512: return &descent_dgemm_avx512;
  case PATH_AVX2: return &descent_dgemm_avx2;
#endif
  default: return &descent_dgemm_portable;
  }
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

void descent_sgemm(int transA, int transB, long M, long N, long K, float alpha, const float *A, long lda,
                   const float *B, long ldb, float beta, float *C, long ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {
    sscale_c(M, N, beta, C, ldc);
    return;
  }
  descent_sgemm_threaded(simpl(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void descent_dgemm(int transA, int transB, long M, long N, long K, double alpha, const double *A, long lda,
                   const double *B, long ldb, double beta, double *C, long ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0) {
    dscale_c(M, N, beta, C, ldc);
    return;
  }
  descent_dgemm_threaded(dimpl(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
