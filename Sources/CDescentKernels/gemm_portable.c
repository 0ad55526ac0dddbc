// Portable micro-kernels in plain C (any CPU, including arm64), plus the tile-merge helpers other
// paths use at matrix edges.
//
// Register layout: a 4 x 8 float tile (4 x 4 double) is 8 128-bit vectors, which fits the 16
// registers of SSE2 and leaves plenty on NEON; the compiler vectorizes the constant-size j loop.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

void descent_smerge_tile(long m, long n, const float *t, long ldt, float beta, float *c, long ldc) {
  for (long i = 0; i < m; i++) {
    float *ci = c + i * ldc;
    const float *ti = t + i * ldt;
    if (beta == 0.0f) {
      for (long j = 0; j < n; j++) ci[j] = ti[j];
    } else {
      for (long j = 0; j < n; j++) ci[j] = ti[j] + beta * ci[j];
    }
  }
}

void descent_dmerge_tile(long m, long n, const double *t, long ldt, double beta, double *c, long ldc) {
  for (long i = 0; i < m; i++) {
    double *ci = c + i * ldc;
    const double *ti = t + i * ldt;
    if (beta == 0.0) {
      for (long j = 0; j < n; j++) ci[j] = ti[j];
    } else {
      for (long j = 0; j < n; j++) ci[j] = ti[j] + beta * ci[j];
    }
  }
}

#define DEFINE_PORTABLE_KERNEL(T, P, MR, NR)                                                            \
  static void P##kernel_portable(long kc, T alpha, const T *restrict a, const T *restrict b, T beta,     \
                                 T *c, long ldc, long m, long n) {                                      \
    T acc[MR][NR];                                                                                      \
    for (int i = 0; i < MR; i++)                                                                        \
      for (int j = 0; j < NR; j++) acc[i][j] = (T)0;                                                    \
    for (long p = 0; p < kc; p++) {                                                                     \
      for (int i = 0; i < MR; i++) {                                                                    \
        const T ai = a[i];                                                                              \
        for (int j = 0; j < NR; j++) acc[i][j] += ai * b[j];                                            \
      }                                                                                                 \
      a += MR;                                                                                          \
      b += NR;                                                                                          \
    }                                                                                                   \
    for (int i = 0; i < MR; i++)                                                                        \
      for (int j = 0; j < NR; j++) acc[i][j] *= alpha;                                                  \
    if (m == MR && n == NR) {                                                                           \
      for (int i = 0; i < MR; i++) {                                                                    \
        T *ci = c + i * ldc;                                                                            \
        if (beta == (T)0) {                                                                             \
          for (int j = 0; j < NR; j++) ci[j] = acc[i][j];                                               \
        } else {                                                                                        \
          for (int j = 0; j < NR; j++) ci[j] = acc[i][j] + beta * ci[j];                                \
        }                                                                                               \
      }                                                                                                 \
    } else {                                                                                            \
      descent_##P##merge_tile(m, n, &acc[0][0], NR, beta, c, ldc);                                      \
    }                                                                                                   \
  }

DEFINE_PORTABLE_KERNEL(float, s, 4, 8)
DEFINE_PORTABLE_KERNEL(double, d, 4, 4)

// Blocking: kc x nc of B in L2 (256 KiB float / 512 KiB double), mc x kc of A in L3 / L2.
const descent_sgemm_impl descent_sgemm_portable = {4, 8, 512, 256, 256, skernel_portable};
const descent_dgemm_impl descent_dgemm_portable = {4, 4, 256, 256, 256, dkernel_portable};
