// Packing of A and B blocks into the panel layout the micro-kernels stream through.
//
// A panel of width W holds, for each k step p, W consecutive values: W rows of op(A) (W = mr) or W
// columns of op(B) (W = nr). Transposition is handled here, never by a separate transpose copy;
// whatever the operand, one of two shapes of copy remains:
//   - "rows": the W values of step p are contiguous in memory (A transposed, B not transposed).
//     Copied row by row across all panels of the block so the source is read sequentially;
//     walking one panel at a time would touch one line per source row, a new page each time for
//     wide matrices, and defeat the hardware prefetcher.
//   - "gather": the W values of step p are strided (A not transposed, B transposed). Each source
//     row is read contiguously and scattered into the panel, CHUNK steps at a time; a path may
//     supply a SIMD transposing version (AVX-512 and AVX2 do).
// Widths used by the kernels get compile-time-specialized bodies so the compiler unrolls and
// vectorizes them. Partial panels are zero-padded, so kernels may compute on whole panels and
// simply not store the rows / columns past the edge.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#define INLINE static inline __attribute__((always_inline))

// k steps per gathered chunk: the chunk of the panel being written (CHUNK x W) stays in L1.
#define CHUNK 16

#define DEFINE_PACKERS(T, P)                                                                              \
  /* "rows": element (p, w) of the block is src[p * ld + w], w < total; panels of W. */                 \
  INLINE void P##pack_rows(const T *restrict src, long ld, long kc, long total, const int W,              \
                           T *restrict dst) {                                                             \
    const long full = total / W * W;                                                                      \
    for (long p = 0; p < kc; p++) {                                                                       \
      const T *restrict s = src + p * ld;                                                                 \
      for (long w0 = 0; w0 < full; w0 += W) {                                                             \
        T *restrict d = dst + w0 * kc + p * W;                                                            \
        for (int w = 0; w < W; w++) d[w] = s[w0 + w];                                                     \
      }                                                                                                   \
      if (full < total) {                                                                                 \
        T *restrict d = dst + full * kc + p * W;                                                          \
        for (int w = 0; w < W; w++) d[w] = full + w < total ? s[full + w] : (T)0;                         \
      }                                                                                                   \
    }                                                                                                     \
  }                                                                                                       \
                                                                                                          \
  /* "gather", one panel: element (p, w) is src[w * ld + p] for w < rows (<= W), else 0. */             \
  INLINE void P##gather_panel(const T *restrict src, long ld, long rows, long kc, const int W,            \
                              T *restrict dst) {                                                          \
    for (long p0 = 0; p0 < kc; p0 += CHUNK) {                                                             \
      const long pc = kc - p0 < CHUNK ? kc - p0 : CHUNK;                                                  \
      T *restrict d = dst + p0 * W;                                                                       \
      for (long w = 0; w < rows; w++) {                                                                   \
        const T *restrict s = src + w * ld + p0;                                                          \
        if (pc == CHUNK) {                                                                                \
          for (int q = 0; q < CHUNK; q++) d[q * W + w] = s[q];                                            \
        } else {                                                                                          \
          for (long q = 0; q < pc; q++) d[q * W + w] = s[q];                                              \
        }                                                                                                 \
      }                                                                                                   \
      for (long w = rows; w < W; w++)                                                                     \
        for (long q = 0; q < pc; q++) d[q * W + w] = (T)0;                                                \
    }                                                                                                     \
  }                                                                                                       \
                                                                                                          \
  /* "gather" over a block of `total` rows of the source, panels of W. */                                \
  INLINE void P##gather_all(const T *restrict src, long ld, long kc, long total, const int W,             \
                            descent_##P##gather_fn simd, T *restrict dst) {                               \
    for (long w0 = 0; w0 < total; w0 += W) {                                                              \
      const long rows = total - w0 < W ? total - w0 : W;                                                  \
      if (simd)                                                                                           \
        simd(src + w0 * ld, ld, rows, kc, W, dst + w0 * kc);                                              \
      else                                                                                                \
        P##gather_panel(src + w0 * ld, ld, rows, kc, W, dst + w0 * kc);                                   \
    }                                                                                                     \
  }                                                                                                       \
                                                                                                          \
  INLINE void P##pack(int gather, const T *src, long ld, long kc, long total, const int W,                \
                      descent_##P##gather_fn simd, T *dst) {                                              \
    if (gather)                                                                                           \
      P##gather_all(src, ld, kc, total, W, simd, dst);                                                    \
    else                                                                                                  \
      P##pack_rows(src, ld, kc, total, W, dst);                                                           \
  }                                                                                                       \
                                                                                                          \
  /* Dispatch to a body specialized for the widths the kernels use. */                                   \
  static void P##pack_any(int gather, const T *src, long ld, long kc, long total, int w,                  \
                          descent_##P##gather_fn simd, T *dst) {                                          \
    switch (w) {                                                                                          \
    case 4: P##pack(gather, src, ld, kc, total, 4, simd, dst); break;                                     \
    case 6: P##pack(gather, src, ld, kc, total, 6, simd, dst); break;                                     \
    case 8: P##pack(gather, src, ld, kc, total, 8, simd, dst); break;                                     \
    case 12: P##pack(gather, src, ld, kc, total, 12, simd, dst); break;                                   \
    case 14: P##pack(gather, src, ld, kc, total, 14, simd, dst); break;                                   \
    case 16: P##pack(gather, src, ld, kc, total, 16, simd, dst); break;                                   \
    case 32: P##pack(gather, src, ld, kc, total, 32, simd, dst); break;                                   \
    default: P##pack(gather, src, ld, kc, total, w, simd, dst); break;                                    \
    }                                                                                                     \
  }                                                                                                       \
                                                                                                          \
  /* A block (mc x kc of op(A)): gather unless A is stored transposed. */                                \
  void descent_##P##pack_a(const descent_##P##gemm_impl *impl, int transA, const T *A, long lda, long mc,  \
                           long kc, T *dst) {                                                             \
    P##pack_any(!transA, A, lda, kc, mc, impl->mr, impl->gather, dst);                                    \
  }                                                                                                       \
                                                                                                          \
  /* B block (kc x nc of op(B)): gather when B is stored transposed. */                                  \
  void descent_##P##pack_b(const descent_##P##gemm_impl *impl, int transB, const T *B, long ldb, long kc,  \
                           long nc, T *dst) {                                                             \
    P##pack_any(transB, B, ldb, kc, nc, impl->nr, impl->gather, dst);                                     \
  }

DEFINE_PACKERS(float, s)
DEFINE_PACKERS(double, d)
