// AVX2 packing of strided panels ("gather" in gemm_pack.c: A not transposed, B transposed).
//
// Same idea as gemm_pack_avx512.c with 256-bit vectors: 8 x 8 float (4 x 4 double) blocks are
// loaded row by row, transposed in registers and stored as panel rows. Tails of the depth use
// masked loads. Stores avoid masks: AMD's masked stores are microcoded and made packing several
// times slower there; a partial group (the 6 rows of an A panel) is stored in 4 + 2 lanes.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "simd_attributes.h"

// Lane mask with the first n (0..8) of 8 lanes set.
TAVX2 INLINE __m256i first_lanes32(long n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
TAVX2 INLINE __m256i first_lanes64(long n) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
}

// r[i] holds row i on entry, column i on exit (24 shuffles).
TAVX2 INLINE void transpose8(__m256 r[8]) {
  __m256 t[8], s[8];
  UNROLL
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]); // per half: a0 b0 a1 b1
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]); // per half: a2 b2 a3 b3
  }
  // s[4g + j], half h: rows 4g..4g+3 of column 4h + j.
  UNROLL
  for (int g = 0; g < 2; g++) {
    s[4 * g] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    s[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    s[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    s[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
  UNROLL
  for (int j = 0; j < 4; j++) {
    r[j] = _mm256_permute2f128_ps(s[j], s[4 + j], 0x20);
    r[4 + j] = _mm256_permute2f128_ps(s[j], s[4 + j], 0x31);
  }
}

TAVX2 INLINE void transpose4(__m256d r[4]) {
  __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
  __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
  r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
  r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
  r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
  r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// Stores the first n (1..8) lanes of v at d.
TAVX2 INLINE void store_first32(float *d, __m256 v, int n) {
  if (n >= 8) {
    _mm256_storeu_ps(d, v);
    return;
  }
  __m128 lo = _mm256_castps256_ps128(v);
  if (n >= 4) {
    _mm_storeu_ps(d, lo);
    lo = _mm256_extractf128_ps(v, 1);
    d += 4;
    n -= 4;
  }
  if (n >= 2) {
    _mm_storel_pi((__m64 *)d, lo);
    lo = _mm_movehl_ps(lo, lo);
    d += 2;
    n -= 2;
  }
  if (n >= 1) _mm_store_ss(d, lo);
}

TAVX2 INLINE void store_first64(double *d, __m256d v, int n) {
  if (n >= 4) {
    _mm256_storeu_pd(d, v);
    return;
  }
  __m128d lo = _mm256_castpd256_pd128(v);
  if (n >= 2) {
    _mm_storeu_pd(d, lo);
    lo = _mm256_extractf128_pd(v, 1);
    d += 2;
    n -= 2;
  }
  if (n >= 1) _mm_store_sd(d, lo);
}

// dst[p * w + i] = src[i * ld + p] for i < rows, 0 for rows <= i < w; rows of N (8 floats, 4
// doubles) at a time. One template for both precisions: V is the vector type, S the intrinsic
// suffix, TRANSPOSE / LANES / STORE_FIRST the helpers above for that width. Inlined with a constant
// W for the widths the kernels use: whole N-step chunks of a group whose rows are all present then
// run without a branch (a generic body measured three times slower).
#define DEFINE_GATHER(T, P, V, N, S, TRANSPOSE, LANES, STORE_FIRST)                                     \
  TAVX2 INLINE void P##gather(const T *src, long ld, long rows, long kc, const int W, T *dst) {         \
    for (int g = 0; g < W; g += N) {                                                                    \
      const int lanes = W - g < N ? W - g : N;                                                          \
      const long grows = rows - g < 0 ? 0 : rows - g;                                                   \
      const T *s = src + g * ld;                                                                        \
      long p0 = 0;                                                                                      \
      if (grows >= lanes) {                                                                             \
        for (; p0 + N <= kc; p0 += N) {                                                                 \
          V r[N];                                                                                       \
          UNROLL                                                                                        \
          for (int i = 0; i < N; i++) r[i] = i < lanes ? _mm256_loadu_##S(s + i * ld + p0) : _mm256_setzero_##S(); \
          TRANSPOSE(r);                                                                                 \
          T *d = dst + p0 * W + g;                                                                      \
          UNROLL                                                                                        \
          for (int q = 0; q < N; q++) STORE_FIRST(d + q * W, r[q], lanes);                              \
        }                                                                                               \
      }                                                                                                 \
      for (; p0 < kc; p0 += N) {                                                                        \
        const long pc = kc - p0 < N ? kc - p0 : N;                                                      \
        const __m256i lmask = LANES(pc);                                                                \
        V r[N];                                                                                         \
        UNROLL                                                                                          \
        for (int i = 0; i < N; i++)                                                                     \
          r[i] = i < grows && i < lanes ? _mm256_maskload_##S(s + i * ld + p0, lmask) : _mm256_setzero_##S(); \
        TRANSPOSE(r);                                                                                   \
        T *d = dst + p0 * W + g;                                                                        \
        UNROLL                                                                                          \
        for (int q = 0; q < N; q++)                                                                     \
          if (q < pc) STORE_FIRST(d + q * W, r[q], lanes);                                              \
      }                                                                                                 \
    }                                                                                                   \
  }

DEFINE_GATHER(float, s, __m256, 8, ps, transpose8, first_lanes32, store_first32)
DEFINE_GATHER(double, d, __m256d, 4, pd, transpose4, first_lanes64, store_first64)

TAVX2 void descent_sgather_avx2(const float *src, long ld, long rows, long kc, int w, float *dst) {
  switch (w) {
  case 6: sgather(src, ld, rows, kc, 6, dst); break;
  case 8: sgather(src, ld, rows, kc, 8, dst); break;
  case 16: sgather(src, ld, rows, kc, 16, dst); break;
  default: sgather(src, ld, rows, kc, w, dst); break;
  }
}

TAVX2 void descent_dgather_avx2(const double *src, long ld, long rows, long kc, int w, double *dst) {
  switch (w) {
  case 6: dgather(src, ld, rows, kc, 6, dst); break;
  case 8: dgather(src, ld, rows, kc, 8, dst); break;
  default: dgather(src, ld, rows, kc, w, dst); break;
  }
}

#endif // __x86_64__
