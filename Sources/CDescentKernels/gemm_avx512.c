// AVX-512 micro-kernels (compiled per function with target attributes; selected at run time).
//
// Register layout: a 14 x 32 float tile (14 x 16 double) is 14 rows x 2 zmm = 28 accumulators,
// plus 2 zmm for the row of B and 1 for the broadcast A value: 31 of the 32 zmm registers. Each k
// step issues 28 independent FMAs (14 cycles on the two FMA ports), far more than the 4-cycle
// latency x 2 ports = 8 needed in flight, for only 2 vector loads and 14 broadcast loads. Measured
// alone on Sapphire Rapids it runs at ~205 of the 240 GFLOP/s FMA peak (12 x 32, 8 x 48 and 6 x 64
// tiles measured no better). Edges use masked loads/stores, so partial tiles need no scratch copy.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "simd_attributes.h"

#define REP14(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)

// B micro-panels stream from L2; hardware prefetch alone left the kernel ~15% short, so each k
// step also prefetches the B row this many steps ahead (past the panel end it reaches the next one).
#ifndef B_PREFETCH
#define B_PREFETCH 16
#endif

// One template for both precisions: V is the vector type, W its lane count, S the intrinsic suffix.
// The tile computes ROWS (even, <= 14) rows and NV (1 or 2) vectors of columns; both are
// compile-time constants after inlining, so the edge variants below carry only the accumulators
// they use. Edge tiles thus cost in proportion to their size instead of a full 14 x 2W tile: with
// M = 128 the last row panel has 2 rows, and a full tile there would waste 8% of the whole product.
#define DEFINE_TILE(T, P, V, W, S, MASK)                                                                \
  T512 INLINE void P##tile(long kc, T alpha, const T *restrict a, const T *restrict b, T beta, T *c,    \
                           long ldc, long m, long n, const int ROWS, const int NV) {                    \
    REP14(P##DECL)                                                                                     \
    /* Bring the C tile toward L1 while the k loop runs. */                                            \
    for (long r = 0; r < m; r++) {                                                                     \
      _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);                                          \
      _mm_prefetch((const char *)(c + r * ldc + NV * W - 1), _MM_HINT_T0);                             \
    }                                                                                                  \
    for (long p = 0; p < kc; p++) {                                                                    \
      const V b0 = _mm512_loadu_##S(b);                                                                \
      const V b1 = NV > 1 ? _mm512_loadu_##S(b + W) : _mm512_setzero_##S();                            \
      _mm_prefetch((const char *)(b + B_PREFETCH * 2 * W), _MM_HINT_T0);                               \
      if (NV > 1) _mm_prefetch((const char *)(b + B_PREFETCH * 2 * W + W), _MM_HINT_T0);               \
      REP14(P##FMA)                                                                                    \
      a += 14;                                                                                         \
      b += 2 * W;                                                                                      \
    }                                                                                                  \
    const MASK k0 = n >= W ? (MASK)~0u : (MASK)((1u << n) - 1u);                                       \
    const MASK k1 = n >= 2 * W ? (MASK)~0u : n > W ? (MASK)((1u << (n - W)) - 1u) : (MASK)0;           \
    const V va = _mm512_set1_##S(alpha), vb = _mm512_set1_##S(beta);                                   \
    if (beta == (T)0) {                                                                                \
      REP14(P##STORE0)                                                                                 \
    } else {                                                                                           \
      REP14(P##STORE)                                                                                  \
    }                                                                                                  \
  }

// Per-row pieces of the template (r is a literal; rows past ROWS compile to nothing).
#define ROW_DECL(V, S, r) V c##r##_0 = _mm512_setzero_##S(), c##r##_1 = _mm512_setzero_##S();
#define ROW_FMA(V, S, r)                                                                                \
  if (r < ROWS) {                                                                                      \
    const V ar = _mm512_set1_##S(a[r]);                                                                \
    c##r##_0 = _mm512_fmadd_##S(ar, b0, c##r##_0);                                                     \
    if (NV > 1) c##r##_1 = _mm512_fmadd_##S(ar, b1, c##r##_1);                                         \
  }
#define ROW_STORE0(T, S, W, r)                                                                         \
  if (r < ROWS && r < m) {                                                                             \
    T *cr = c + r * ldc;                                                                               \
    _mm512_mask_storeu_##S(cr, k0, _mm512_mul_##S(va, c##r##_0));                                      \
    if (NV > 1) _mm512_mask_storeu_##S(cr + W, k1, _mm512_mul_##S(va, c##r##_1));                      \
  }
#define ROW_STORE(T, S, W, r)                                                                          \
  if (r < ROWS && r < m) {                                                                             \
    T *cr = c + r * ldc;                                                                               \
    _mm512_mask_storeu_##S(                                                                            \
        cr, k0, _mm512_fmadd_##S(vb, _mm512_maskz_loadu_##S(k0, cr), _mm512_mul_##S(va, c##r##_0)));   \
    if (NV > 1)                                                                                        \
      _mm512_mask_storeu_##S(cr + W, k1,                                                               \
                             _mm512_fmadd_##S(vb, _mm512_maskz_loadu_##S(k1, cr + W),                  \
                                              _mm512_mul_##S(va, c##r##_1)));                          \
  }

#define sDECL(r) ROW_DECL(__m512, ps, r)
#define sFMA(r) ROW_FMA(__m512, ps, r)
#define sSTORE0(r) ROW_STORE0(float, ps, 16, r)
#define sSTORE(r) ROW_STORE(float, ps, 16, r)
#define dDECL(r) ROW_DECL(__m512d, pd, r)
#define dFMA(r) ROW_FMA(__m512d, pd, r)
#define dSTORE0(r) ROW_STORE0(double, pd, 8, r)
#define dSTORE(r) ROW_STORE(double, pd, 8, r)

DEFINE_TILE(float, s, __m512, 16, ps, __mmask16)
DEFINE_TILE(double, d, __m512d, 8, pd, __mmask8)

// Edge variants: an even number of rows (the odd one computes a zero-padded row it does not store)
// times one or two vectors of columns. Index: [NV - 1][(rows - 1) / 2].
#define EDGE_VARIANTS(T, P)                                                                             \
  EDGE(T, P, 2, 1) EDGE(T, P, 4, 1) EDGE(T, P, 6, 1) EDGE(T, P, 8, 1) EDGE(T, P, 10, 1) EDGE(T, P, 12, 1) \
  EDGE(T, P, 14, 1) EDGE(T, P, 2, 2) EDGE(T, P, 4, 2) EDGE(T, P, 6, 2) EDGE(T, P, 8, 2) EDGE(T, P, 10, 2) \
  EDGE(T, P, 12, 2) EDGE(T, P, 14, 2)
#define EDGE(T, P, R, NV)                                                                               \
  T512 static void P##edge_##R##_##NV(long kc, T alpha, const T *restrict a, const T *restrict b, T beta, \
                                      T *c, long ldc, long m, long n) {                                \
    P##tile(kc, alpha, a, b, beta, c, ldc, m, n, R, NV);                                               \
  }
EDGE_VARIANTS(float, s)
EDGE_VARIANTS(double, d)
#undef EDGE

#define EDGE_TABLE(P)                                                                                   \
  {{P##edge_2_1, P##edge_4_1, P##edge_6_1, P##edge_8_1, P##edge_10_1, P##edge_12_1, P##edge_14_1},     \
   {P##edge_2_2, P##edge_4_2, P##edge_6_2, P##edge_8_2, P##edge_10_2, P##edge_12_2, P##edge_14_2}}
static const descent_skernel_fn s_edges[2][7] = EDGE_TABLE(s);
static const descent_dkernel_fn d_edges[2][7] = EDGE_TABLE(d);

// Full 14 x 2W tiles run the inlined template directly; everything else goes through the table.
#define DEFINE_KERNEL(T, P, W)                                                                          \
  T512 static void P##kernel_avx512(long kc, T alpha, const T *restrict a, const T *restrict b, T beta, \
                                    T *c, long ldc, long m, long n) {                                  \
    if (m == 14 && n > W)                                                                               \
      P##tile(kc, alpha, a, b, beta, c, ldc, m, n, 14, 2);                                              \
    else                                                                                                \
      P##_edges[n > W][(m - 1) / 2](kc, alpha, a, b, beta, c, ldc, m, n);                               \
  }
DEFINE_KERNEL(float, s, 16)
DEFINE_KERNEL(double, d, 8)

const descent_sgemm_impl descent_sgemm_avx512 = {14, 32, skernel_avx512, descent_sgather_avx512};
const descent_dgemm_impl descent_dgemm_avx512 = {14, 16, dkernel_avx512, descent_dgather_avx512};

#endif // __x86_64__
