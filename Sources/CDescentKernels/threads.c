// Thread count setting and the persistent worker pool behind parallel GEMM and descent_parallel_for.
//
// Thread count. The default is the number of physical cores this process may use (cpu_topology.c:
// affinity, hyper-thread siblings counted once, cgroup quota), like PyTorch's default but without
// the hyper-threads. DESCENT_NUM_THREADS=n (read once, at the first use of the setting) or
// descent_set_num_threads(n) sets another count. Counts below 1 are refused (the setting is kept;
// Swift's setNumThreads traps with a message first), counts above DESCENT_MAX_THREADS are clamped,
// and an unparsable or non-positive DESCENT_NUM_THREADS is ignored (default count).
//
// Pool. Workers are created lazily by the first job that needs them (never more than the thread
// count minus one, the caller being the other thread). Each worker has its own slot: the caller
// posts a job into the slots of the helpers it wants and takes part itself; tasks are claimed
// through the job's atomic counter. Once its tasks are done a worker spins for SPIN_NS, so that
// the next job of a training step (a few microseconds to a few hundred later) starts without a
// wake-up, then sleeps on its condition variable: an idle pool costs no CPU. When the caller has
// claimed every task itself before a helper woke, it withdraws that helper's job instead of
// waiting for it (a sleeping vCPU can take milliseconds to wake): a late helper never delays a
// product. One job runs at a time. A caller that finds the pool busy (another Swift thread's
// job, or a job started from inside a task) runs its tasks itself, one after the other: it never
// waits for the pool, so there is no deadlock and no oversubscription from nesting.
//
// Shutdown. The workers are leaked deliberately at exit: they sleep on their condition variable
// and hold no lock there, so exit() simply ends them with the process (the OS reclaims their
// packing buffers). Lowering the thread count leaves the extra workers parked. A child of fork()
// starts with an empty pool (pthread_atfork).
#define DESCENT_KERNELS_INTERNAL
#include "CDescentKernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

// A worker spins this long for its next job before it sleeps (see the header comment).
#define SPIN_NS 300000L

// --- Thread count ------------------------------------------------------------------------------

static _Atomic int num_threads = 0; // 0: not resolved yet

