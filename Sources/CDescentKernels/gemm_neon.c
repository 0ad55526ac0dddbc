// arm64 Advanced SIMD (NEON) micro-kernels, chosen on every arm64 build (gemm_dispatch.c).
//
// Register layout: an 8 x 12 float tile is 8 rows x 3 q registers = 24 accumulators, plus 2 for
// the 8 values of A (used lane by lane with FMLA by element) and 3 for the 12 values of B: 29 of
// the 32 vector registers. Each k step issues 24 independent FMAs for 5 vector loads, enough to
// cover the FMA latency on 2 to 4 pipes. float64 uses an 8 x 6 tile: 24 accumulators of 2 lanes,
// 4 registers of A, 3 of B (31 registers). Packing is the generic one (gemm_pack.c: panels of 8
// rows of A and 12 or 6 columns of B). Edge tiles are computed whole into a scratch tile and
// merged; the zero-padded panels make the extra rows and columns harmless.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#define REP8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

// float: C[0:8, 0:12] (ldc) = alpha * A B + beta * C, beta == 0: C not read.
static inline __attribute__((always_inline)) void stile(long kc, float alpha, const float *restrict a,
                                                        const float *restrict b, float beta, float *c,
                                                        long ldc) {
#define S_DECL(r) float32x4_t c##r##_0 = vdupq_n_f32(0), c##r##_1 = c##r##_0, c##r##_2 = c##r##_0;
  REP8(S_DECL)
  for (long p = 0; p < kc; p++) {
    const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
#define S_FMA(r)                                                                                        \
  c##r##_0 = vfmaq_laneq_f32(c##r##_0, b0, (r) < 4 ? a0 : a1, (r) & 3);                                 \
  c##r##_1 = vfmaq_laneq_f32(c##r##_1, b1, (r) < 4 ? a0 : a1, (r) & 3);                                 \
  c##r##_2 = vfmaq_laneq_f32(c##r##_2, b2, (r) < 4 ? a0 : a1, (r) & 3);
    REP8(S_FMA)
    a += 8;
    b += 12;
  }
  const float32x4_t va = vdupq_n_f32(alpha), vb = vdupq_n_f32(beta);
#define S_STORE(r)                                                                                      \
  {                                                                                                     \
    float *cr = c + (r) * ldc;                                                                          \
    float32x4_t x0 = vmulq_f32(va, c##r##_0), x1 = vmulq_f32(va, c##r##_1), x2 = vmulq_f32(va, c##r##_2); \
    if (beta != 0.0f) {                                                                                 \
      x0 = vfmaq_f32(x0, vb, vld1q_f32(cr));                                                            \
      x1 = vfmaq_f32(x1, vb, vld1q_f32(cr + 4));                                                        \
      x2 = vfmaq_f32(x2, vb, vld1q_f32(cr + 8));                                                        \
    }                                                                                                   \
    vst1q_f32(cr, x0);                                                                                  \
    vst1q_f32(cr + 4, x1);                                                                              \
    vst1q_f32(cr + 8, x2);                                                                              \
  }
  REP8(S_STORE)
}

// double: C[0:8, 0:6] (ldc) = alpha * A B + beta * C.
static inline __attribute__((always_inline)) void dtile(long kc, double alpha, const double *restrict a,
                                                        const double *restrict b, double beta, double *c,
                                                        long ldc) {
#define D_DECL(r) float64x2_t c##r##_0 = vdupq_n_f64(0), c##r##_1 = c##r##_0, c##r##_2 = c##r##_0;
  REP8(D_DECL)
  for (long p = 0; p < kc; p++) {
    const float64x2_t a0 = vld1q_f64(a), a1 = vld1q_f64(a + 2), a2 = vld1q_f64(a + 4), a3 = vld1q_f64(a + 6);
    const float64x2_t b0 = vld1q_f64(b), b1 = vld1q_f64(b + 2), b2 = vld1q_f64(b + 4);
#define D_A(r) ((r) < 2 ? a0 : (r) < 4 ? a1 : (r) < 6 ? a2 : a3)
#define D_FMA(r)                                                                                        \
  c##r##_0 = vfmaq_laneq_f64(c##r##_0, b0, D_A(r), (r) & 1);                                            \
  c##r##_1 = vfmaq_laneq_f64(c##r##_1, b1, D_A(r), (r) & 1);                                            \
  c##r##_2 = vfmaq_laneq_f64(c##r##_2, b2, D_A(r), (r) & 1);
    REP8(D_FMA)
    a += 8;
    b += 6;
  }
  const float64x2_t va = vdupq_n_f64(alpha), vb = vdupq_n_f64(beta);
#define D_STORE(r)                                                                                      \
  {                                                                                                     \
    double *cr = c + (r) * ldc;                                                                         \
    float64x2_t x0 = vmulq_f64(va, c##r##_0), x1 = vmulq_f64(va, c##r##_1), x2 = vmulq_f64(va, c##r##_2); \
    if (beta != 0.0) {                                                                                  \
      x0 = vfmaq_f64(x0, vb, vld1q_f64(cr));                                                            \
      x1 = vfmaq_f64(x1, vb, vld1q_f64(cr + 2));                                                        \
      x2 = vfmaq_f64(x2, vb, vld1q_f64(cr + 4));                                                        \
    }                                                                                                   \
    vst1q_f64(cr, x0);                                                                                  \
    vst1q_f64(cr + 2, x1);                                                                              \
    vst1q_f64(cr + 4, x2);                                                                              \
  }
  REP8(D_STORE)
}

static void skernel_neon(long kc, float alpha, const float *restrict a, const float *restrict b, float beta,
                         float *c, long ldc, long m, long n) {
  if (m == 8 && n == 12) {
    stile(kc, alpha, a, b, beta, c, ldc);
  } else {
    float t[8 * 12];
    stile(kc, alpha, a, b, 0.0f, t, 12);
    descent_smerge_tile(m, n, t, 12, beta, c, ldc);
  }
}

static void dkernel_neon(long kc, double alpha, const double *restrict a, const double *restrict b,
                         double beta, double *c, long ldc, long m, long n) {
  if (m == 8 && n == 6) {
    dtile(kc, alpha, a, b, beta, c, ldc);
  } else {
    double t[8 * 6];
    dtile(kc, alpha, a, b, 0.0, t, 6);
    descent_dmerge_tile(m, n, t, 6, beta, c, ldc);
  }
}

const descent_sgemm_impl descent_sgemm_neon = {8, 12, skernel_neon, NULL};
const descent_dgemm_impl descent_dgemm_neon = {8, 6, dkernel_neon, NULL};

#endif // __aarch64__
