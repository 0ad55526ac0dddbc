// AVX-512 packing of strided panels ("gather" in gemm_pack.c: A not transposed, B transposed).
//
// The scalar version moves one element per load and store; here 16 x 16 float (8 x 8 double)
// blocks are loaded row by row, transposed in registers and stored as whole panel rows, about four
// times fewer instructions. It matters most for transposed B (y = x W^T) with few rows of A, where
// the packed B panels are reused by only a handful of micro-kernel calls.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "simd_attributes.h"

// In-register 16 x 16 transpose: r[i] holds row i on entry, column i on exit (64 shuffles).
T512 INLINE void transpose16(__m512 r[16]) {
  __m512 t[16];
  // Interleave row pairs: t[2i] / t[2i+1], 128-bit lane k: a4k b4k a4k+1 b4k+1 / a4k+2 b4k+2 ...
  UNROLL
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // Lane k of r[4g + j] becomes rows 4g..4g+3 of column 4k + j.
  UNROLL
  for (int g = 0; g < 4; g++) {
    __m512d lo0 = _mm512_castps_pd(t[4 * g]), hi0 = _mm512_castps_pd(t[4 * g + 1]);
    __m512d lo1 = _mm512_castps_pd(t[4 * g + 2]), hi1 = _mm512_castps_pd(t[4 * g + 3]);
    r[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo0, lo1));
    r[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo0, lo1));
    r[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(hi0, hi1));
    r[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(hi0, hi1));
  }
  // Column 4k + j gathers lane k of r[j], r[4 + j], r[8 + j], r[12 + j].
  UNROLL
  for (int j = 0; j < 4; j++) {
    __m512 u0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88), u1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
    __m512 u2 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    __m512 u3 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
    t[j] = _mm512_shuffle_f32x4(u0, u2, 0x88);
    t[8 + j] = _mm512_shuffle_f32x4(u0, u2, 0xDD);
    t[4 + j] = _mm512_shuffle_f32x4(u1, u3, 0x88);
    t[12 + j] = _mm512_shuffle_f32x4(u1, u3, 0xDD);
  }
  UNROLL
  for (int i = 0; i < 16; i++) r[i] = t[i];
}

// In-register 8 x 8 transpose of doubles (24 shuffles), same scheme with 2-wide 128-bit lanes.
T512 INLINE void transpose8(__m512d r[8]) {
  __m512d t[8];
  UNROLL
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]);
  }
  // Lane k of t[2g + j] is rows 2g, 2g+1 of column 2k + j.
  UNROLL
  for (int j = 0; j < 2; j++) {
    __m512d u0 = _mm512_shuffle_f64x2(t[j], t[2 + j], 0x88), u1 = _mm512_shuffle_f64x2(t[j], t[2 + j], 0xDD);
    __m512d u2 = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0x88);
    __m512d u3 = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0xDD);
    r[j] = _mm512_shuffle_f64x2(u0, u2, 0x88);
    r[4 + j] = _mm512_shuffle_f64x2(u0, u2, 0xDD);
    r[2 + j] = _mm512_shuffle_f64x2(u1, u3, 0x88);
    r[6 + j] = _mm512_shuffle_f64x2(u1, u3, 0xDD);
  }
}

// dst[p * w + i] = src[i * ld + p] for i < rows, 0 for rows <= i < w; rows of N (16 floats, 8
// doubles) at a time. One template for both precisions: V is the vector type, S the intrinsic
// suffix, MASK the lane mask type, TRANSPOSE the N x N transpose above.
#define DEFINE_GATHER(T, P, V, N, S, MASK, TRANSPOSE)                                                   \
  T512 void descent_##P##gather_avx512(const T *src, long ld, long rows, long kc, int w, T *dst) {      \
    for (int g = 0; g < w; g += N) {                                                                    \
      const int lanes = w - g < N ? w - g : N;                                                          \
      const MASK smask = (MASK)((1u << lanes) - 1u);                                                    \
      const long grows = rows - g < 0 ? 0 : rows - g; /* source rows present in this group */          \
      const T *s = src + g * ld;                                                                        \
      for (long p0 = 0; p0 < kc; p0 += N) {                                                             \
        const long pc = kc - p0 < N ? kc - p0 : N;                                                      \
        const MASK lmask = (MASK)((1u << pc) - 1u);                                                     \
        V r[N];                                                                                         \
        UNROLL                                                                                          \
        for (int i = 0; i < N; i++)                                                                     \
          r[i] = i < grows ? _mm512_maskz_loadu_##S(lmask, s + i * ld + p0) : _mm512_setzero_##S();     \
        TRANSPOSE(r);                                                                                   \
        T *d = dst + p0 * w + g;                                                                        \
        UNROLL                                                                                          \
        for (int q = 0; q < N; q++)                                                                     \
          if (q < pc) _mm512_mask_storeu_##S(d + q * w, smask, r[q]);                                   \
      }                                                                                                 \
    }                                                                                                   \
  }

DEFINE_GATHER(float, s, __m512, 16, ps, __mmask16, transpose16)
DEFINE_GATHER(double, d, __m512d, 8, pd, __mmask8, transpose8)

#endif // __x86_64__
