// AVX-512 micro-kernels (compiled per function with target attributes; selected at run time).
//
// Register layout: a 14 x 32 float tile (14 x 16 double) is 14 rows x 2 zmm = 28 accumulators,
// plus 2 zmm for the row of B and 1 for the broadcast A value: 31 of the 32 zmm registers. Each k
// step issues 28 independent FMAs (14 cycles on the two FMA ports), far more than the 4-cycle
// latency x 2 ports = 8 needed in flight, and needs only 2 vector loads plus 14 broadcasts (which
// the compiler folds into the FMAs as {1toN} memory operands). Edges use masked loads/stores, so
// partial tiles need no scratch copy.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define T512 __attribute__((target("avx512f,avx512vl,fma")))

#define REP14(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)

// Blocking (Sapphire Rapids: 48 KiB L1d, 2 MiB L2 per core). The A micro-panel (14 x kc) stays
// in L1 while B micro-panels stream from the packed B block kept in L2.
// B micro-panels stream from L2; hardware prefetch alone leaves the kernel ~15% short, so each k
// step also prefetches the B row this many steps ahead (past the panel end it reaches the next one).
#ifndef B_PREFETCH
#define B_PREFETCH 16
#endif

#ifndef S512_KC
#define S512_KC 384 // A micro-panel 14 x 384 x 4 B = 21 KiB of L1
#endif
#ifndef S512_NC
#define S512_NC 1024 // packed B 384 x 1024 x 4 B = 1.5 MiB of L2
#endif
#ifndef S512_MC
#define S512_MC 1008 // packed A 1008 x 384 x 4 B = 1.5 MiB (L3); multiple of 14
#endif
#ifndef D512_KC
#define D512_KC 256 // A micro-panel 14 x 256 x 8 B = 28 KiB of L1
#endif
#ifndef D512_NC
#define D512_NC 512 // packed B 256 x 512 x 8 B = 1 MiB of L2
#endif
#ifndef D512_MC
#define D512_MC 504 // multiple of 14
#endif

T512 static void skernel_avx512(long kc, float alpha, const float *restrict a, const float *restrict b,
                                float beta, float *c, long ldc, long m, long n) {
#define S_DECL(r) __m512 c##r##_0 = _mm512_setzero_ps(), c##r##_1 = _mm512_setzero_ps();
  REP14(S_DECL)
  // Bring the C tile toward L1 while the k loop runs (2-3 lines per row of 32 floats).
  for (long r = 0; r < m; r++) {
    _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * ldc + 16), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * ldc + 31), _MM_HINT_T0);
  }
  for (long p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    _mm_prefetch((const char *)(b + B_PREFETCH * 32), _MM_HINT_T0);
    _mm_prefetch((const char *)(b + B_PREFETCH * 32 + 16), _MM_HINT_T0);
#define S_FMA(r)                                                                                           \
  {                                                                                                        \
    const __m512 ar = _mm512_set1_ps(a[r]);                                                                \
    c##r##_0 = _mm512_fmadd_ps(ar, b0, c##r##_0);                                                          \
    c##r##_1 = _mm512_fmadd_ps(ar, b1, c##r##_1);                                                          \
  }
    REP14(S_FMA)
    a += 14;
    b += 32;
  }
  const __mmask16 k0 = n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
  const __mmask16 k1 = n >= 32 ? (__mmask16)0xFFFF : n > 16 ? (__mmask16)((1u << (n - 16)) - 1u) : 0;
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  if (beta == 0.0f) {
#define S_STORE0(r)                                                                                        \
  if (r < m) {                                                                                             \
    float *cr = c + r * ldc;                                                                               \
    _mm512_mask_storeu_ps(cr, k0, _mm512_mul_ps(va, c##r##_0));                                            \
    _mm512_mask_storeu_ps(cr + 16, k1, _mm512_mul_ps(va, c##r##_1));                                       \
  }
    REP14(S_STORE0)
  } else {
#define S_STORE(r)                                                                                         \
  if (r < m) {                                                                                             \
    float *cr = c + r * ldc;                                                                               \
    __m512 x0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k0, cr), _mm512_mul_ps(va, c##r##_0));           \
    __m512 x1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k1, cr + 16), _mm512_mul_ps(va, c##r##_1));      \
    _mm512_mask_storeu_ps(cr, k0, x0);                                                                     \
    _mm512_mask_storeu_ps(cr + 16, k1, x1);                                                                \
  }
    REP14(S_STORE)
  }
}

T512 static void dkernel_avx512(long kc, double alpha, const double *restrict a, const double *restrict b,
                                double beta, double *c, long ldc, long m, long n) {
#define D_DECL(r) __m512d c##r##_0 = _mm512_setzero_pd(), c##r##_1 = _mm512_setzero_pd();
  REP14(D_DECL)
  for (long r = 0; r < m; r++) {
    _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * ldc + 8), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * ldc + 15), _MM_HINT_T0);
  }
  for (long p = 0; p < kc; p++) {
    const __m512d b0 = _mm512_loadu_pd(b), b1 = _mm512_loadu_pd(b + 8);
    _mm_prefetch((const char *)(b + B_PREFETCH * 16), _MM_HINT_T0);
    _mm_prefetch((const char *)(b + B_PREFETCH * 16 + 8), _MM_HINT_T0);
#define D_FMA(r)                                                                                           \
  {                                                                                                        \
    const __m512d ar = _mm512_set1_pd(a[r]);                                                               \
    c##r##_0 = _mm512_fmadd_pd(ar, b0, c##r##_0);                                                          \
    c##r##_1 = _mm512_fmadd_pd(ar, b1, c##r##_1);                                                          \
  }
    REP14(D_FMA)
    a += 14;
    b += 16;
  }
  const __mmask8 k0 = n >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << n) - 1u);
  const __mmask8 k1 = n >= 16 ? (__mmask8)0xFF : n > 8 ? (__mmask8)((1u << (n - 8)) - 1u) : 0;
  const __m512d va = _mm512_set1_pd(alpha), vb = _mm512_set1_pd(beta);
  if (beta == 0.0) {
#define D_STORE0(r)                                                                                        \
  if (r < m) {                                                                                             \
    double *cr = c + r * ldc;                                                                              \
    _mm512_mask_storeu_pd(cr, k0, _mm512_mul_pd(va, c##r##_0));                                            \
    _mm512_mask_storeu_pd(cr + 8, k1, _mm512_mul_pd(va, c##r##_1));                                        \
  }
    REP14(D_STORE0)
  } else {
#define D_STORE(r)                                                                                         \
  if (r < m) {                                                                                             \
    double *cr = c + r * ldc;                                                                              \
    __m512d x0 = _mm512_fmadd_pd(vb, _mm512_maskz_loadu_pd(k0, cr), _mm512_mul_pd(va, c##r##_0));          \
    __m512d x1 = _mm512_fmadd_pd(vb, _mm512_maskz_loadu_pd(k1, cr + 8), _mm512_mul_pd(va, c##r##_1));      \
    _mm512_mask_storeu_pd(cr, k0, x0);                                                                     \
    _mm512_mask_storeu_pd(cr + 8, k1, x1);                                                                 \
  }
    REP14(D_STORE)
  }
}

const descent_sgemm_impl descent_sgemm_avx512 = {14, 32, S512_MC, S512_KC, S512_NC, skernel_avx512};
const descent_dgemm_impl descent_dgemm_avx512 = {14, 16, D512_MC, D512_KC, D512_NC, dkernel_avx512};

#endif // __x86_64__
