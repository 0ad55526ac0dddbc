import CDescentKernels

// Threads for the C kernels, as `torch.set_num_threads` / `torch.get_num_threads`.
//
// The setting lives in the C kernels (a persistent pool of workers, threads.c); these functions
// wrap it. The default is the number of physical cores this process may use: the CPUs of its
// affinity mask (`taskset`, a container's cpuset), each core counted once however many
// hyper-threads it has, and no more than its cgroup CPU quota (cpu.max, or cfs_quota_us /
// cfs_period_us), rounded up. PyTorch counts hyper-threads too; a sibling shares its core's FMA
// units, so it adds nothing to a matrix product. `DESCENT_NUM_THREADS=n` in the environment (read
// at the first use of the setting) or `setNumThreads(n)` sets another count; work is still never
// split over more threads than physical cores. A product is split only when each thread gets
// enough work to pay for its wake-up, and the split never changes a result (bit for bit the same
// as with one thread). Several Swift threads may compute at the same time: one uses the pool, the
// others run on their own thread meanwhile.

/// The number of threads matrix products and `parallelFor` may use (at least 1).
///
/// By default the number of physical cores this process may use (affinity mask and cgroup CPU
/// quota respected, hyper-thread siblings not counted), or `DESCENT_NUM_THREADS` when it is set.
public var numThreads: Int { Int(descent_get_num_threads()) }

/// Sets the number of threads matrix products and `parallelFor` may use, for the whole process.
///
/// `n` must be at least 1: like PyTorch, which raises for 0 or a negative count, this is a
/// programmer error and traps with a message. Counts above 256 are clamped to 256. Work is never
/// split over more threads than the physical cores the process may use.
public func setNumThreads(_ n: Int) {
  guard n >= 1 else {
    opFailure("setNumThreads", "expected a positive number of threads, got \(n)")
  }
  _ = descent_set_num_threads(Int32(clamping: n))
}
