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
/// `numThreads` threads when the work is large enough to pay for waking them. Threads claim
/// parts one at a time, so a thread that the system does not run for a while delays nothing:
/// the others take its parts.
func forEachRange(
  _ count: Int, parts: Int, work: Int, _ body: (_ part: Int, _ range: Range<Int>) -> Void
) {
  let parts = Swift.max(1, Swift.min(parts, count))
  func range(_ part: Int) -> Range<Int> { (count * part / parts)..<(count * (part + 1) / parts) }
  if numThreads <= 1 || parts <= 1 || work < 1 << 22 {
    for part in 0..<parts { body(part, range(part)) }
    return
  }
  // The workers only run while this call waits for them: the body does not escape.
  withoutActuallyEscaping(body) { body in
    let shared = UncheckedSendable(body)
    let count = count
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      shared.value(part, (count * part / parts)..<(count * (part + 1) / parts))
    }
  }
}

/// How many parts to cut a batch of independent images into: one on one thread (one
/// scratch buffer), else a few per thread so that threads can share out the work.
var imageParts: Int { numThreads <= 1 ? 1 : 4 * numThreads }

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

/// A worker's scratch for a layout: the columns, the padded copy and `extra` more elements.
struct ColumnScratch<T: FloatScalar> {
  let storage: Tensor
  let columns: UnsafeMutablePointer<T>
  let padded: UnsafeMutablePointer<T>
  let extra: UnsafeMutablePointer<T>

  init(_ layout: ColumnLayout, extra: Int) {
    storage = scratch(T.self, layout.columnCount + layout.paddedCount + extra)
    columns = storage.pointer(T.self)
    padded = columns + layout.columnCount
    self.extra = padded + layout.paddedCount
  }
}

/// y = W ⋆ x + b: per image, columns then one GEMM per group. The product is formed
/// transposed, yᵀ = columnsᵀ·Wᵀ (`[positions, O]`): its long side is cut into the kernel's row
/// tiles with little waste, and both operands are packed by contiguous reads (the weight is
/// transposed once). yᵀ is then written out transposed, without the junk positions, with the
/// bias added.
struct ConvolutionForward: FloatRoutine {
  let input: Tensor
  let weight: Tensor
  let bias: Tensor?
  let shape: ConvolutionShape
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let s = shape
    let layout = ColumnLayout(s)
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let (x, y) = (input.pointer(T.self), out.pointer(T.self))
    let b = bias?.pointer(T.self)
    // Wᵀ per group: [groupRows, groupOut].
    let transposedWeight = scratch(T.self, s.outChannels * s.groupRows)
    let (w, wt) = (weight.pointer(T.self), transposedWeight.pointer(T.self))
    for g in 0..<s.groups {
      for o in 0..<s.groupOut {
        for k in 0..<s.groupRows {
          wt[g * s.groupOut * s.groupRows + k * s.groupOut + o] =
            w[(g * s.groupOut + o) * s.groupRows + k]
        }
      }
    }
    let (width, rowWidth) = (layout.width, layout.rowWidth)
    let (outHeight, outWidth) = (s.window.outHeight, s.window.outWidth)
    forEachRange(s.batch, parts: imageParts, work: s.work) { _, images in
      let work = ColumnScratch<T>(layout, extra: 2 * width * s.outChannels)
      let (yt, y2) = (work.extra, work.extra + width * s.outChannels)
      for n in images {
        let columns = layout.columns(
          of: x + n * s.inputImage, columns: work.columns, padded: work.padded)
        for g in 0..<s.groups {
          gemm(
            width, s.groupOut, s.groupRows, columns + g * s.groupRows * width, width,
            transA: true, wt + g * s.groupOut * s.groupRows, s.groupOut,
            into: yt + g * s.groupOut, s.outChannels)
        }
        // y = (yᵀ)ᵀ without the junk positions, plus the bias.
        transpose(width, s.outChannels, yt, s.outChannels, into: y2, width)
        var target = y + n * s.outputImage
        for o in 0..<s.outChannels {
          let value = b?[o] ?? 0
          for oh in 0..<outHeight {
            let source = y2 + o * width + oh * rowWidth
            for ow in 0..<outWidth { target[ow] = source[ow] + value }
            target += outWidth
          }
        }
      }
    }
    return out
  }
}

