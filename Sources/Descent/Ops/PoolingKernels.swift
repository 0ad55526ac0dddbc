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

  /// Runs `body` for every window of `w` in order: its index among the outputs of a plane,
  /// its rows and columns inside the image (empty when it covers only padding) and its
  /// divisor.
  @inline(__always)
  func forEachWindow(
    _ w: Window2D,
    _ body: (_ output: Int, _ rows: Range<Int>, _ cols: Range<Int>, _ divisor: Int) -> Void
  ) {
    for oh in 0..<w.outHeight {
      let rows = Self.span(
        start: oh * w.strideHeight - w.padTop, kernel: w.kernelHeight,
        padded: w.height + w.padTop, size: w.height)
      for ow in 0..<w.outWidth {
        let cols = Self.span(
          start: ow * w.strideWidth - w.padLeft, kernel: w.kernelWidth,
          padded: w.width + w.padLeft, size: w.width)
        let inside = Swift.max(rows.hi - rows.lo, 0) * Swift.max(cols.hi - cols.lo, 0)
        body(
          oh * w.outWidth + ow, rows.lo..<Swift.max(rows.hi, rows.lo),
          cols.lo..<Swift.max(cols.hi, cols.lo),
          divisor(inside: inside, withPadding: rows.withPadding * cols.withPadding))
      }
    }
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
      let (source, target) = (x + p * w.plane, y + p * w.blocks)
      rule.forEachWindow(w) { output, rows, cols, divisor in
        guard !rows.isEmpty, !cols.isEmpty else {
          target[output] = 0
          return
        }
        var sum = T.zero
        for ih in rows {
          for iw in cols { sum += source[ih * w.width + iw] }
        }
        target[output] = sum / T(divisor)
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
      let (source, target) = (g + p * w.blocks, gx + p * w.plane)
      rule.forEachWindow(w) { output, rows, cols, divisor in
        guard !rows.isEmpty, !cols.isEmpty else { return }
        let share = source[output] / T(divisor)
        for ih in rows {
          for iw in cols { target[ih * w.width + iw] += share }
        }
      }
    }
    return out
  }
}
