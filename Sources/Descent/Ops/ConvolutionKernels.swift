import CDescentKernels
import Dispatch

/// The fused convolution kernels: per image, im2col into a column buffer and one GEMM per group
/// (the weight times the columns), and for backward the transposed products with col2im. The
/// column buffer holds one image's columns per worker, never the whole batch's. Transposed
/// convolution runs the same three kernels with the roles of input and output exchanged.

/// The sizes of one convolution: images `[batch, inChannels, H, W]` (1-D: H = 1), a weight
/// `[outChannels, inChannels / groups, kh, kw]`, outputs `[batch, outChannels, outH, outW]`.
struct ConvolutionShape: Equatable, Sendable {
  let batch: Int
  let inChannels: Int
  let outChannels: Int
  let groups: Int
  let window: Window2D

  var groupIn: Int { inChannels / groups }
  var groupOut: Int { outChannels / groups }
  /// Rows of a group's columns: the depth of its GEMM.
  var groupRows: Int { groupIn * window.kernelArea }
  /// Elements of one input image and of one output image.
  var inputImage: Int { inChannels * window.plane }
  var outputImage: Int { outChannels * window.blocks }
  /// Multiply-adds of one of the three products over the whole batch.
  var work: Int { batch * outChannels * groupRows * window.blocks }
}

/// `c = op(a)·op(b)`, or `c += op(a)·op(b)` with `accumulate`, for row-major matrices of T.
@inline(__always)
func gemm<T: FloatScalar>(
  _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<T>, _ lda: Int, transA: Bool = false,
  _ b: UnsafePointer<T>, _ ldb: Int, transB: Bool = false, into c: UnsafeMutablePointer<T>,
  _ ldc: Int, accumulate: Bool = false
) {
  let (ta, tb): (Int32, Int32) = (transA ? 1 : 0, transB ? 1 : 0)
  if T.self == Float.self {
    descent_sgemm(
      ta, tb, m, n, k, 1, UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda,
      UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb, accumulate ? 1 : 0,
      UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc)
  } else {
    descent_dgemm(
      ta, tb, m, n, k, 1, UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda,
      UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb, accumulate ? 1 : 0,
      UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc)
  }
}

/// Runs `body(part, range)` over `0..<count` cut into `parts` contiguous ranges, on up to
/// `numThreads` threads when the work is large enough to pay for waking them.
func forEachRange(
  _ count: Int, parts: Int, work: Int, _ body: (_ part: Int, _ range: Range<Int>) -> Void
) {
  let parts = Swift.max(1, Swift.min(parts, count))
  func range(_ part: Int) -> Range<Int> { (count * part / parts)..<(count * (part + 1) / parts) }
  let threads = Swift.min(numThreads, parts)
  if threads <= 1 || work < 1 << 22 {
    for part in 0..<parts { body(part, range(part)) }
    return
  }
  // The workers only run while this call waits for them: the body does not escape.
  withoutActuallyEscaping(body) { body in
    let shared = UncheckedSendable(body)
    let count = count
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      for part in stride(from: worker, to: parts, by: threads) {
        shared.value(part, (count * part / parts)..<(count * (part + 1) / parts))
      }
    }
  }
}

/// A value handed to worker threads that the caller knows to be safe to share (pointers into
/// disjoint parts of one buffer).
struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

/// Scratch memory for one worker: a tensor, so that large blocks are reused between steps.
@inline(__always)
func scratch<T: FloatScalar>(_: T.Type, _ count: Int) -> Tensor {
  Tensor(uninitializedShape: [Swift.max(count, 1)], dtype: T.dtype)
}

