import CDescentKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A tensor's memory: one 64-byte aligned block, shared by every view of it.
///
/// `version` counts in-place writes, so that autograd can tell when a tensor saved for backward
/// was changed afterwards (PyTorch's version counter).
final class Storage: @unchecked Sendable {
  let data: UnsafeMutableRawPointer
  let byteCount: Int
  // Unchecked, as the autograd fields of `Tensor` are: read by every op that saves a tensor.
  @exclusivity(unchecked) var version = 0

  /// Uninitialised memory for `byteCount` bytes (at least one byte is allocated).
  init(byteCount: Int, describing shape: [Int]? = nil) {
    var pointer: UnsafeMutableRawPointer?
    if byteCount <= 256 {
      // Small tensors (scalars, biases) are the per-op overhead of small models: plain malloc
      // (16-byte aligned) is cheaper than posix_memalign.
      pointer = malloc(max(byteCount, 1))
    } else if byteCount >= Storage.reusedBlockSize, let block = descent_block_take(byteCount) {
      pointer = block
    } else {
      // 64-byte alignment lets SIMD kernels use aligned loads on whole rows.
      if posix_memalign(&pointer, 64, byteCount) != 0 { pointer = nil }
    }
    guard let pointer else {
      let what = shape.map { " for a tensor of shape \(shapeText($0))" } ?? ""
      fatalError("Descent: out of memory allocating \(byteCount) bytes\(what)")
    }
    self.data = pointer
    self.byteCount = byteCount
  }

  /// Zero-filled memory.
  convenience init(zeroedByteCount byteCount: Int) {
    self.init(byteCount: byteCount)
    data.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
  }

  /// Blocks from this size up go back to a small cache when freed, so that the buffers a
  /// training step makes again at every step (activations, gradients) are reused instead of
  /// being faulted in afresh (see block_cache.c).
  static let reusedBlockSize = 64 * 1024

  deinit {
    if byteCount >= Storage.reusedBlockSize {
      descent_block_give(data, byteCount)
    } else {
      free(data)
    }
  }

  @inline(__always) func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
    data.assumingMemoryBound(to: T.self)
  }
}
