// AVX2 + FMA micro-kernels (compiled per function with target attributes; selected at run time).
//
// Register layout: a 6 x 16 float tile (6 x 8 double) is 6 rows x 2 ymm = 12 accumulators, plus
// 2 ymm for the row of B and 1 for the broadcast A value: 15 of the 16 ymm registers. 12
// independent FMAs per k step cover the 4-cycle latency x 2 FMA pipes, for 2 vector loads and 6
// broadcasts (8 loads per 6 cycles, within the 2-3 loads per cycle of Haswell and Zen).
//
// The driver (gemm_driver.c) keeps the B micro-panel (kc x 16) in L1 and streams A micro-panels
// (6 x kc) from L2; the C tile is prefetched before the k loop. Alone on panels in L1 / L2 the
// kernel runs at the FMA ceiling that fma_peak measures (95 of 95 GFLOP/s on Zen 3, CPU time);
// prefetching A ahead in the k loop measured 3% slower there (the hardware prefetcher follows it).
// Edge tiles (fewer rows or columns at the matrix edges) run variants with only the rows and
// vectors they need, masking only partial rows: with M = 128 the last row panel has 2 rows, and a
// full 6-row tile there would waste 3% of the whole product.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "simd_attributes.h"

#define REP6(X) X(0) X(1) X(2) X(3) X(4) X(5)

#ifndef C_HINT
#define C_HINT _MM_HINT_T0
#endif

// Lane mask with the first n (<= 8, or <= 4 doubles) lanes set, for masked stores.
TAVX2 INLINE __m256i lanes32(long n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
TAVX2 INLINE __m256i lanes64(long n) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
}

