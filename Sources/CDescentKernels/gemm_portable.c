// Portable micro-kernels in plain C (any CPU, including arm64), plus the tile-merge helpers other
// paths use at matrix edges.
//
// Register layout: a 4 x 8 float tile (4 x 4 double) is 8 128-bit accumulators, which with the 2 B
// vectors fits the 16 registers of SSE2 and leaves plenty of NEON's 32.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <string.h>

// C[0:m, 0:n] = T + beta * C (beta == 0: C is not read) for a tile computed into scratch.
#define DEFINE_MERGE_TILE(T, P)                                                                          \
  void descent_##P##merge_tile(long m, long n, const T *t, long ldt, T beta, T *c, long ldc) {           \
    for (long i = 0; i < m; i++) {                                                                      \
      T *ci = c + i * ldc;                                                                              \
      const T *ti = t + i * ldt;                                                                        \
      if (beta == (T)0) {                                                                               \
        for (long j = 0; j < n; j++) ci[j] = ti[j];                                                     \
      } else {                                                                                          \
        for (long j = 0; j < n; j++) ci[j] = ti[j] + beta * ci[j];                                      \
      }                                                                                                 \
    }                                                                                                   \
  }

DEFINE_MERGE_TILE(float, s)
DEFINE_MERGE_TILE(double, d)

// 128-bit vectors through the GCC/Clang vector extension: SSE2 on x86, NEON on arm64, plain
// scalar code elsewhere. (Written with scalar arrays instead, clang's SLP vectorizer kept the tile
// in memory and ran at ~5 GFLOP/s.) Loads and stores go through memcpy: no alignment assumptions.
typedef float v4f __attribute__((vector_size(16)));
typedef double v2d __attribute__((vector_size(16)));

// Tile of MR rows x (2 vectors of VL lanes) columns.
#define DEFINE_PORTABLE_KERNEL(T, P, VEC, VL, MR)                                                        \
  static void P##kernel_portable(long kc, T alpha, const T *restrict a, const T *restrict b, T beta,     \
                                 T *c, long ldc, long m, long n) {                                      \
    VEC acc[MR][2];                                                                                     \
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = (VEC){0};                                      \
    for (long p = 0; p < kc; p++) {                                                                     \
      VEC b0, b1;                                                                                       \
      memcpy(&b0, b, sizeof b0);                                                                        \
      memcpy(&b1, b + VL, sizeof b1);                                                                   \
      for (int i = 0; i < MR; i++) {                                                                    \
        acc[i][0] += a[i] * b0;                                                                         \
        acc[i][1] += a[i] * b1;                                                                         \
      }                                                                                                 \
      a += MR;                                                                                          \
      b += 2 * VL;                                                                                      \
    }                                                                                                   \
    T tile[MR * 2 * VL];                                                                                \
    for (int i = 0; i < MR; i++) {                                                                      \
      VEC x0 = alpha * acc[i][0], x1 = alpha * acc[i][1];                                               \
      memcpy(tile + i * 2 * VL, &x0, sizeof x0);                                                        \
      memcpy(tile + i * 2 * VL + VL, &x1, sizeof x1);                                                   \
    }                                                                                                   \
    descent_##P##merge_tile(m, n, tile, 2 * VL, beta, c, ldc);                                          \
  }

DEFINE_PORTABLE_KERNEL(float, s, v4f, 4, 4)
DEFINE_PORTABLE_KERNEL(double, d, v2d, 2, 4)

const descent_sgemm_impl descent_sgemm_portable = {4, 8, skernel_portable, NULL};
const descent_dgemm_impl descent_dgemm_portable = {4, 4, dkernel_portable, NULL};
