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
    } else if Storage.reusedBlockSizes.contains(byteCount),
      let block = descent_block_take(byteCount)
    {
      pointer = block
    } else if byteCount > Storage.reusedBlockSizes.upperBound {
      // Mapped directly (page-aligned), so that freeing returns the pages to the system.
      let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
      pointer = mapped == UnsafeMutableRawPointer(bitPattern: -1) ? nil : mapped
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
    // A fresh mapping reads as zeros already.
    if byteCount <= Storage.reusedBlockSizes.upperBound {
      data.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    }
  }

  /// Blocks of these sizes go back to a small cache when freed, so that the buffers a
  /// training step makes again at every step (activations, gradients) are reused instead of
  /// being faulted in afresh (see block_cache.c). Larger blocks are mapped and unmapped
  /// directly: cached, or left in glibc's heap (which keeps up to twice its last mmap
  /// threshold), they kept the largest pass's buffers resident for the rest of the process
  /// (an evaluation over batches of 1000 images kept 165 MB).
  static let reusedBlockSizes = (64 * 1024)...(16 << 20)

  deinit {
    if Storage.reusedBlockSizes.contains(byteCount) {
      descent_block_give(data, byteCount)
    } else if byteCount > Storage.reusedBlockSizes.upperBound {
      munmap(data, byteCount)
    } else {
      free(data)
    }
  }

  @inline(__always) func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
    data.assumingMemoryBound(to: T.self)
  }
}
