// Packing of A and B blocks into the panel layout the micro-kernels stream through.
//
// Transposition is handled here, by choosing which index walks memory contiguously; no separate
// transpose copy is ever made. The panel widths (mr / nr) are dispatched to always-inlined bodies
// with a compile-time width so the compiler fully unrolls and vectorizes the contiguous cases.
// Partial panels at the edges are zero-padded so the kernels can always run full tiles.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#define INLINE static inline __attribute__((always_inline))

// Number of k steps processed together in the gathering (transposing) cases: the block of the
// destination written (CHUNK x width elements) stays in L1 while the sources are read row by row.
#define CHUNK 16

#define DEFINE_PACKERS(T, P)                                                                              \
  /* A panel: element (r, p) of op(A) goes to dst[p * MR + r]. */                                      \
  INLINE void P##pack_a_panel(int transA, const T *restrict A, long lda, long m, long kc, const int MR, T *restrict dst) {  \
    if (transA) {                                                                                       \
      /* A stored K x M: the MR values of step p are contiguous. */                                     \
      for (long p = 0; p < kc; p++) {                                                                   \
        const T *src = A + p * lda;                                                                     \
        T *d = dst + p * MR;                                                                            \
        if (m == MR) {                                                                                  \
          for (int r = 0; r < MR; r++) d[r] = src[r];                                                   \
        } else {                                                                                        \
          for (int r = 0; r < MR; r++) d[r] = r < m ? src[r] : (T)0;                                    \
        }                                                                                               \
      }                                                                                                 \
      return;                                                                                           \
    }                                                                                                   \
    /* A stored M x K: read each row contiguously, CHUNK steps at a time, scatter into the panel. */   \
    for (long p0 = 0; p0 < kc; p0 += CHUNK) {                                                           \
      long pc = kc - p0 < CHUNK ? kc - p0 : CHUNK;                                                      \
      T *d = dst + p0 * MR;                                                                             \
      for (long r = 0; r < m; r++) {                                                                    \
        const T *src = A + r * lda + p0;                                                                \
        if (pc == CHUNK) {                                                                              \
          for (int q = 0; q < CHUNK; q++) d[q * MR + r] = src[q];                                       \
        } else {                                                                                        \
          for (long q = 0; q < pc; q++) d[q * MR + r] = src[q];                                         \
        }                                                                                               \
      }                                                                                                 \
      for (long r = m; r < MR; r++)                                                                     \
        for (long q = 0; q < pc; q++) d[q * MR + r] = (T)0;                                             \
    }                                                                                                   \
  }                                                                                                     \
                                                                                                        \
  /* B panel: element (p, c) of op(B) goes to dst[p * NR + c]. */                                      \
  INLINE void P##pack_b_panel(int transB, const T *restrict B, long ldb, long n, long kc, const int NR, T *restrict dst) {  \
    if (!transB) {                                                                                      \
      /* B stored K x N: the NR values of step p are contiguous. */                                     \
      for (long p = 0; p < kc; p++) {                                                                   \
        const T *src = B + p * ldb;                                                                     \
        T *d = dst + p * NR;                                                                            \
        if (n == NR) {                                                                                  \
          for (int c = 0; c < NR; c++) d[c] = src[c];                                                   \
        } else {                                                                                        \
          for (int c = 0; c < NR; c++) d[c] = c < n ? src[c] : (T)0;                                    \
        }                                                                                               \
      }                                                                                                 \
      return;                                                                                           \
    }                                                                                                   \
    /* B stored N x K: gather like the non-transposed A case. */                                        \
    for (long p0 = 0; p0 < kc; p0 += CHUNK) {                                                           \
      long pc = kc - p0 < CHUNK ? kc - p0 : CHUNK;                                                      \
      T *d = dst + p0 * NR;                                                                             \
      for (long c = 0; c < n; c++) {                                                                    \
        const T *src = B + c * ldb + p0;                                                                \
        if (pc == CHUNK) {                                                                              \
          for (int q = 0; q < CHUNK; q++) d[q * NR + c] = src[q];                                       \
        } else {                                                                                        \
          for (long q = 0; q < pc; q++) d[q * NR + c] = src[q];                                         \
        }                                                                                               \
      }                                                                                                 \
      for (long c = n; c < NR; c++)                                                                     \
        for (long q = 0; q < pc; q++) d[q * NR + c] = (T)0;                                             \
    }                                                                                                   \
  }                                                                                                     \
                                                                                                        \
  INLINE void P##pack_a_all(int transA, const T *A, long lda, long mc, long kc, const int MR, T *dst) {   \
    for (long i = 0; i < mc; i += MR) {                                                                 \
      long m = mc - i < MR ? mc - i : MR;                                                               \
      const T *src = transA ? A + i : A + i * lda;                                                      \
      P##pack_a_panel(transA, src, lda, m, kc, MR, dst + i * kc);                                       \
    }                                                                                                   \
  }                                                                                                     \
                                                                                                        \
  INLINE void P##pack_b_all(int transB, const T *B, long ldb, long kc, long nc, const int NR, T *dst) {   \
    for (long j = 0; j < nc; j += NR) {                                                                 \
      long n = nc - j < NR ? nc - j : NR;                                                               \
      const T *src = transB ? B + j * ldb : B + j;                                                      \
      P##pack_b_panel(transB, src, ldb, n, kc, NR, dst + j * kc);                                       \
    }                                                                                                   \
  }

DEFINE_PACKERS(float, s)
DEFINE_PACKERS(double, d)

// The widths used by the kernels get specialized bodies; anything else takes the generic one.
void descent_spack_a(int transA, const float *A, long lda, long mc, long kc, int mr, float *dst) {
  switch (mr) {
  case 4: spack_a_all(transA, A, lda, mc, kc, 4, dst); break;
  case 6: spack_a_all(transA, A, lda, mc, kc, 6, dst); break;
  case 14: spack_a_all(transA, A, lda, mc, kc, 14, dst); break;
  default: spack_a_all(transA, A, lda, mc, kc, mr, dst); break;
  }
}

void descent_spack_b(int transB, const float *B, long ldb, long kc, long nc, int nr, float *dst) {
  switch (nr) {
  case 8: spack_b_all(transB, B, ldb, kc, nc, 8, dst); break;
  case 16: spack_b_all(transB, B, ldb, kc, nc, 16, dst); break;
  case 32: spack_b_all(transB, B, ldb, kc, nc, 32, dst); break;
  default: spack_b_all(transB, B, ldb, kc, nc, nr, dst); break;
  }
}

void descent_dpack_a(int transA, const double *A, long lda, long mc, long kc, int mr, double *dst) {
  switch (mr) {
  case 4: dpack_a_all(transA, A, lda, mc, kc, 4, dst); break;
  case 6: dpack_a_all(transA, A, lda, mc, kc, 6, dst); break;
  case 14: dpack_a_all(transA, A, lda, mc, kc, 14, dst); break;
  default: dpack_a_all(transA, A, lda, mc, kc, mr, dst); break;
  }
}

void descent_dpack_b(int transB, const double *B, long ldb, long kc, long nc, int nr, double *dst) {
  switch (nr) {
  case 4: dpack_b_all(transB, B, ldb, kc, nc, 4, dst); break;
  case 8: dpack_b_all(transB, B, ldb, kc, nc, 8, dst); break;
  case 16: dpack_b_all(transB, B, ldb, kc, nc, 16, dst); break;
  default: dpack_b_all(transB, B, ldb, kc, nc, nr, dst); break;
  }
}
