#ifndef CDESCENT_KERNELS_H
#define CDESCENT_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// C[M x N] = alpha * op(A) * op(B) + beta * C, row-major. op(X) = X or X^T (transA/transB != 0).
// lda/ldb/ldc are row strides in elements of the matrices as stored (A stored M x K if !transA, K x M if transA).
// beta == 0 means C is overwritten without being read (NaNs in C do not propagate).
void descent_sgemm(int transA, int transB, long M, long N, long K, float alpha, const float *A, long lda,
                   const float *B, long ldb, float beta, float *C, long ldc);
void descent_dgemm(int transA, int transB, long M, long N, long K, double alpha, const double *A, long lda,
                   const double *B, long ldb, double beta, double *C, long ldc);

// Which kernel path is in use: "avx512", "avx2" (x86_64), "neon" (arm64) or "portable".
const char *descent_gemm_path(void);

// 1 when this CPU (and OS) can run the named path ("portable" always), else 0.
int descent_gemm_path_supported(const char *name);

// The path the calling thread's last GEMM with a product (M, N, K > 0, alpha != 0) ran on:
// "avx512", "avx2", "neon", "portable", or "none" before the first. For tests.
const char *descent_gemm_last_path(void);

// For tests and benchmarks only: force the kernel path ("avx512", "avx2", "neon" or "portable"; a path
// the CPU lacks falls back to the best supported one, as with the DESCENT_CPU environment variable).
// NULL or "" drops the forced choice; the next call detects again (and reads DESCENT_CPU again).
// A forced path holds for the calling thread only (its GEMMs, including their worker threads);
// other threads keep the detected path, so concurrent tests do not change each other's rounding.
void descent_gemm_force_path(const char *name);

// Cache blocking of the products on the calling thread's path (see gemm_blocking.c): rows of A
// packed at once (mc), depth of a block (kc), columns of B packed at once (nc). By default derived
// from the CPU's cache sizes. descent_gemm_set_blocking overrides them for the calling thread (and
// the pool threads of its products), rounded up to whole register tiles; 0 drops an override. For
// tests (small blocks reach every block edge cheaply) and tuning: kc changes the rounding.
void descent_gemm_set_blocking(long mc, long kc, long nc);
void descent_gemm_get_blocking(int float64, long *mc, long *kc, long *nc);
// The register tile of the calling thread's path: mr rows by nr columns.
void descent_gemm_get_tile(int float64, int *mr, int *nr);
// The data cache sizes in bytes the blocking is derived from: L1d and L2 of one core, and one
// core's share of L3 (0 without an L3). See cpu_caches.c for where they are read.
void descent_cache_info(long *l1d, long *l2, long *l3_per_core);

// Threads of the persistent pool (threads.c) that GEMM and descent_parallel_for use. The default is
// descent_default_num_threads(), or DESCENT_NUM_THREADS when it holds a positive integer (read at
// the first use of the setting). descent_set_num_threads returns the count now in effect: n clamped
// to DESCENT_MAX_THREADS, or -1 when n < 1 (refused, setting unchanged). Process-wide; safe to call
// from any thread. Work is never split over more threads than descent_usable_cores().
#define DESCENT_MAX_THREADS 256
int descent_set_num_threads(int n);
int descent_get_num_threads(void);
int descent_default_num_threads(void);

// Physical cores this process may use (cpu_topology.c): the CPUs of its affinity mask counted once
// per core (hyper-thread siblings share one), at most the cgroup CPU quota rounded up; at least 1.
int descent_usable_cores(void);
// The parts of descent_usable_cores, for tests on made-up file trees. count_cores: distinct
// physical cores among `cpus` per the topology files under cpu_root (e.g.
// "/sys/devices/system/cpu"). cgroup_cpu_limit: the CPU quota (e.g. 1.5) of the cgroups listed in
// proc_cgroup (a /proc/self/cgroup file), under cgroup_root (e.g. "/sys/fs/cgroup"); 0 if none.
long descent_count_cores(const char *cpu_root, const int *cpus, long ncpus);
double descent_cgroup_cpu_limit(const char *proc_cgroup, const char *cgroup_root);
// Logical CPUs in a list such as "0-3,8" (sysfs format); 0 if it does not parse.
long descent_count_cpu_list(const char *list);

