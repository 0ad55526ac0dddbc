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

// C[0:8, 0:3L] (ldc) = alpha * A B + beta * C, beta == 0: C not read. One template for both
// precisions: V is the vector type of L lanes, S the intrinsic suffix; LOAD_A loads the 8 values
// of A into a0..a(8/L - 1) and A_REG(r) names the register that holds row r (lane r % L).
#define DEFINE_TILE(T, P, V, S, L, LOAD_A, A_REG)                                                        \
  static inline __attribute__((always_inline)) void P##tile(long kc, T alpha, const T *restrict a,      \
                                                            const T *restrict b, T beta, T *c, long ldc) { \
    REP8(P##DECL)                                                                                       \
    for (long p = 0; p < kc; p++) {                                                                     \
      LOAD_A                                                                                            \
      const V b0 = vld1q_##S(b), b1 = vld1q_##S(b + L), b2 = vld1q_##S(b + 2 * L);                      \
      REP8(P##FMA)                                                                                      \
      a += 8;                                                                                           \
      b += 3 * L;                                                                                       \
    }                                                                                                   \
    const V va = vdupq_n_##S(alpha), vb = vdupq_n_##S(beta);                                            \
    REP8(P##STORE)                                                                                      \
  }

// Per-row pieces (r is a literal).
#define ROW_DECL(V, S, r) V c##r##_0 = vdupq_n_##S(0), c##r##_1 = c##r##_0, c##r##_2 = c##r##_0;
#define ROW_FMA(S, L, A, r)                                                                             \
  c##r##_0 = vfmaq_laneq_##S(c##r##_0, b0, A(r), (r) % L);                                              \
  c##r##_1 = vfmaq_laneq_##S(c##r##_1, b1, A(r), (r) % L);                                              \
  c##r##_2 = vfmaq_laneq_##S(c##r##_2, b2, A(r), (r) % L);
#define ROW_STORE(T, V, S, L, r)                                                                        \
  {                                                                                                     \
    T *cr = c + (r) * ldc;                                                                              \
    V x0 = vmulq_##S(va, c##r##_0), x1 = vmulq_##S(va, c##r##_1), x2 = vmulq_##S(va, c##r##_2);         \
    if (beta != (T)0) {                                                                                 \
      x0 = vfmaq_##S(x0, vb, vld1q_##S(cr));                                                            \
      x1 = vfmaq_##S(x1, vb, vld1q_##S(cr + L));                                                        \
      x2 = vfmaq_##S(x2, vb, vld1q_##S(cr + 2 * L));                                                    \
    }                                                                                                   \
    vst1q_##S(cr, x0);                                                                                  \
    vst1q_##S(cr + L, x1);                                                                              \
    vst1q_##S(cr + 2 * L, x2);                                                                          \
  }

// float: an 8 x 12 tile, A in 2 registers of 4 lanes.
#define S_LOAD_A const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
#define S_A(r) ((r) < 4 ? a0 : a1)
#define sDECL(r) ROW_DECL(float32x4_t, f32, r)
#define sFMA(r) ROW_FMA(f32, 4, S_A, r)
#define sSTORE(r) ROW_STORE(float, float32x4_t, f32, 4, r)
DEFINE_TILE(float, s, float32x4_t, f32, 4, S_LOAD_A, S_A)

// double: an 8 x 6 tile, A in 4 registers of 2 lanes.
#define D_LOAD_A                                                                                        \
  const float64x2_t a0 = vld1q_f64(a), a1 = vld1q_f64(a + 2), a2 = vld1q_f64(a + 4), a3 = vld1q_f64(a + 6);
#define D_A(r) ((r) < 2 ? a0 : (r) < 4 ? a1 : (r) < 6 ? a2 : a3)
#define dDECL(r) ROW_DECL(float64x2_t, f64, r)
#define dFMA(r) ROW_FMA(f64, 2, D_A, r)
#define dSTORE(r) ROW_STORE(double, float64x2_t, f64, 2, r)
DEFINE_TILE(double, d, float64x2_t, f64, 2, D_LOAD_A, D_A)

// Full tiles are computed in place; edge tiles whole into a scratch tile, then merged.
#define DEFINE_KERNEL(T, P, NR)                                                                          \
  static void P##kernel_neon(long kc, T alpha, const T *restrict a, const T *restrict b, T beta, T *c,  \
                             long ldc, long m, long n) {                                                \
    if (m == 8 && n == NR) {                                                                            \
      P##tile(kc, alpha, a, b, beta, c, ldc);                                                           \
    } else {                                                                                            \
      T t[8 * NR];                                                                                      \
      P##tile(kc, alpha, a, b, (T)0, t, NR);                                                            \
      descent_##P##merge_tile(m, n, t, NR, beta, c, ldc);                                               \
    }                                                                                                   \
  }
DEFINE_KERNEL(float, s, 12)
DEFINE_KERNEL(double, d, 6)

const descent_sgemm_impl descent_sgemm_neon = {8, 12, skernel_neon, NULL};
const descent_dgemm_impl descent_dgemm_neon = {8, 6, dkernel_neon, NULL};

#endif // __aarch64__