/// ∂L/∂x: per image, columns of the gradient Wᵀ·g, added back onto the image (col2im), into a
/// new tensor of `outShape` (the input's shape).
struct ConvolutionInputGradient: FloatRoutine {
  let gradient: Tensor
  let weight: Tensor
  let shape: ConvolutionShape
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let s = shape
    let layout = ColumnLayout(s)
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let (g, w, gx) = (gradient.pointer(T.self), weight.pointer(T.self), out.pointer(T.self))
    let width = layout.width
    forEachRange(s.batch, parts: imageParts, work: s.work) { _, images in
      let work = ColumnScratch<T>(layout, extra: layout.spreads ? s.outChannels * width : 0)
      for n in images {
        let upstream = layout.spread(g + n * s.outputImage, rows: s.outChannels, into: work.extra)
        let image = gx + n * s.inputImage
        let columns = layout.kind == .pointwise ? image : work.columns
        for group in 0..<s.groups {
          gemm(
            s.groupRows, width, s.groupOut, w + group * s.groupOut * s.groupRows, s.groupRows,
            transA: true, upstream + group * s.groupOut * width, width,
            into: columns + group * s.groupRows * width, width)
        }
        layout.addColumns(columns, into: image, padded: work.padded)
      }
    }
    return out
  }
}

/// ∂L/∂W = Σₙ gₙ·columns(xₙ)ᵀ into a new tensor of `outShape` (the weight's shape). Formed
/// transposed per group, Σₙ columns(xₙ)·gₙᵀ (`[C·kh·kw / groups, O / groups]`), from the
/// columns and the gradient laid out one row per position: the GEMM packs both by contiguous
/// reads, and the long side is cut into the kernel's row tiles with little waste. The batch is
/// cut into a fixed number of parts whatever the thread count, each summed on its own and the
/// parts added in order, so the result does not depend on how many threads ran.
struct ConvolutionWeightGradient: FloatRoutine {
  let input: Tensor
  let gradient: Tensor
  let shape: ConvolutionShape
  let outShape: [Int]

  static let parts = 4

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let s = shape
    let layout = ColumnLayout(s)
    let size = s.outChannels * s.groupRows
    let parts = Swift.max(1, Swift.min(Self.parts, s.batch))
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let gw = out.pointer(T.self)
    if s.batch == 0 || size == 0 {
      gw.update(repeating: 0, count: size)
      return out
    }
    // Per part, per group: the transposed block [groupRows, groupOut].
    let partials = scratch(T.self, parts * size)
    let (x, g, sums) = (input.pointer(T.self), gradient.pointer(T.self), partials.pointer(T.self))
    let width = layout.width
    let rows = s.inChannels * s.window.kernelArea
    let groupBlock = s.groupRows * s.groupOut
    forEachRange(s.batch, parts: parts, work: s.work) { part, images in
      let sum = sums + part * size
      let work = ColumnScratch<T>(layout, extra: width * (rows + 2 * s.outChannels))
      let (columns, upstream) = (work.extra, work.extra + width * rows)
      let spread = upstream + width * s.outChannels
      for n in images {
        layout.transposedColumns(
          of: x + n * s.inputImage, columns: work.columns, padded: work.padded, into: columns)
        layout.transposedGradient(
          g + n * s.outputImage, rows: s.outChannels, spread: spread, into: upstream)
        for group in 0..<s.groups {
          gemm(
            s.groupRows, s.groupOut, width, columns + group * s.groupRows, rows, transA: true,
            upstream + group * s.groupOut, s.outChannels, into: sum + group * groupBlock,
            s.groupOut, accumulate: n != images.lowerBound)
        }
      }
    }
    for part in 1..<parts {
      let partial = sums + part * size
      for i in 0..<size { sums[i] += partial[i] }
    }
    // gw[group·groupOut + o, k] = transposed[group][k, o]
    for group in 0..<s.groups {
      let block = sums + group * groupBlock
      for o in 0..<s.groupOut {
        let row = gw + (group * s.groupOut + o) * s.groupRows
        for k in 0..<s.groupRows { row[k] = block[k * s.groupOut + o] }
      }
    }
    return out
  }
}
