/// im2col and col2im: the sliding windows of one image laid out as the columns of a matrix, and
/// back. Convolution multiplies these columns by its weight on the GEMM kernels; `unfold` and
/// `fold` (Unfold.swift) are the public, differentiable ops made of them.

/// A window sliding over an image plane (a convolution's or a pooling's): the plane's size,
/// the kernel, the steps, the padding before each dimension, the dilation and the number of
/// positions. The padding after is implied by the number of positions, so that PyTorch's
/// asymmetric `padding='same'` and `ceil_mode` need nothing more.
struct Window2D: Equatable, Sendable {
  var height: Int
  var width: Int
  var kernelHeight: Int
  var kernelWidth: Int
  var strideHeight: Int
  var strideWidth: Int
  var padTop: Int
  var padLeft: Int
  var dilationHeight: Int
  var dilationWidth: Int
  var outHeight: Int
  var outWidth: Int

  /// Elements of the image plane.
  var plane: Int { height * width }
  /// Elements of the kernel.
  var kernelArea: Int { kernelHeight * kernelWidth }
  /// Window positions: the columns of the unfolded matrix.
  var blocks: Int { outHeight * outWidth }
  /// True when the columns are the image itself: a 1×1 kernel at every pixel, no padding.
  var isPointwise: Bool {
    kernelArea == 1 && strideHeight == 1 && strideWidth == 1 && padTop == 0 && padLeft == 0
      && outHeight == height && outWidth == width
  }

  /// Window positions along one dimension: ⌊(size + padding − dilation·(kernel − 1) − 1) /
  /// stride⌋ + 1, or with `ceil` rounded up, as PyTorch's pooling does with `ceil_mode`.
  static func positions(
    _ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceil: Bool = false
  ) -> Int {
    let span = size + padding - dilation * (kernel - 1) - 1
    return (ceil ? ceilDivision(span, stride) : floorDivision(span, stride)) + 1
  }
}

/// ⌊a / b⌋ for b > 0, also for negative a.
@inline(__always)
func floorDivision(_ a: Int, _ b: Int) -> Int {
  let q = a / b
  return (a % b != 0 && a < 0) ? q - 1 : q
}

/// ⌈a / b⌉ for b > 0, also for negative a.
@inline(__always)
func ceilDivision(_ a: Int, _ b: Int) -> Int { -floorDivision(-a, b) }

/// The output positions `lo..<hi` along one dimension at which kernel tap `tap` reads inside
/// an image of `size` (elsewhere it reads padding).
@inline(__always)
func validPositions(tap: Int, window: (stride: Int, pad: Int, dilation: Int), size: Int, count: Int)
  -> (lo: Int, hi: Int)
{
  let offset = tap * window.dilation - window.pad
  let lo = Swift.min(Swift.max(ceilDivision(-offset, window.stride), 0), count)
  let hi = Swift.min(Swift.max(floorDivision(size - 1 - offset, window.stride) + 1, lo), count)
  return (lo, hi)
}

/// Runs `body` for every row (c, i, j) of the columns of an image `[channels, H, W]`, in
/// order: the row's start in the columns, its channel's start in the image, the output
/// positions at which kernel tap (i, j) reads inside the image (elsewhere it reads padding),
/// and where it reads: row `oh·strideHeight + rowOffset`, column `ow·strideWidth +
/// columnOffset`.
@inline(__always)
func forEachTap(
  channels: Int, _ w: Window2D,
  _ body: (
    _ row: Int, _ plane: Int, _ rows: (lo: Int, hi: Int), _ cols: (lo: Int, hi: Int),
    _ rowOffset: Int, _ columnOffset: Int
  ) -> Void
) {
  var row = 0
  for c in 0..<channels {
    for i in 0..<w.kernelHeight {
      let rows = validPositions(
        tap: i, window: (w.strideHeight, w.padTop, w.dilationHeight), size: w.height,
        count: w.outHeight)
      for j in 0..<w.kernelWidth {
        let cols = validPositions(
          tap: j, window: (w.strideWidth, w.padLeft, w.dilationWidth), size: w.width,
          count: w.outWidth)
        body(
          row, c * w.plane, rows, cols, i * w.dilationHeight - w.padTop,
          j * w.dilationWidth - w.padLeft)
        row += w.blocks
      }
    }
  }
}

