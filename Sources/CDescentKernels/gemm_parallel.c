// Splits one GEMM across the thread pool (threads.c).
//
// C is cut into slices of whole register tiles: column slices (starting at multiples of NR) when N is
// the larger side, row slices (multiples of MR) otherwise. Each slice is an independent call of the
// blocked driver on a sub-matrix, run by whichever thread claims it, packing into that thread's own
// workspace. Splitting N packs all of A once per slice, splitting M all of B; cutting the larger side
// keeps that duplicated packing the smaller part of the work.
//
// Bit-identical to one thread: every C tile is the same MR x NR tile as in the unsplit call (slice
// starts are tile-aligned, slice ends are tile boundaries or the matrix edge), the depth blocking kc
// depends on K and the CPU's caches alone (the same in every slice), and the micro-kernel's result
// for a tile does not depend on which mc / nc block packed it. So each element sees the same
// operations in the same order.
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <stdatomic.h>

// A product is split when each thread gets at least DEFAULT_WORK multiply-adds while the pool's
// workers are still spinning from their last job (a hand-off then costs about a microsecond), or
// COLD_FACTOR times that when they sleep (a wake-up costs tens of microseconds on a VM), and over
// at most as many threads as physical cores: a hyper-thread sibling shares the FMA units, so a
// second GEMM thread there only adds a wake-up and duplicated packing. Measured with
// `descent-bench threads` (see the README's threads paragraph).
#ifndef DEFAULT_WORK
#define DEFAULT_WORK (1L << 19)
#endif
#ifndef COLD_FACTOR
#define COLD_FACTOR 8
#endif

static _Atomic long threshold = DEFAULT_WORK;

long descent_gemm_thread_threshold(void) { return atomic_load_explicit(&threshold, memory_order_relaxed); }

long descent_gemm_set_thread_threshold(long value) {
  if (value < 0) value = DEFAULT_WORK;
  return atomic_exchange_explicit(&threshold, value, memory_order_relaxed);
}

// How to cut: ntasks slices of `units` tiles along N (split_n) or M. ntasks <= 1: do not split.
typedef struct {
  long ntasks, units;
  int split_n;
} split_plan;

static split_plan plan_split(long M, long N, long K, long MR, long NR) {
  split_plan plan = {1, 1, 0};
  long threads = descent_get_num_threads();
  const long work = descent_gemm_thread_threshold();
  if (work > 0) {
    const long cores = descent_usable_cores();
    if (threads > cores) threads = cores;
    const double per_thread = (double)work * (descent_pool_awake_workers() >= threads - 1 ? 1 : COLD_FACTOR);
    // In double: M * N * K may not fit a long.
    const double by_work = (double)M * (double)N * (double)K / per_thread;
    if ((double)threads > by_work) threads = (long)by_work;
  }
  if (threads <= 1) return plan;
  long um = (M + MR - 1) / MR, un = (N + NR - 1) / NR;
  plan.split_n = N > M ? un >= 2 : um < 2;
  plan.units = plan.split_n ? un : um;
  plan.ntasks = plan.units < threads ? plan.units : threads;
  return plan;
}

#define DEFINE_THREADED(T, P)                                                                            \
  typedef struct {                                                                                      \
    const descent_##P##gemm_impl *impl;                                                                 \
    descent_blocking blocking;                                                                          \
    int transA, transB;                                                                                 \
    long M, N, K;                                                                                       \
    T alpha, beta;                                                                                      \
    const T *A, *B;                                                                                     \
    T *C;                                                                                               \
    long lda, ldb, ldc;                                                                                 \
    split_plan plan;                                                                                    \
  } P##gemm_job;                                                                                        \
                                                                                                        \
  static void P##gemm_slice(void *ctx, long task) {                                                     \
    const P##gemm_job *j = (const P##gemm_job *)ctx;                                                    \
    const long u0 = task * j->plan.units / j->plan.ntasks;                                              \
    const long u1 = (task + 1) * j->plan.units / j->plan.ntasks;                                        \
    if (j->plan.split_n) {                                                                              \
      const long c0 = u0 * j->impl->nr, c1 = u1 * j->impl->nr < j->N ? u1 * j->impl->nr : j->N;         \
      /* op(B)[:, c0:c1] and C[:, c0:c1] */                                                             \
      const T *B = j->transB ? j->B + c0 * j->ldb : j->B + c0;                                          \
      descent_##P##gemm_blocked(j->impl, j->blocking, j->transA, j->transB, j->M, c1 - c0, j->K,        \
                                j->alpha, j->A, j->lda, B, j->ldb, j->beta, j->C + c0, j->ldc);         \
    } else {                                                                                            \
      const long r0 = u0 * j->impl->mr, r1 = u1 * j->impl->mr < j->M ? u1 * j->impl->mr : j->M;         \
      /* op(A)[r0:r1, :] and C[r0:r1, :] */                                                             \
      const T *A = j->transA ? j->A + r0 : j->A + r0 * j->lda;                                          \
      descent_##P##gemm_blocked(j->impl, j->blocking, j->transA, j->transB, r1 - r0, j->N, j->K,        \
                                j->alpha, A, j->lda, j->B, j->ldb, j->beta, j->C + r0 * j->ldc,         \
                                j->ldc);                                                                \
    }                                                                                                   \
  }                                                                                                     \
                                                                                                        \
  void descent_##P##gemm_threaded(const descent_##P##gemm_impl *impl, int transA, int transB, long M,  \
                                  long N, long K, T alpha, const T *A, long lda, const T *B, long ldb,  \
                                  T beta, T *C, long ldc) {                                             \
    const descent_blocking blocking = descent_gemm_blocking(impl->mr, impl->nr, sizeof(T));             \
    split_plan plan = plan_split(M, N, K, impl->mr, impl->nr);                                          \
    if (plan.ntasks <= 1) {                                                                             \
      descent_##P##gemm_blocked(impl, blocking, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta,   \
                                C, ldc);                                                                \
      return;                                                                                           \
    }                                                                                                   \
    P##gemm_job job = {impl, blocking, transA, transB, M, N, K, alpha, beta, A, B, C,                   \
                       lda, ldb, ldc, plan};                                                            \
    descent_parallel_run(plan.ntasks, P##gemm_slice, &job);                                             \
  }

DEFINE_THREADED(float, s)
DEFINE_THREADED(double, d)
