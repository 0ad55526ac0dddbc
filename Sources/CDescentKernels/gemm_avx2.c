// AVX2 + FMA micro-kernels (compiled per function with target attributes; selected at run time).
//
// Register layout: a 6 x 16 float tile (6 x 8 double) is 6 rows x 2 ymm = 12 accumulators, plus
// 2 ymm for the row of B and 1 for the broadcast A value: 15 of the 16 ymm registers. 12
// independent FMAs per k step cover the 4-cycle latency x 2 ports. Edge tiles are computed into a
// scratch tile and merged, which is cheap next to the k loop.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TAVX2 __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

#define REP6(X) X(0) X(1) X(2) X(3) X(4) X(5)

// Blocking: A micro-panel 6 x kc in L1, packed B kc x nc in L2 (~1 MiB), packed A in L3; mc is
// large because B is repacked for every block of mc rows.
#ifndef S256_KC
#define S256_KC 384
#endif
#ifndef S256_NC
#define S256_NC 768
#endif
#ifndef S256_MC
#define S256_MC 2016
#endif
#ifndef D256_KC
#define D256_KC 256
#endif
#ifndef D256_NC
#define D256_NC 512
#endif
#ifndef D256_MC
#define D256_MC 2016
#endif

// Full 6 x 16 tile: C = alpha * A * B + beta * C (beta == 0: C not read).
TAVX2 INLINE void skernel_avx2_full(long kc, float alpha, const float *restrict a, const float *restrict b,
                                    float beta, float *c, long ldc) {
#define S_DECL(r) __m256 c##r##_0 = _mm256_setzero_ps(), c##r##_1 = _mm256_setzero_ps();
  REP6(S_DECL)
  for (long p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#define S_FMA(r)                                                                                           \
  {                                                                                                        \
    const __m256 ar = _mm256_broadcast_ss(a + r);                                                          \
    c##r##_0 = _mm256_fmadd_ps(ar, b0, c##r##_0);                                                          \
    c##r##_1 = _mm256_fmadd_ps(ar, b1, c##r##_1);                                                          \
  }
    REP6(S_FMA)
    a += 6;
    b += 16;
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  if (beta == 0.0f) {
#define S_STORE0(r)                                                                                        \
  _mm256_storeu_ps(c + r * ldc, _mm256_mul_ps(va, c##r##_0));                                              \
  _mm256_storeu_ps(c + r * ldc + 8, _mm256_mul_ps(va, c##r##_1));
    REP6(S_STORE0)
  } else {
#define S_STORE(r)                                                                                         \
  _mm256_storeu_ps(c + r * ldc, _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + r * ldc), _mm256_mul_ps(va, c##r##_0))); \
  _mm256_storeu_ps(c + r * ldc + 8,                                                                        \
                   _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + r * ldc + 8), _mm256_mul_ps(va, c##r##_1)));
    REP6(S_STORE)
  }
}

TAVX2 static void skernel_avx2(long kc, float alpha, const float *restrict a, const float *restrict b,
                               float beta, float *c, long ldc, long m, long n) {
  if (m == 6 && n == 16) {
    skernel_avx2_full(kc, alpha, a, b, beta, c, ldc);
  } else {
    float t[6 * 16] __attribute__((aligned(32)));
    skernel_avx2_full(kc, alpha, a, b, 0.0f, t, 16);
    descent_smerge_tile(m, n, t, 16, beta, c, ldc);
  }
}

TAVX2 INLINE void dkernel_avx2_full(long kc, double alpha, const double *restrict a, const double *restrict b,
                                    double beta, double *c, long ldc) {
#define D_DECL(r) __m256d c##r##_0 = _mm256_setzero_pd(), c##r##_1 = _mm256_setzero_pd();
  REP6(D_DECL)
  for (long p = 0; p < kc; p++) {
    const __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
#define D_FMA(r)                                                                                           \
  {                                                                                                        \
    const __m256d ar = _mm256_broadcast_sd(a + r);                                                         \
    c##r##_0 = _mm256_fmadd_pd(ar, b0, c##r##_0);                                                          \
    c##r##_1 = _mm256_fmadd_pd(ar, b1, c##r##_1);                                                          \
  }
    REP6(D_FMA)
    a += 6;
    b += 8;
  }
  const __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
  if (beta == 0.0) {
#define D_STORE0(r)                                                                                        \
  _mm256_storeu_pd(c + r * ldc, _mm256_mul_pd(va, c##r##_0));                                              \
  _mm256_storeu_pd(c + r * ldc + 4, _mm256_mul_pd(va, c##r##_1));
    REP6(D_STORE0)
  } else {
#define D_STORE(r)                                                                                         \
  _mm256_storeu_pd(c + r * ldc, _mm256_fmadd_pd(vb, _mm256_loadu_pd(c + r * ldc), _mm256_mul_pd(va, c##r##_0))); \
  _mm256_storeu_pd(c + r * ldc + 4,                                                                        \
                   _mm256_fmadd_pd(vb, _mm256_loadu_pd(c + r * ldc + 4), _mm256_mul_pd(va, c##r##_1)));
    REP6(D_STORE)
  }
}

TAVX2 static void dkernel_avx2(long kc, double alpha, const double *restrict a, const double *restrict b,
                               double beta, double *c, long ldc, long m, long n) {
  if (m == 6 && n == 8) {
    dkernel_avx2_full(kc, alpha, a, b, beta, c, ldc);
  } else {
    double t[6 * 8] __attribute__((aligned(32)));
    dkernel_avx2_full(kc, alpha, a, b, 0.0, t, 8);
    descent_dmerge_tile(m, n, t, 8, beta, c, ldc);
  }
}

const descent_sgemm_impl descent_sgemm_avx2 = {6, 16, S256_MC, S256_KC, S256_NC, skernel_avx2,
                                               descent_sgather_avx2};
const descent_dgemm_impl descent_dgemm_avx2 = {6, 8, D256_MC, D256_KC, D256_NC, dkernel_avx2,
                                               descent_dgather_avx2};

#endif // __x86_64__