/// y = W ⋆ x + b: per image, columns then one GEMM per group, the bias added while the output
/// image is in cache.
struct ConvolutionForward: FloatRoutine {
  let input: Tensor
  let weight: Tensor
  let bias: Tensor?
  let shape: ConvolutionShape
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let s = shape
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let (x, w, y) = (input.pointer(T.self), weight.pointer(T.self), out.pointer(T.self))
    let b = bias?.pointer(T.self)
    let blocks = s.window.blocks
    forEachRange(s.batch, parts: numThreads, work: s.work) { _, images in
      let buffer = s.window.isPointwise ? nil : scratch(T.self, s.groups * s.groupRows * blocks)
      for n in images {
        let image = x + n * s.inputImage
        var columns = UnsafePointer(image)
        if let buffer {
          im2col(image, channels: s.inChannels, s.window, into: buffer.pointer(T.self))
          columns = UnsafePointer(buffer.pointer(T.self))
        }
        let target = y + n * s.outputImage
        for g in 0..<s.groups {
          gemm(
            s.groupOut, blocks, s.groupRows, w + g * s.groupOut * s.groupRows, s.groupRows,
            columns + g * s.groupRows * blocks, blocks, into: target + g * s.groupOut * blocks,
            blocks)
        }
        if let b {
          for o in 0..<s.outChannels {
            let row = target + o * blocks
            let value = b[o]
            for i in 0..<blocks { row[i] += value }
          }
        }
      }
    }
    return out
  }
}

/// ∂L/∂x = col2im(Wᵀ·g) per image, into a new tensor of `outShape` (the input's shape).
struct ConvolutionInputGradient: FloatRoutine {
  let gradient: Tensor
  let weight: Tensor
  let shape: ConvolutionShape
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let s = shape
    let pointwise = s.window.isPointwise
    let out =
      pointwise
      ? Tensor(uninitializedShape: outShape, dtype: T.dtype)
      : Tensor.zeros(outShape, dtype: T.dtype)
    let (g, w, gx) = (gradient.pointer(T.self), weight.pointer(T.self), out.pointer(T.self))
    let blocks = s.window.blocks
    forEachRange(s.batch, parts: numThreads, work: s.work) { _, images in
      let buffer = pointwise ? nil : scratch(T.self, s.groups * s.groupRows * blocks)
      for n in images {
        let upstream = g + n * s.outputImage
        let columns = buffer?.pointer(T.self) ?? (gx + n * s.inputImage)
        for group in 0..<s.groups {
          gemm(
            s.groupRows, blocks, s.groupOut, w + group * s.groupOut * s.groupRows, s.groupRows,
            transA: true, upstream + group * s.groupOut * blocks, blocks,
            into: columns + group * s.groupRows * blocks, blocks)
        }
        if buffer != nil {
          col2im(columns, channels: s.inChannels, s.window, into: gx + n * s.inputImage)
        }
      }
    }
    return out
  }
}

/// ∂L/∂W = Σₙ gₙ·columns(xₙ)ᵀ into a new tensor of `outShape` (the weight's shape). The batch
/// is cut into a fixed number of parts whatever the thread count, each summed on its own and
/// the parts added in order, so the result does not depend on how many threads ran.
struct ConvolutionWeightGradient: FloatRoutine {
  let input: Tensor
  let gradient: Tensor
  let shape: ConvolutionShape
  let outShape: [Int]

  static let parts = 4

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let s = shape
    let size = s.outChannels * s.groupRows
    let parts = Swift.max(1, Swift.min(Self.parts, s.batch))
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    if s.batch == 0 || size == 0 {
      out.pointer(T.self).update(repeating: 0, count: size)
      return out
    }
    let partials = scratch(T.self, (parts - 1) * size)
    let (x, g) = (input.pointer(T.self), gradient.pointer(T.self))
    let (first, rest) = (out.pointer(T.self), partials.pointer(T.self))
    let blocks = s.window.blocks
    forEachRange(s.batch, parts: parts, work: s.work) { part, images in
      let sum = part == 0 ? first : rest + (part - 1) * size
      let buffer = s.window.isPointwise ? nil : scratch(T.self, s.groups * s.groupRows * blocks)
      for n in images {
        let image = x + n * s.inputImage
        var columns = UnsafePointer(image)
        if let buffer {
          im2col(image, channels: s.inChannels, s.window, into: buffer.pointer(T.self))
          columns = UnsafePointer(buffer.pointer(T.self))
        }
        let upstream = g + n * s.outputImage
        for group in 0..<s.groups {
          gemm(
            s.groupOut, s.groupRows, blocks, upstream + group * s.groupOut * blocks, blocks,
            columns + group * s.groupRows * blocks, blocks, transB: true,
            into: sum + group * s.groupOut * s.groupRows, s.groupRows,
            accumulate: n != images.lowerBound)
        }
      }
    }
    for part in 1..<parts {
      let partial = rest + (part - 1) * size
      for i in 0..<size { first[i] += partial[i] }
    }
    return out
  }
}