// One template for both precisions: V is the vector type, W its lane count, S the intrinsic
// suffix, BC the broadcast. ROWS (1..6) and NV (1 or 2 vectors of columns) are compile-time
// constants after inlining; FULL says the tile is complete (plain stores, no masks).
#define DEFINE_TILE(T, P, V, W, S, BC, LANES)                                                           \
  TAVX2 INLINE void P##tile(long kc, T alpha, const T *restrict a, const T *restrict b, T beta, T *c,   \
                            long ldc, long n, const int ROWS, const int NV, const int FULL) {           \
    REP6(P##DECL)                                                                                       \
    for (int r = 0; r < ROWS; r++) {                                                                    \
      _mm_prefetch((const char *)(c + r * ldc), C_HINT);                                           \
      _mm_prefetch((const char *)(c + r * ldc + NV * W - 1), C_HINT);                              \
    }                                                                                                   \
    long p = 0;                                                                                         \
    for (; p + 4 <= kc; p += 4) {                                                                       \
      P##STEP(0) P##STEP(1) P##STEP(2) P##STEP(3)                                                       \
      a += 24;                                                                                          \
      b += 8 * W;                                                                                       \
    }                                                                                                   \
    for (; p < kc; p++) {                                                                               \
      P##STEP(0)                                                                                        \
      a += 6;                                                                                           \
      b += 2 * W;                                                                                       \
    }                                                                                                   \
    const V va = _mm256_set1_##S(alpha), vb = _mm256_set1_##S(beta);                                    \
    const int whole = FULL || n >= NV * W; /* every column of the tile is in C */                     \
    const __m256i k0 = LANES(n), k1 = LANES(n - W);                                                     \
    (void)k0;                                                                                           \
    (void)k1;                                                                                           \
    if (beta == (T)0) {                                                                                 \
      REP6(P##STORE0)                                                                                   \
    } else {                                                                                            \
      REP6(P##STORE)                                                                                    \
    }                                                                                                   \
  }

// Per-row pieces (r is a literal; rows past ROWS compile to nothing).
#define ROW_DECL(V, S, r) V c##r##_0 = _mm256_setzero_##S(), c##r##_1 = _mm256_setzero_##S();
#define ROW_FMA(V, S, BC, q, r)                                                                         \
  if (r < ROWS) {                                                                                       \
    const V ar = BC(a + 6 * q + r);                                                                     \
    c##r##_0 = _mm256_fmadd_##S(ar, b0, c##r##_0);                                                      \
    if (NV > 1) c##r##_1 = _mm256_fmadd_##S(ar, b1, c##r##_1);                                          \
  }
// Store of one row: whole rows of the tile store plainly, a partial row through the lane masks k0 /
// k1 (masked stores are slow on AMD: only the columns past the matrix edge pay for them).
#define ROW_PUT(S, W, r, X0, X1)                                                                        \
  if (whole) {                                                                                          \
    _mm256_storeu_##S(cr, X0);                                                                          \
    if (NV > 1) _mm256_storeu_##S(cr + W, X1);                                                          \
  } else {                                                                                              \
    _mm256_maskstore_##S(cr, k0, X0);                                                                   \
    if (NV > 1) _mm256_maskstore_##S(cr + W, k1, X1);                                                   \
  }
#define ROW_LOAD(S, cr, k) (whole ? _mm256_loadu_##S(cr) : _mm256_maskload_##S(cr, k))
#define ROW_STORE0(T, S, W, r)                                                                          \
  if (r < ROWS) {                                                                                       \
    T *cr = c + r * ldc;                                                                                \
    ROW_PUT(S, W, r, _mm256_mul_##S(va, c##r##_0), _mm256_mul_##S(va, c##r##_1))                        \
  }
#define ROW_STORE(T, S, W, r)                                                                           \
  if (r < ROWS) {                                                                                       \
    T *cr = c + r * ldc;                                                                                \
    ROW_PUT(S, W, r, _mm256_fmadd_##S(vb, ROW_LOAD(S, cr, k0), _mm256_mul_##S(va, c##r##_0)),           \
            NV > 1 ? _mm256_fmadd_##S(vb, ROW_LOAD(S, cr + W, k1), _mm256_mul_##S(va, c##r##_1))        \
                   : _mm256_setzero_##S())                                                              \
  }

// One k step q (0..3) of the unrolled loop: a row of B, then a broadcast and FMAs per row.
#define sSTEP(q)                                                                                        \
  {                                                                                                     \
    const __m256 b0 = _mm256_loadu_ps(b + 16 * q);                                                      \
    const __m256 b1 = NV > 1 ? _mm256_loadu_ps(b + 16 * q + 8) : _mm256_setzero_ps();                   \
    REP6(sFMA##q)                                                                                       \
  }
#define dSTEP(q)                                                                                        \
  {                                                                                                     \
    const __m256d b0 = _mm256_loadu_pd(b + 8 * q);                                                      \
    const __m256d b1 = NV > 1 ? _mm256_loadu_pd(b + 8 * q + 4) : _mm256_setzero_pd();                   \
    REP6(dFMA##q)                                                                                       \
  }

#define sDECL(r) ROW_DECL(__m256, ps, r)
#define sFMA0(r) ROW_FMA(__m256, ps, _mm256_broadcast_ss, 0, r)
#define sFMA1(r) ROW_FMA(__m256, ps, _mm256_broadcast_ss, 1, r)
#define sFMA2(r) ROW_FMA(__m256, ps, _mm256_broadcast_ss, 2, r)
#define sFMA3(r) ROW_FMA(__m256, ps, _mm256_broadcast_ss, 3, r)
#define sSTORE0(r) ROW_STORE0(float, ps, 8, r)
#define sSTORE(r) ROW_STORE(float, ps, 8, r)
#define dDECL(r) ROW_DECL(__m256d, pd, r)
#define dFMA0(r) ROW_FMA(__m256d, pd, _mm256_broadcast_sd, 0, r)
#define dFMA1(r) ROW_FMA(__m256d, pd, _mm256_broadcast_sd, 1, r)
#define dFMA2(r) ROW_FMA(__m256d, pd, _mm256_broadcast_sd, 2, r)
#define dFMA3(r) ROW_FMA(__m256d, pd, _mm256_broadcast_sd, 3, r)
#define dSTORE0(r) ROW_STORE0(double, pd, 4, r)
#define dSTORE(r) ROW_STORE(double, pd, 4, r)

DEFINE_TILE(float, s, __m256, 8, ps, _mm256_broadcast_ss, lanes32)
DEFINE_TILE(double, d, __m256d, 4, pd, _mm256_broadcast_sd, lanes64)

// Edge variants: 1..6 rows times one or two vectors of columns, masked. Index [NV - 1][rows - 1].
#define EDGE(T, P, R, NV)                                                                               \
  TAVX2 static void P##edge_##R##_##NV(long kc, T alpha, const T *restrict a, const T *restrict b,     \
                                       T beta, T *c, long ldc, long m, long n) {                       \
    (void)m;                                                                                            \
    P##tile(kc, alpha, a, b, beta, c, ldc, n, R, NV, 0);                                                \
  }
#define EDGES(T, P)                                                                                     \
  EDGE(T, P, 1, 1) EDGE(T, P, 2, 1) EDGE(T, P, 3, 1) EDGE(T, P, 4, 1) EDGE(T, P, 5, 1) EDGE(T, P, 6, 1) \
  EDGE(T, P, 1, 2) EDGE(T, P, 2, 2) EDGE(T, P, 3, 2) EDGE(T, P, 4, 2) EDGE(T, P, 5, 2) EDGE(T, P, 6, 2)
EDGES(float, s)
EDGES(double, d)
#define EDGE_TABLE(P)                                                                                   \
  {{P##edge_1_1, P##edge_2_1, P##edge_3_1, P##edge_4_1, P##edge_5_1, P##edge_6_1},                     \
   {P##edge_1_2, P##edge_2_2, P##edge_3_2, P##edge_4_2, P##edge_5_2, P##edge_6_2}}
static const descent_skernel_fn s_edges[2][6] = EDGE_TABLE(s);
static const descent_dkernel_fn d_edges[2][6] = EDGE_TABLE(d);

// Full 6 x 2W tiles run the inlined template directly; everything else goes through the table.
#define DEFINE_KERNEL(T, P, W)                                                                          \
  TAVX2 static void P##kernel_avx2(long kc, T alpha, const T *restrict a, const T *restrict b, T beta,  \
                                   T *c, long ldc, long m, long n) {                                   \
    if (m == 6 && n == 2 * W)                                                                           \
      P##tile(kc, alpha, a, b, beta, c, ldc, n, 6, 2, 1);                                               \
    else                                                                                                \
      P##_edges[n > W][m - 1](kc, alpha, a, b, beta, c, ldc, m, n);                                     \
  }
DEFINE_KERNEL(float, s, 8)
DEFINE_KERNEL(double, d, 4)

const descent_sgemm_impl descent_sgemm_avx2 = {6, 16, skernel_avx2, descent_sgather_avx2};
const descent_dgemm_impl descent_dgemm_avx2 = {6, 8, dkernel_avx2, descent_dgather_avx2};

#endif // __x86_64__
