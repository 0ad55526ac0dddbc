import CDescentKernels

// Loops split over the thread pool of the matrix products (threads.c): elementwise ops,
// reductions, optimizer updates. Each range is handed to one thread; the calling thread takes
// part and the call returns when every range is done. Waking the other threads costs a few
// microseconds when they have just finished a job and tens of microseconds when they sleep, so
// a loop pays only when each thread gets about 20-50 µs of work: `grain` says how many
// iterations that is (see the break-evens that `descent-bench threads` prints).

/// Runs `body` over disjoint ranges that together cover `0..<count`, on up to `numThreads`
/// threads.
///
/// Every boundary between two ranges is a multiple of `grain`, and there are at most
/// `ceil(count / grain)` ranges: with one thread, or `count <= grain`, `body` runs once, with
/// `0..<count`, on the calling thread. `body` must touch only what belongs to its range. Calls
/// from inside `body` (or while another thread's loop holds the pool) run on the calling thread.
///
/// ```swift
/// parallelFor(n, grain: 1 << 16) { range in
///   for i in range { z[i] = x[i] + y[i] }
/// }
/// ```
public func parallelFor(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
  guard count > 0 else { return }
  let grain = Swift.max(grain, 1)
  if count <= grain || descent_get_num_threads() == 1 {
    body(0..<count)
    return
  }
  withoutActuallyEscaping(body) { body in
    var context = body
    withUnsafeMutablePointer(to: &context) { pointer in
      descent_parallel_for(count, grain, parallelForTrampoline, pointer)
    }
  }
}

/// The C side of `parallelFor`: `context` points at the Swift closure.
private func parallelForTrampoline(
  _ context: UnsafeMutableRawPointer?, _ begin: Int, _ end: Int
) {
  let body = context!.assumingMemoryBound(to: ((Range<Int>) -> Void).self).pointee
  body(begin..<end)
}

/// Computes `body` for each chunk of `chunk` iterations of `0..<count` (the last one may be
/// shorter), in parallel, and returns the results in chunk order.
///
/// The chunks do not depend on the thread count, so combining the results in order gives the
/// same answer, bit for bit, with any number of threads: a reduction written this way is as
/// deterministic as a sequential one.
///
/// ```swift
/// let total = parallelChunks(n, chunk: 1 << 16) { range in
///   range.reduce(0.0) { $0 + x[$1] }
/// }.reduce(0, +)
/// ```
public func parallelChunks<T>(_ count: Int, chunk: Int, _ body: (Range<Int>) -> T) -> [T] {
  guard count > 0 else { return [] }
  let chunk = Swift.max(chunk, 1)
  let chunks = (count + chunk - 1) / chunk
  return [T](unsafeUninitializedCapacity: chunks) { results, initialized in
    let base = results.baseAddress!
    parallelFor(count, grain: chunk) { range in
      var start = range.lowerBound
      while start < range.upperBound {
        let end = Swift.min(start + chunk, range.upperBound)
        (base + start / chunk).initialize(to: body(start..<end))
        start = end
      }
    }
    initialized = chunks
  }
}