// Runs fn(ctx, begin, end) over disjoint ranges that cover [0, n), on the pool: at most
// ceil(n / grain) ranges, one per thread, every boundary between two ranges a multiple of grain.
// With one thread (or n <= grain) it is one call fn(ctx, 0, n) on the calling thread. fn must
// only touch its range (or per-range state); the call returns when every range is done. A
// grain worth about 20-50 microseconds of work pays for waking the other threads (see the
// README's threads paragraph for measured break-evens).
typedef void (*descent_range_fn)(void *ctx, long begin, long end);
void descent_parallel_for(long n, long grain, descent_range_fn fn, void *ctx);

// How GEMM splits a product over the threads (gemm_parallel.c): only when each thread gets at
// least this many multiply-adds, and over no more threads than physical cores. 0 splits every
// product over all descent_get_num_threads() threads, cores or not (for tests: the split never
// changes results, bit for bit). Set returns the previous value; a value below 0 resets the
// default.
long descent_gemm_thread_threshold(void);
long descent_gemm_set_thread_threshold(long threshold);

// Reuse of large freed tensor blocks (see block_cache.c). take returns a block of exactly `size`
// bytes given back earlier, or NULL; give keeps the block for reuse or frees it. Blocks must come
// from posix_memalign with 64-byte alignment. clear frees every kept block.
void *descent_block_take(size_t size);
void descent_block_give(void *block, size_t size);
void descent_block_cache_clear(void);

// dst[j * ldd + i] = src[i * lds + j] for i < rows, j < cols: a transpose for the convolution
// kernels (transpose.c). Identical bits on every CPU.
void descent_stranspose(long rows, long cols, const float *src, long lds, float *dst, long ldd);
void descent_dtranspose(long rows, long cols, const double *src, long lds, double *dst, long ldd);

#ifdef DESCENT_KERNELS_INTERNAL
// ---------------------------------------------------------------------------------------------
// Internal to the C target (the .c files define DESCENT_KERNELS_INTERNAL before including this
// header; Swift never sees this part).
#include <stddef.h>

// A path is a micro-kernel plus its blocking sizes. The micro-kernel computes an MR x NR tile
//   C[0:m, 0:n] = alpha * Apanel * Bpanel + beta * C   (beta == 0: C is not read)
// from packed panels: Apanel is kc steps of MR values (column p of the A block), Bpanel is kc steps
// of NR values (row p of the B block), both zero-padded to full MR/NR. m <= MR, n <= NR give the
// valid part of the tile at the matrix edges; the kernel must not touch C outside it.

typedef void (*descent_skernel_fn)(long kc, float alpha, const float *a, const float *b, float beta, float *c,
                                   long ldc, long m, long n);
typedef void (*descent_dkernel_fn)(long kc, double alpha, const double *a, const double *b, double beta,
                                   double *c, long ldc, long m, long n);

// Optional SIMD packing of one panel of width w from strided rows: dst[p * w + r] = src[r * ld + p]
// for r < rows (<= w) and p < kc, zero for rows <= r < w. NULL means the generic C version.
typedef void (*descent_sgather_fn)(const float *src, long ld, long rows, long kc, int w, float *dst);
typedef void (*descent_dgather_fn)(const double *src, long ld, long rows, long kc, int w, double *dst);

typedef struct {
  int mr, nr;
  descent_skernel_fn kernel;
  descent_sgather_fn gather;
} descent_sgemm_impl;

typedef struct {
  int mr, nr;
  descent_dkernel_fn kernel;
  descent_dgather_fn gather;
} descent_dgemm_impl;

// Cache blocking of one product (gemm_blocking.c): mc rows of A packed at once (the block stays in
// L2), kc steps of depth (a B micro-panel kc x nr stays in L1), nc columns of B packed at once
// (the block stays in the core's share of L3).
typedef struct {
  long mc, kc, nc;
} descent_blocking;

// Data cache sizes in bytes (cpu_caches.c); *_sharing: logical CPUs sharing that cache.
typedef struct {
  long l1d, l2, l3;
  long l2_sharing, l3_sharing;
} descent_cache_sizes;
const descent_cache_sizes *descent_cpu_caches(void);

