// Thread count setting and the persistent worker pool behind the parallel GEMM.
//
// Thread count. The default is 1, not the number of cores as in PyTorch: the machines this library
// is tuned on have two vCPUs that share one core's FMA units, so a second GEMM thread adds little
// and costs a wake-up per call. DESCENT_NUM_THREADS=n (read once, at the first use of the setting)
// or descent_set_num_threads(n) asks for more. Counts below 1 are refused (the setting is kept;
// Swift's setNumThreads traps with a message first), counts above DESCENT_MAX_THREADS are clamped,
// and an unparsable or non-positive DESCENT_NUM_THREADS is ignored (default 1).
//
// Pool. Workers are created lazily by the first parallel job that needs them (never more than the
// thread count minus one, the caller being the other thread) and then stay parked on a condition
// variable between jobs: an idle pool costs no CPU. One job runs at a time. A job is a number of
// independent tasks claimed through an atomic counter by the caller and the workers it woke; the
// caller returns once every task has finished. A caller that finds the pool busy (another Swift
// thread's GEMM, or a GEMM started from inside a task) runs its tasks itself, one after the other:
// it never waits for the pool, so there is no deadlock and never more running threads than the
// thread count plus the extra callers themselves (no oversubscription from nesting).
//
// Shutdown. The workers are leaked deliberately at exit: they sleep on the condition variable and
// hold no lock there, so exit() simply ends them with the process (the OS reclaims their packing
// buffers). Lowering the thread count leaves the extra workers parked; they are not woken again
// until a job needs them. A child of fork() starts with an empty pool (pthread_atfork).
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

// --- Thread count ------------------------------------------------------------------------------

static _Atomic int num_threads = 0; // 0: not resolved yet

static int from_environment(void) {
  const char *s = getenv("DESCENT_NUM_THREADS");
  if (!s || !s[0]) return 1;
  char *end = NULL;
  long n = strtol(s, &end, 10);
  if (*end != '\0' || n < 1) return 1;
  return n > DESCENT_MAX_THREADS ? DESCENT_MAX_THREADS : (int)n;
}

int descent_get_num_threads(void) {
  int n = atomic_load_explicit(&num_threads, memory_order_relaxed);
  if (n == 0) {
    int expected = 0;
    n = from_environment();
    // A concurrent descent_set_num_threads wins over the environment.
    if (!atomic_compare_exchange_strong(&num_threads, &expected, n)) n = expected;
  }
  return n;
}

int descent_set_num_threads(int n) {
  if (n < 1) return -1;
  if (n > DESCENT_MAX_THREADS) n = DESCENT_MAX_THREADS;
  atomic_store_explicit(&num_threads, n, memory_order_relaxed);
  return n;
}

// --- Pool --------------------------------------------------------------------------------------

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_posted = PTHREAD_COND_INITIALIZER; // workers wait here between jobs
static pthread_cond_t job_done = PTHREAD_COND_INITIALIZER;    // the caller waits here for helpers
static atomic_flag pool_busy = ATOMIC_FLAG_INIT;              // held by the caller running a job
static int workers = 0;                                       // started so far (under pool_lock)
static unsigned long worker_start[DESCENT_MAX_THREADS];       // generation when each was started

// The current job (written under pool_lock before `generation` moves on).
static unsigned long generation = 0;
static descent_task_fn job_fn;
static void *job_ctx;
static long job_tasks;
static int job_helpers;           // workers with index < job_helpers take part
static int job_pending;           // helpers that have not finished yet
static _Atomic long job_next = 0; // next task to claim

static void run_tasks(descent_task_fn fn, void *ctx, long ntasks) {
  for (;;) {
    long t = atomic_fetch_add_explicit(&job_next, 1, memory_order_relaxed);
    if (t >= ntasks) return;
    fn(ctx, t);
  }
}

static void *worker_main(void *arg) {
  const int index = (int)(long)arg;
  pthread_mutex_lock(&pool_lock);
  // Jobs posted after the worker was created (the one that created it included) are for it.
  unsigned long seen = worker_start[index];
  for (;;) {
    while (generation == seen) pthread_cond_wait(&work_posted, &pool_lock);
    seen = generation;
    if (index >= job_helpers) continue; // not needed for this job
    descent_task_fn fn = job_fn;
    void *ctx = job_ctx;
    long ntasks = job_tasks;
    pthread_mutex_unlock(&pool_lock);
    run_tasks(fn, ctx, ntasks);
    pthread_mutex_lock(&pool_lock);
    if (--job_pending == 0) pthread_cond_signal(&job_done);
  }
  return NULL;
}

// A child of fork() has only the forking thread: it starts with an empty, idle pool (the lock and
// condition variables may have been held or waited on by threads that do not exist there).
static void reset_in_child(void) {
  pthread_mutex_init(&pool_lock, NULL);
  pthread_cond_init(&work_posted, NULL);
  pthread_cond_init(&job_done, NULL);
  workers = 0;
  atomic_flag_clear(&pool_busy);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void register_atfork(void) { (void)pthread_atfork(NULL, NULL, reset_in_child); }

// Starts workers up to `wanted` (under pool_lock); returns how many exist.
static int grow_pool(int wanted) {
  if (workers < wanted) pthread_once(&atfork_once, register_atfork);
  while (workers < wanted) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    worker_start[workers] = generation;
    int failed = pthread_create(&thread, &attr, worker_main, (void *)(long)workers);
    pthread_attr_destroy(&attr);
    if (failed) break; // run with the workers we have
    workers++;
  }
  return workers;
}

void descent_parallel_run(long ntasks, descent_task_fn fn, void *ctx) {
  if (ntasks <= 0) return;
  int helpers = descent_get_num_threads() - 1;
  if (helpers > ntasks - 1) helpers = (int)(ntasks - 1);
  if (helpers <= 0 || atomic_flag_test_and_set_explicit(&pool_busy, memory_order_acquire)) {
    for (long t = 0; t < ntasks; t++) fn(ctx, t);
    return;
  }
  pthread_mutex_lock(&pool_lock);
  helpers = grow_pool(helpers) < helpers ? workers : helpers;
  job_fn = fn;
  job_ctx = ctx;
  job_tasks = ntasks;
  job_helpers = helpers;
  job_pending = helpers;
  atomic_store_explicit(&job_next, 0, memory_order_relaxed);
  generation++;
  if (helpers > 0) pthread_cond_broadcast(&work_posted);
  pthread_mutex_unlock(&pool_lock);

  run_tasks(fn, ctx, ntasks);

  pthread_mutex_lock(&pool_lock);
  while (job_pending > 0) pthread_cond_wait(&job_done, &pool_lock);
  pthread_mutex_unlock(&pool_lock);
  atomic_flag_clear_explicit(&pool_busy, memory_order_release);
}
