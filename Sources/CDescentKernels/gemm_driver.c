// BLIS-style blocked GEMM driver, shared by every kernel path.
//
// Loop nest (outermost first), with the cache level each packed operand is sized for
// (gemm_blocking.c derives the sizes from the CPU's caches):
//   jc over N in steps of nc   -- packed B block (kc x nc) lives in L3
//   pc over K in steps of kc   -- the first kc block applies the caller's beta, later ones add (beta 1)
//   ic over M in steps of mc   -- packed A block (mc x kc) lives in L2
//   jr over the B panels (nr)  -- one B micro-panel (kc x nr) stays in L1 for the whole ir loop
//   ir over the A panels (mr)  -- A micro-panels stream from L2 through the micro-kernel
// Operands that are gathered (transposed B, plain A: each panel reads whole source rows) are packed
// panel by panel right before their first use (B panels in the first ic block, A panels in the first
// jr pass): the fresh B panel is still in L1 and the copy overlaps the arithmetic. The others are
// packed a block at a time, reading the source row by row: panel by panel they would read one cache
// line per source row from L3, which measured 20% slower for 128 x 784 x 512.
// Different jc and ic blocks write disjoint parts of C: gemm_parallel.c gives each pool thread its
// own tile-aligned row or column slice (own workspace). Everything a block needs is computed from
// the loop indices, with no state carried between iterations.
//
// Packing buffers are cached per thread (64-byte aligned, grown on demand) and freed by a pthread key
// destructor when the thread exits, so repeated small calls do not pay for allocation or page faults.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
  void *ptr;
  size_t size;
} workspace;

static _Thread_local workspace tls_ws;
static pthread_key_t ws_key;
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;

static void ws_destroy(void *p) {
  workspace *ws = (workspace *)p;
  free(ws->ptr);
  ws->ptr = NULL;
  ws->size = 0;
}

static void ws_make_key(void) { (void)pthread_key_create(&ws_key, ws_destroy); }

// Returns a 64-byte aligned buffer of at least `bytes`, owned by the calling thread.
static void *workspace_get(size_t bytes) {
  workspace *ws = &tls_ws;
  if (ws->size >= bytes) return ws->ptr;
  pthread_once(&ws_once, ws_make_key);
  free(ws->ptr);
  ws->ptr = NULL;
  ws->size = 0;
  size_t rounded = (bytes + 4095) & ~(size_t)4095;
  void *p = NULL;
  if (posix_memalign(&p, 64, rounded) != 0) return NULL;
  ws->ptr = p;
  ws->size = rounded;
  // Registers the destructor for this thread (idempotent).
  (void)pthread_setspecific(ws_key, ws);
  return p;
}

static inline long min_l(long a, long b) { return a < b ? a : b; }
static inline long round_up(long x, long m) { return (x + m - 1) / m * m; }

// Splits `total` into the fewest blocks of at most `max` (a multiple of `unit` each, `max` being
// one too) with near-equal sizes, instead of full blocks plus a thin remainder: e.g. M = 512 with
// mc = 252 gives 3 blocks of 174, not 252 + 252 + 8, and K = 1024 with kc = 384 three of 344.
static inline long balanced_block(long total, long max, long unit) {
  if (max < unit) max = unit;
  long nblocks = (total + max - 1) / max;
  for (;; nblocks++) {
    long b = round_up((total + nblocks - 1) / nblocks, unit);
    if (b <= max) return b;
  }
}

// While the ir loop runs on one B micro-panel, the next one is prefetched a share per kernel call,
// so that its first kernel call does not wait on L3 (packed B blocks larger than L2): SGEMM 2048
// measured 6% faster on Zen 3.
#ifndef PREFETCH_NEXT_B
#define PREFETCH_NEXT_B 1
#endif