// Blocking for a kernel of mr x nr elements of `elem_size` bytes on the caches given.
descent_blocking descent_blocking_for(int mr, int nr, long elem_size, const descent_cache_sizes *caches);
// The blocking the calling thread's products use: the override of descent_gemm_set_blocking if
// any, else the one derived from this CPU's caches.
descent_blocking descent_gemm_blocking(int mr, int nr, long elem_size);

// Path descriptors. The x86 ones exist only on x86_64.
extern const descent_sgemm_impl descent_sgemm_portable;
extern const descent_dgemm_impl descent_dgemm_portable;
#if defined(__x86_64__)
extern const descent_sgemm_impl descent_sgemm_avx2;
extern const descent_dgemm_impl descent_dgemm_avx2;
extern const descent_sgemm_impl descent_sgemm_avx512;
extern const descent_dgemm_impl descent_dgemm_avx512;
void descent_sgather_avx2(const float *src, long ld, long rows, long kc, int w, float *dst);
void descent_dgather_avx2(const double *src, long ld, long rows, long kc, int w, double *dst);
void descent_sgather_avx512(const float *src, long ld, long rows, long kc, int w, float *dst);
void descent_dgather_avx512(const double *src, long ld, long rows, long kc, int w, double *dst);
#endif
#if defined(__aarch64__)
extern const descent_sgemm_impl descent_sgemm_neon;
extern const descent_dgemm_impl descent_dgemm_neon;
#endif

// Blocked driver (gemm_driver.c): assumes M, N, K > 0 and alpha != 0.
void descent_sgemm_blocked(const descent_sgemm_impl *impl, descent_blocking blocking, int transA, int transB,
                           long M, long N, long K, float alpha, const float *A, long lda, const float *B,
                           long ldb, float beta, float *C, long ldc);
void descent_dgemm_blocked(const descent_dgemm_impl *impl, descent_blocking blocking, int transA, int transB,
                           long M, long N, long K, double alpha, const double *A, long lda, const double *B,
                           long ldb, double beta, double *C, long ldc);

// Runs fn(ctx, t) for t in 0..<ntasks on up to descent_get_num_threads() threads, the caller being
// one of them, and returns when all have finished (threads.c). Tasks must be independent.
typedef void (*descent_task_fn)(void *ctx, long task);
void descent_parallel_run(long ntasks, descent_task_fn fn, void *ctx);
// Pool workers that are not asleep (still spinning after their last job, or running one): a job
// posted now reaches them without a wake-up. A hint, read without synchronization.
int descent_pool_awake_workers(void);

// Blocked driver split over the thread pool when the product is large enough (gemm_parallel.c);
// same contract.
void descent_sgemm_threaded(const descent_sgemm_impl *impl, int transA, int transB, long M, long N, long K,
                            float alpha, const float *A, long lda, const float *B, long ldb, float beta, float *C,
                            long ldc);
void descent_dgemm_threaded(const descent_dgemm_impl *impl, int transA, int transB, long M, long N, long K,
                            double alpha, const double *A, long lda, const double *B, long ldb, double beta,
                            double *C, long ldc);

// Packing (gemm_pack.c). pack_a: the mc x kc block of op(A) starting at A into ceil(mc/mr) panels of
// mr x kc; pack_b: the kc x nc block of op(B) starting at B into ceil(nc/nr) panels of kc x nr.
void descent_spack_a(const descent_sgemm_impl *impl, int transA, const float *A, long lda, long mc, long kc,
                     float *dst);
void descent_spack_b(const descent_sgemm_impl *impl, int transB, const float *B, long ldb, long kc, long nc,
                     float *dst);
void descent_dpack_a(const descent_dgemm_impl *impl, int transA, const double *A, long lda, long mc, long kc,
                     double *dst);
void descent_dpack_b(const descent_dgemm_impl *impl, int transB, const double *B, long ldb, long kc, long nc,
                     double *dst);

// Edge helpers for kernels that compute a full tile into a scratch buffer (gemm_portable.c).
void descent_smerge_tile(long m, long n, const float *t, long ldt, float beta, float *c, long ldc);
void descent_dmerge_tile(long m, long n, const double *t, long ldt, double beta, double *c, long ldc);
#endif // DESCENT_KERNELS_INTERNAL

#ifdef __cplusplus
}
#endif

#endif // CDESCENT_KERNELS_H
