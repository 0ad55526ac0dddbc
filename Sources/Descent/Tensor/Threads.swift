import CDescentKernels

// Threads for the GEMM kernels, as `torch.set_num_threads` / `torch.get_num_threads`.
//
// The setting lives in the C kernels (a persistent pool of workers parked between jobs); these
// functions wrap it. The default is 1 thread, not the number of cores as in PyTorch: the machines
// this library is tuned on have two vCPUs sharing one core's FMA units, where a second thread adds
// little. `DESCENT_NUM_THREADS=n` in the environment (read at the first use of the setting) or
// `setNumThreads(n)` asks for more. Only products above a size threshold are split, and the split
// never changes a result (bit for bit the same as with one thread). Several Swift threads may
// multiply at the same time: one uses the pool, the others run on their own thread meanwhile.

/// The number of threads a matrix product may use (at least 1).
public var numThreads: Int { Int(descent_get_num_threads()) }

/// Sets the number of threads a matrix product may use, for the whole process.
///
/// `n` must be at least 1: like PyTorch, which raises for 0 or a negative count, this is a
/// programmer error and traps with a message. Counts above 256 are clamped to 256.
public func setNumThreads(_ n: Int) {
  guard n >= 1 else {
    opFailure("setNumThreads", "expected a positive number of threads, got \(n)")
  }
  _ = descent_set_num_threads(Int32(clamping: n))
}
