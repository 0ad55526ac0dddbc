// Matrix transposes for the convolution kernels (Sources/Descent/Ops/ConvolutionKernels.swift):
// its weight gradient reduces over window positions, and the GEMM packs an operand whose rows
// are positions with contiguous reads only. 8 x 8 float (4 x 4 double) blocks are transposed in
// AVX2 registers with unaligned loads and stores; edges and CPUs without AVX2 take a plain loop.
// Pure data movement: every path gives the same bits.
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TAVX2 __attribute__((target("avx2")))
#endif

static void stranspose_plain(long rows, long cols, const float *src, long lds, float *dst, long ldd) {
  for (long i = 0; i < rows; i++)
    for (long j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

static void dtranspose_plain(long rows, long cols, const double *src, long lds, double *dst,
                             long ldd) {
  for (long i = 0; i < rows; i++)
    for (long j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

#if defined(__x86_64__)
TAVX2 static void stranspose_avx2(long rows, long cols, const float *src, long lds, float *dst,
                                  long ldd) {
  const long rows8 = rows / 8 * 8, cols8 = cols / 8 * 8;
  for (long i = 0; i < rows8; i += 8) {
    for (long j = 0; j < cols8; j += 8) {
      const float *s = src + i * lds + j;
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
      float *d = dst + j * ldd + i;
      _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(d + ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(d + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(d + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(d + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(d + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(d + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(d + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
    for (long r = i; r < i + 8; r++)
      for (long j = cols8; j < cols; j++) dst[j * ldd + r] = src[r * lds + j];
  }
  for (long i = rows8; i < rows; i++)
    for (long j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

TAVX2 static void dtranspose_avx2(long rows, long cols, const double *src, long lds, double *dst,
                                  long ldd) {
  const long rows4 = rows / 4 * 4, cols4 = cols / 4 * 4;
  for (long i = 0; i < rows4; i += 4) {
    for (long j = 0; j < cols4; j += 4) {
      const double *s = src + i * lds + j;
      __m256d r0 = _mm256_loadu_pd(s), r1 = _mm256_loadu_pd(s + lds);
      __m256d r2 = _mm256_loadu_pd(s + 2 * lds), r3 = _mm256_loadu_pd(s + 3 * lds);
      __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
      __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
      double *d = dst + j * ldd + i;
      _mm256_storeu_pd(d, _mm256_permute2f128_pd(t0, t2, 0x20));
      _mm256_storeu_pd(d + ldd, _mm256_permute2f128_pd(t1, t3, 0x20));
      _mm256_storeu_pd(d + 2 * ldd, _mm256_permute2f128_pd(t0, t2, 0x31));
      _mm256_storeu_pd(d + 3 * ldd, _mm256_permute2f128_pd(t1, t3, 0x31));
    }
    for (long r = i; r < i + 4; r++)
      for (long j = cols4; j < cols; j++) dst[j * ldd + r] = src[r * lds + j];
  }
  for (long i = rows4; i < rows; i++)
    for (long j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

static int has_avx2(void) {
  static int cached = -1;  // racing first calls compute the same answer
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx2") ? 1 : 0;
  }
  return cached;
}
#endif

void descent_stranspose(long rows, long cols, const float *src, long lds, float *dst, long ldd) {
#if defined(__x86_64__)
  if (has_avx2()) {
    stranspose_avx2(rows, cols, src, lds, dst, ldd);
    return;
  }
#endif
  stranspose_plain(rows, cols, src, lds, dst, ldd);
}

void descent_dtranspose(long rows, long cols, const double *src, long lds, double *dst, long ldd) {
#if defined(__x86_64__)
  if (has_avx2()) {
    dtranspose_avx2(rows, cols, src, lds, dst, ldd);
    return;
  }
#endif
  dtranspose_plain(rows, cols, src, lds, dst, ldd);
}