static int from_environment(void) {
  const char *s = getenv("DESCENT_NUM_THREADS");
  if (s && s[0]) {
    char *end = NULL;
    long n = strtol(s, &end, 10);
    if (*end == '\0' && n >= 1) return n > DESCENT_MAX_THREADS ? DESCENT_MAX_THREADS : (int)n;
  }
  return descent_usable_cores();
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

int descent_default_num_threads(void) { return descent_usable_cores(); }

// --- Pool --------------------------------------------------------------------------------------

typedef struct {
  descent_task_fn fn;
  void *ctx;
  long ntasks;
  _Atomic long next; // next task to claim
} job;

enum { IDLE = 0, POSTED = 1, RUNNING = 2 };

// One per worker, on its own cache lines: the caller writes `job` then moves `state` to POSTED;
// the worker moves it to RUNNING (or the caller withdraws it back to IDLE), runs, and sets IDLE.
typedef struct {
  _Alignas(64) _Atomic int state;
  _Atomic int sleeping; // the worker waits (or is about to) on `wake`
  job *job;
  pthread_cond_t wake;
} slot;

static slot slots[DESCENT_MAX_THREADS];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER; // only for sleeping and waking
static pthread_cond_t job_done = PTHREAD_COND_INITIALIZER;    // the caller waits here for helpers
static _Atomic int caller_sleeping = 0;
static atomic_flag pool_busy = ATOMIC_FLAG_INIT; // held by the caller running a job
static _Atomic int workers = 0;                  // started so far (only the pool holder grows it)

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

// Spins until *value != unwanted or `ns` have passed; returns the last value read.
static int spin_while(_Atomic int *value, int unwanted, long ns) {
  long deadline = 0;
  for (unsigned i = 1;; i++) {
    int v = atomic_load_explicit(value, memory_order_acquire);
    if (v != unwanted) return v;
    cpu_relax();
    if ((i & 255) == 0) {
      long t = now_ns();
      if (deadline == 0) deadline = t + ns;
      else if (t >= deadline) return v;
    }
  }
}

static void run_tasks(job *j) {
  for (;;) {
    long t = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
    if (t >= j->ntasks) return;
    j->fn(j->ctx, t);
  }
}

static void *worker_main(void *arg) {
  slot *s = (slot *)arg;
  for (;;) {
    if (spin_while(&s->state, IDLE, SPIN_NS) == IDLE) {
      // Dekker with the poster: sleeping is set before the state is read again, and the poster
      // sets the state before it reads sleeping, so one of them sees the other (seq_cst).
      pthread_mutex_lock(&pool_lock);
      atomic_store(&s->sleeping, 1);
      while (atomic_load(&s->state) != POSTED) pthread_cond_wait(&s->wake, &pool_lock);
      atomic_store(&s->sleeping, 0);
      pthread_mutex_unlock(&pool_lock);
    }
    int expected = POSTED;
    if (!atomic_compare_exchange_strong(&s->state, &expected, RUNNING)) continue; // withdrawn
    run_tasks(s->job);
    atomic_store(&s->state, IDLE);
    if (atomic_load(&caller_sleeping)) {
      pthread_mutex_lock(&pool_lock);
      pthread_cond_signal(&job_done);
      pthread_mutex_unlock(&pool_lock);
    }
  }
  return NULL;
}

// A child of fork() has only the forking thread: it starts with an empty, idle pool (the lock and
// condition variables may have been held or waited on by threads that do not exist there).
static void reset_in_child(void) {
  pthread_mutex_init(&pool_lock, NULL);
  pthread_cond_init(&job_done, NULL);
  for (int i = 0; i < workers; i++) {
    atomic_store(&slots[i].state, IDLE);
    atomic_store(&slots[i].sleeping, 0);
  }
  workers = 0;
  atomic_store(&caller_sleeping, 0);
  atomic_flag_clear(&pool_busy);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void register_atfork(void) { (void)pthread_atfork(NULL, NULL, reset_in_child); }

// Starts workers up to `wanted` (by the pool holder only); returns how many exist.
static int grow_pool(int wanted) {
  if (workers < wanted) pthread_once(&atfork_once, register_atfork);
  while (workers < wanted) {
    slot *s = &slots[workers];
    atomic_store(&s->state, IDLE);
    atomic_store(&s->sleeping, 0);
    pthread_cond_init(&s->wake, NULL);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int failed = pthread_create(&thread, &attr, worker_main, s);
    pthread_attr_destroy(&attr);
    if (failed) break; // run with the workers we have
    workers++;
  }
  return workers;
}

int descent_pool_awake_workers(void) {
  // Read without the pool: a hint for the split decision, not a promise.
  int awake = 0, started = workers;
  for (int i = 0; i < started; i++) awake += !atomic_load_explicit(&slots[i].sleeping, memory_order_relaxed);
  return awake;
}

static void post(slot *s, job *j) {
  s->job = j;
  atomic_store(&s->state, POSTED);
  if (atomic_load(&s->sleeping)) {
    pthread_mutex_lock(&pool_lock);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&pool_lock);
  }
}

// Waits until helper s is done with the job (or withdraws the job if it has not started).
static void finish(slot *s) {
  int expected = POSTED;
  if (atomic_compare_exchange_strong(&s->state, &expected, IDLE)) return; // never started
  if (spin_while(&s->state, RUNNING, 10 * SPIN_NS) != RUNNING) return;
  pthread_mutex_lock(&pool_lock);
  atomic_store(&caller_sleeping, 1);
  while (atomic_load(&s->state) == RUNNING) pthread_cond_wait(&job_done, &pool_lock);
  atomic_store(&caller_sleeping, 0);
  pthread_mutex_unlock(&pool_lock);
}

void descent_parallel_run(long ntasks, descent_task_fn fn, void *ctx) {
  if (ntasks <= 0) return;
  int helpers = descent_get_num_threads() - 1;
  if (helpers > ntasks - 1) helpers = (int)(ntasks - 1);
  if (helpers <= 0 || atomic_flag_test_and_set_explicit(&pool_busy, memory_order_acquire)) {
    for (long t = 0; t < ntasks; t++) fn(ctx, t);
    return;
  }
  if (grow_pool(helpers) < helpers) helpers = workers;
  job j = {fn, ctx, ntasks, 0};
  for (int i = 0; i < helpers; i++) post(&slots[i], &j);
  run_tasks(&j);
  for (int i = 0; i < helpers; i++) finish(&slots[i]);
  atomic_flag_clear_explicit(&pool_busy, memory_order_release);
}

// --- Parallel for --------------------------------------------------------------------------------

typedef struct {
  descent_range_fn fn;
  void *ctx;
  long n, grain, nchunks, ntasks;
} range_job;

// Task t covers chunks [t * nchunks / ntasks, (t + 1) * nchunks / ntasks): whole grains, so the
// boundaries between tasks are multiples of grain.
static void range_task(void *ctx, long t) {
  const range_job *r = (const range_job *)ctx;
  long c0 = t * r->nchunks / r->ntasks, c1 = (t + 1) * r->nchunks / r->ntasks;
  long begin = c0 * r->grain, end = c1 * r->grain < r->n ? c1 * r->grain : r->n;
  if (begin < end) r->fn(r->ctx, begin, end);
}

void descent_parallel_for(long n, long grain, descent_range_fn fn, void *ctx) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  long nchunks = (n + grain - 1) / grain;
  long threads = descent_get_num_threads();
  long cores = descent_usable_cores();
  if (threads > cores) threads = cores; // hyper-thread siblings would only share the core
  long ntasks = nchunks < threads ? nchunks : threads;
  if (ntasks <= 1) {
    fn(ctx, 0, n);
    return;
  }
  range_job r = {fn, ctx, n, grain, nchunks, ntasks};
  descent_parallel_run(ntasks, range_task, &r);
}