#define DEFINE_DRIVER(T, P)                                                                              \
  /* Only if the workspace cannot be allocated: correct, unblocked and slow. */                         \
  static void P##gemm_unpacked(int transA, int transB, long M, long N, long K, T alpha, const T *A,      \
                               long lda, const T *B, long ldb, T beta, T *C, long ldc) {                \
    for (long i = 0; i < M; i++)                                                                        \
      for (long j = 0; j < N; j++) {                                                                    \
        T sum = 0;                                                                                      \
        for (long p = 0; p < K; p++)                                                                    \
          sum += (transA ? A[p * lda + i] : A[i * lda + p]) * (transB ? B[j * ldb + p] : B[p * ldb + j]); \
        C[i * ldc + j] = alpha * sum + (beta == (T)0 ? (T)0 : beta * C[i * ldc + j]);                   \
      }                                                                                                 \
  }                                                                                                     \
                                                                                                        \
  void descent_##P##gemm_blocked(const descent_##P##gemm_impl *impl, descent_blocking blocking,       \
                                 int transA, int transB, long M, long N, long K, T alpha, const T *A,   \
                                 long lda, const T *B, long ldb, T beta, T *C, long ldc) {              \
    const long MR = impl->mr, NR = impl->nr;                                                            \
    const long MC = balanced_block(M, blocking.mc, MR);                                                 \
    const long KC = balanced_block(K, blocking.kc, 1);                                                  \
    const long NC = balanced_block(N, blocking.nc, NR);                                                 \
    /* The A area is rounded up to 64 bytes so that the B area starts cache-line aligned too. */       \
    size_t a_elems = (size_t)round_up(min_l(M, MC), MR) * (size_t)min_l(K, KC);                        \
    size_t a_bytes = (a_elems * sizeof(T) + 63) & ~(size_t)63;                                          \
    size_t b_elems = (size_t)min_l(K, KC) * (size_t)round_up(min_l(N, NC), NR);                        \
    char *ws = (char *)workspace_get(a_bytes + b_elems * sizeof(T));                                    \
    if (!ws) {                                                                                          \
      P##gemm_unpacked(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);                   \
      return;                                                                                           \
    }                                                                                                   \
    T *Ap = (T *)ws;                                                                                    \
    T *Bp = (T *)(ws + a_bytes);                                                                        \
    for (long jc = 0; jc < N; jc += NC) {                                                               \
      const long nc = min_l(NC, N - jc);                                                                \
      for (long pc = 0; pc < K; pc += KC) {                                                             \
        const long kc = min_l(KC, K - pc);                                                              \
        const T beta_k = pc == 0 ? beta : (T)1;                                                         \
        /* op(B)[pc:, jc:] */                                                                           \
        const T *Bblk = transB ? B + jc * ldb + pc : B + pc * ldb + jc;                                 \
        if (!transB) descent_##P##pack_b(impl, 0, Bblk, ldb, kc, nc, Bp);                               \
        for (long ic = 0; ic < M; ic += MC) {                                                           \
          const long mc = min_l(MC, M - ic);                                                            \
          /* op(A)[ic:, pc:] */                                                                         \
          const T *Ablk = transA ? A + pc * lda + ic : A + ic * lda + pc;                               \
          if (transA) descent_##P##pack_a(impl, 1, Ablk, lda, mc, kc, Ap);                              \
          for (long jr = 0; jr < nc; jr += NR) {                                                        \
            const long n = min_l(NR, nc - jr);                                                          \
            T *bp = Bp + jr * kc;                                                                       \
            T *ccol = C + ic * ldc + jc + jr;                                                           \
            if (transB && ic == 0) descent_##P##pack_b(impl, 1, Bblk + jr * ldb, ldb, kc, n, bp);       \
            for (long ir = 0; ir < mc; ir += MR) {                                                      \
              const long m = min_l(MR, mc - ir);                                                        \
              T *ap = Ap + ir * kc;                                                                     \
              if (!transA && jr == 0) descent_##P##pack_a(impl, 0, Ablk + ir * lda, lda, m, kc, ap);    \
              impl->kernel(kc, alpha, ap, bp, beta_k, ccol + ir * ldc, ldc, m, n);                      \
              if (PREFETCH_NEXT_B && jr + NR < nc) {                                                    \
                /* A share of the next B panel toward L2/L1 per kernel call. */                         \
                const long lines = (long)(NR * kc * sizeof(T) / 64), calls = (mc + MR - 1) / MR;        \
                const long i0 = ir / MR * lines / calls, i1 = (ir / MR + 1) * lines / calls;            \
                for (long l = i0; l < i1; l++)                                                          \
                  __builtin_prefetch((const char *)(bp + NR * kc) + 64 * l, 0, 2);                      \
              }                                                                                         \
            }                                                                                           \
          }                                                                                             \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }

DEFINE_DRIVER(float, s)
DEFINE_DRIVER(double, d)
