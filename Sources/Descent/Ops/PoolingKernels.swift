/// The kernels of max and average pooling over the planes of a dense `[planes, H, W]` tensor
/// (every image's every channel), forward and backward, with PyTorch's rules: max pooling
/// keeps the index of the maximum (a NaN wins), average pooling divides by PyTorch's count.

/// The kernel taps `lo..<hi` of a window starting at `start` that fall inside `0..<size`.
@inline(__always)
func insideTaps(start: Int, kernel: Int, dilation: Int, size: Int) -> (lo: Int, hi: Int) {
  let lo = Swift.min(Swift.max(ceilDivision(-start, dilation), 0), kernel)
  let hi = Swift.min(Swift.max(floorDivision(size - 1 - start, dilation) + 1, lo), kernel)
  return (lo, hi)
}

/// The gradient of max pooling: each output's gradient added at its maximum's index.
struct MaxPoolBackward: FloatRoutine {
  let gradient: Tensor
  let indices: Tensor
  let planes: Int
  let plane: Int
  let blocks: Int
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let out = Tensor.zeros(outShape, dtype: T.dtype)
    let (g, index, gx) = (
      gradient.pointer(T.self), indices.pointer(Int64.self), out.pointer(T.self)
    )
    for p in 0..<planes {
      let (target, base) = (gx + p * plane, p * blocks)
      for o in 0..<blocks { target[Int(index[base + o])] += g[base + o] }
    }
    return out
  }
}

/// Average pooling's rules: `countIncludePad` counts the padding in the divisor, a
/// `divisorOverride` replaces it.
struct AveragingRule: Equatable, Sendable {
  var countIncludePad: Bool
  var divisorOverride: Int?

  /// The part of the window (start `start`, clipped to the padded size `padded`) inside the
  /// image `0..<size`, and what PyTorch divides by along this dimension.
  @inline(__always)
  static func span(start: Int, kernel: Int, padded: Int, size: Int) -> (
    lo: Int, hi: Int, withPadding: Int
  ) {
    let end = Swift.min(start + kernel, padded)
    return (Swift.max(start, 0), Swift.min(end, size), end - start)
  }

  /// The divisor of a window with `inside` elements in the image and `withPadding` in all.
  @inline(__always)
  func divisor(inside: Int, withPadding: Int) -> Int {
    divisorOverride ?? (countIncludePad ? withPadding : inside)
  }
}

/// Average pooling (no dilation), as PyTorch's CPU kernel sums and divides.
struct AveragePoolForward: FloatRoutine {
  let input: Tensor
  let planes: Int
  let window: Window2D
  let rule: AveragingRule
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let w = window
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let (x, y) = (input.pointer(T.self), out.pointer(T.self))
    for p in 0..<planes {
      let source = x + p * w.plane
      let target = y + p * w.blocks
      for oh in 0..<w.outHeight {
        let rows = AveragingRule.span(
          start: oh * w.strideHeight - w.padTop, kernel: w.kernelHeight,
          padded: w.height + w.padTop, size: w.height)
        for ow in 0..<w.outWidth {
          let cols = AveragingRule.span(
            start: ow * w.strideWidth - w.padLeft, kernel: w.kernelWidth,
            padded: w.width + w.padLeft, size: w.width)
          guard rows.lo < rows.hi, cols.lo < cols.hi else {
            target[oh * w.outWidth + ow] = 0
            continue
          }
          var sum = T.zero
          for ih in rows.lo..<rows.hi {
            for iw in cols.lo..<cols.hi { sum += source[ih * w.width + iw] }
          }
          let divisor = rule.divisor(
            inside: (rows.hi - rows.lo) * (cols.hi - cols.lo),
            withPadding: rows.withPadding * cols.withPadding)
          target[oh * w.outWidth + ow] = sum / T(divisor)
        }
      }
    }
    return out
  }
}

/// The gradient of average pooling: each output's gradient, divided as forward divided,
/// added over its window.
struct AveragePoolBackward: FloatRoutine {
  let gradient: Tensor
  let planes: Int
  let window: Window2D
  let rule: AveragingRule
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let w = window
    let out = Tensor.zeros(outShape, dtype: T.dtype)
    let (g, gx) = (gradient.pointer(T.self), out.pointer(T.self))
    for p in 0..<planes {
      let source = g + p * w.blocks
      let target = gx + p * w.plane
      for oh in 0..<w.outHeight {
        let rows = AveragingRule.span(
          start: oh * w.strideHeight - w.padTop, kernel: w.kernelHeight,
          padded: w.height + w.padTop, size: w.height)
        for ow in 0..<w.outWidth {
          let cols = AveragingRule.span(
            start: ow * w.strideWidth - w.padLeft, kernel: w.kernelWidth,
            padded: w.width + w.padLeft, size: w.width)
          guard rows.lo < rows.hi, cols.lo < cols.hi else { continue }
          let divisor = rule.divisor(
            inside: (rows.hi - rows.lo) * (cols.hi - cols.lo),
            withPadding: rows.withPadding * cols.withPadding)
          let share = source[oh * w.outWidth + ow] / T(divisor)
          for ih in rows.lo..<rows.hi {
            for iw in cols.lo..<cols.hi { target[ih * w.width + iw] += share }
          }
        }
      }
    }
    return out
  }
}