/// Writes the columns of one image `[channels, H, W]` into `columns`
/// `[channels·kh·kw, outH·outW]`: row (c, i, j) holds, for every window position, the pixel
/// under kernel tap (i, j) of channel c, or 0 over the padding. This is `F.unfold`'s layout.
func im2col<T: FloatScalar>(
  _ image: UnsafePointer<T>, channels: Int, _ w: Window2D, into columns: UnsafeMutablePointer<T>
) {
  let blocks = w.blocks
  forEachTap(channels: channels, w) { start, plane, rows, cols, rowOffset, columnOffset in
    let row = columns + start
    // Whole output rows over the padding above and below, then each row in three parts.
    // Plain loops: the rows are short, and library calls cost more than the copies.
    for k in 0..<(rows.lo * w.outWidth) { row[k] = 0 }
    for oh in rows.lo..<rows.hi {
      let target = row + oh * w.outWidth
      let source = image + plane + (oh * w.strideHeight + rowOffset) * w.width + columnOffset
      for ow in 0..<cols.lo { target[ow] = 0 }
      if w.strideWidth == 1 {
        for ow in cols.lo..<cols.hi { target[ow] = source[ow] }
      } else {
        let step = w.strideWidth
        for ow in cols.lo..<cols.hi { target[ow] = source[ow * step] }
      }
      for ow in cols.hi..<w.outWidth { target[ow] = 0 }
    }
    for k in (rows.hi * w.outWidth)..<blocks { row[k] = 0 }
  }
}

/// The adjoint of `im2col`: adds every entry of `columns` `[channels·kh·kw, outH·outW]` onto
/// the pixel it was read from in `image` `[channels, H, W]` (entries over the padding are
/// dropped). `image` must hold the values to add to (zeros for `F.fold`).
func col2im<T: FloatScalar>(
  _ columns: UnsafePointer<T>, channels: Int, _ w: Window2D, into image: UnsafeMutablePointer<T>
) {
  forEachTap(channels: channels, w) { start, plane, rows, cols, rowOffset, columnOffset in
    for oh in rows.lo..<rows.hi {
      let source = columns + start + oh * w.outWidth
      let target = image + plane + (oh * w.strideHeight + rowOffset) * w.width + columnOffset
      let step = w.strideWidth
      for ow in cols.lo..<cols.hi { target[ow * step] += source[ow] }
    }
  }
}

/// `im2col` of every image of a dense batch `[batch, channels, H, W]` into a new dense
/// `[batch, channels·kh·kw, outH·outW]`.
struct BatchIm2Col: FloatRoutine {
  let input: Tensor
  let batch: Int
  let channels: Int
  let window: Window2D
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let rows = channels * window.kernelArea * window.blocks
    let (source, target) = (input.pointer(T.self), out.pointer(T.self))
    for n in 0..<batch {
      im2col(
        source + n * channels * window.plane, channels: channels, window, into: target + n * rows)
    }
    return out
  }
}

/// `col2im` of every matrix of a dense batch `[batch, channels·kh·kw, outH·outW]` into a new
/// zeroed `[batch, channels, H, W]`-sized tensor of shape `outShape`.
struct BatchCol2Im: FloatRoutine {
  let columns: Tensor
  let batch: Int
  let channels: Int
  let window: Window2D
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let out = Tensor.zeros(outShape, dtype: T.dtype)
    let rows = channels * window.kernelArea * window.blocks
    let (source, target) = (columns.pointer(T.self), out.pointer(T.self))
    for n in 0..<batch {
      col2im(
        source + n * rows, channels: channels, window, into: target + n * channels * window.plane)
    }
    return out
  }
}
