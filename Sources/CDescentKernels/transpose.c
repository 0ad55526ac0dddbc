// Matrix transposes for the convolution kernels (Sources/Descent/Ops/ConvolutionKernels.swift):
// its weight gradient reduces over window positions, and the GEMM packs an operand whose rows
// are positions with contiguous reads only. 8 x 8 float (4 x 4 double) blocks are transposed in
// AVX2 registers with unaligned loads and stores; edges and CPUs without AVX2 take a plain loop.
// Pure data movement: every path gives the same bits.
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TAVX2 __attribute__((target("avx2")))
#define INLINE static inline __attribute__((always_inline))
#endif

#define DEFINE_PLAIN(T, P)                                                                               \
  static void P##transpose_plain(long rows, long cols, const T *src, long lds, T *dst, long ldd) {       \
    for (long i = 0; i < rows; i++)                                                                     \
      for (long j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];                              \
  }
DEFINE_PLAIN(float, s)
DEFINE_PLAIN(double, d)

#if defined(__x86_64__)
// One 8 x 8 float block from s (row stride lds) to d (row stride ldd).
TAVX2 INLINE void sblock_avx2(const float *s, long lds, float *d, long ldd) {
  __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + lds);
  __m256 r2 = _mm256_loadu_ps(s + 2 * lds), r3 = _mm256_loadu_ps(s + 3 * lds);
  __m256 r4 = _mm256_loadu_ps(s + 4 * lds), r5 = _mm256_loadu_ps(s + 5 * lds);
  __m256 r6 = _mm256_loadu_ps(s + 6 * lds), r7 = _mm256_loadu_ps(s + 7 * lds);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(d + ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(d + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(d + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(d + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(d + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(d + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(d + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// One 4 x 4 double block.
TAVX2 INLINE void dblock_avx2(const double *s, long lds, double *d, long ldd) {
  __m256d r0 = _mm256_loadu_pd(s), r1 = _mm256_loadu_pd(s + lds);
  __m256d r2 = _mm256_loadu_pd(s + 2 * lds), r3 = _mm256_loadu_pd(s + 3 * lds);
  __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
  __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
  _mm256_storeu_pd(d, _mm256_permute2f128_pd(t0, t2, 0x20));
  _mm256_storeu_pd(d + ldd, _mm256_permute2f128_pd(t1, t3, 0x20));
  _mm256_storeu_pd(d + 2 * ldd, _mm256_permute2f128_pd(t0, t2, 0x31));
  _mm256_storeu_pd(d + 3 * ldd, _mm256_permute2f128_pd(t1, t3, 0x31));
}

// Whole B x B blocks through P##block_avx2, then the columns and rows left at the edges.
#define DEFINE_AVX2(T, P, B)                                                                             \
  TAVX2 static void P##transpose_avx2(long rows, long cols, const T *src, long lds, T *dst, long ldd) {  \
    const long rowsB = rows / B * B, colsB = cols / B * B;                                              \
    for (long i = 0; i < rowsB; i += B) {                                                               \
      for (long j = 0; j < colsB; j += B) P##block_avx2(src + i * lds + j, lds, dst + j * ldd + i, ldd); \
      for (long r = i; r < i + B; r++)                                                                  \
        for (long j = colsB; j < cols; j++) dst[j * ldd + r] = src[r * lds + j];                        \
    }                                                                                                   \
    for (long i = rowsB; i < rows; i++)                                                                 \
      for (long j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];                              \
  }
DEFINE_AVX2(float, s, 8)
DEFINE_AVX2(double, d, 4)

static int has_avx2(void) {
  static int cached = -1;  // racing first calls compute the same answer
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx2") ? 1 : 0;
  }
  return cached;
}
#define TRY_AVX2(P)                                                                                      \
  if (has_avx2()) {                                                                                     \
    P##transpose_avx2(rows, cols, src, lds, dst, ldd);                                                  \
    return;                                                                                             \
  }
#else
#define TRY_AVX2(P)
#endif

#define DEFINE_TRANSPOSE(T, P)                                                                           \
  void descent_##P##transpose(long rows, long cols, const T *src, long lds, T *dst, long ldd) {          \
    TRY_AVX2(P)                                                                                         \
    P##transpose_plain(rows, cols, src, lds, dst, ldd);                                                 \
  }
DEFINE_TRANSPOSE(float, s)
DEFINE_TRANSPOSE(double, d)
