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

/// Max pooling: the maximum of each window and its index `ih·W + iw` in its plane.
struct MaxPoolForward: FloatRoutine {
  let input: Tensor
  let planes: Int
  let window: Window2D
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> (values: Tensor, indices: Tensor) {
    let w = window
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let indices = Tensor(uninitializedShape: outShape, dtype: .int64)
    let (x, y, best) = (input.pointer(T.self), out.pointer(T.self), indices.pointer(Int64.self))
    if w.padTop == 0 && w.padLeft == 0 && w.dilationHeight == 1 && w.dilationWidth == 1
      && (w.outHeight - 1) * w.strideHeight + w.kernelHeight <= w.height
      && (w.outWidth - 1) * w.strideWidth + w.kernelWidth <= w.width
    {
      insideWindows(x, y, best, T.self)
      return (out, indices)
    }
    for p in 0..<planes {
      let source = x + p * w.plane
      let base = p * w.blocks
      for oh in 0..<w.outHeight {
        let top = oh * w.strideHeight - w.padTop
        let rows = insideTaps(
          start: top, kernel: w.kernelHeight, dilation: w.dilationHeight, size: w.height)
        for ow in 0..<w.outWidth {
          let left = ow * w.strideWidth - w.padLeft
          let cols = insideTaps(
            start: left, kernel: w.kernelWidth, dilation: w.dilationWidth, size: w.width)
          // PyTorch starts from −∞ at the first tap inside the image; a NaN replaces anything.
          var index =
            (top + rows.lo * w.dilationHeight) * w.width + left + cols.lo * w.dilationWidth
          var value = -T.infinity
          for i in rows.lo..<rows.hi {
            let row = (top + i * w.dilationHeight) * w.width + left
            for j in cols.lo..<cols.hi {
              let at = row + j * w.dilationWidth
              let candidate = source[at]
              if candidate > value || candidate.isNaN {
                value = candidate
                index = at
              }
            }
          }
          y[base + oh * w.outWidth + ow] = value
          best[base + oh * w.outWidth + ow] = Int64(index)
        }
      }
    }
    return (out, indices)
  }
}

extension MaxPoolForward {
  /// The common case, every window inside the image with no dilation (a 2×2 pooling of a
  /// convolution's output): no bounds to work out. Starting from the first tap instead of −∞
  /// gives PyTorch's result, since −∞ at the first tap is its default index too.
  @inline(__always)
  func insideWindows<T: FloatScalar>(
    _ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
    _ best: UnsafeMutablePointer<Int64>, _: T.Type
  ) {
    let w = window
    if T.self == Float.self && w.kernelHeight == 2 && w.kernelWidth == 2 && w.strideHeight == 2
      && w.strideWidth == 2
    {
      pairs(
        UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self),
        UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), best)
      return
    }
    var target = 0
    for p in 0..<planes {
      let source = x + p * w.plane
      for oh in 0..<w.outHeight {
        let top = oh * w.strideHeight * w.width
        for ow in 0..<w.outWidth {
          var index = top + ow * w.strideWidth
          var value = source[index]
          let first = index
          @inline(__always) func consider(_ at: Int) {
            let candidate = source[at]
            // Never both true (a NaN is not greater), so != is their `or`, without a branch.
            let wins = (candidate > value) != (candidate != candidate)
            value = wins ? candidate : value
            index = wins ? at : index
          }
          if w.kernelHeight == 2 && w.kernelWidth == 2 {
            consider(first + 1)
            consider(first + w.width)
            consider(first + w.width + 1)
          } else {
            for i in 0..<w.kernelHeight {
              for j in 0..<w.kernelWidth where i != 0 || j != 0 {
                consider(first + i * w.width + j)
              }
            }
          }
          y[target] = value
          best[target] = Int64(index)
          target += 1
        }
      }
    }
  }
}

extension MaxPoolForward {
  /// 2×2 windows with stride 2 in float32, eight outputs at a time without branches: the
  /// maximum of a row pair's even and odd elements, with the tap that won (a NaN wins, the
  /// later of two).
  func pairs(
    _ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    _ best: UnsafeMutablePointer<Int64>
  ) {
    let w = window
    let (width, outWidth) = (w.width, w.outWidth)
    let vectorWidth = outWidth / 8 * 8
    var target = 0
    for p in 0..<planes {
      let source = x + p * w.plane
      for oh in 0..<w.outHeight {
        let top = 2 * oh * width
        let (upper, lower) = (source + top, source + top + width)
        var ow = 0
        while ow < vectorWidth {
          let first = UnsafeRawPointer(upper + 2 * ow).loadUnaligned(as: SIMD16<Float>.self)
          let second = UnsafeRawPointer(lower + 2 * ow).loadUnaligned(as: SIMD16<Float>.self)
          var value = first.evenHalf
          var tap = SIMD8<Int32>(repeating: 0)
          @inline(__always) func consider(_ candidate: SIMD8<Float>, _ code: Int32) {
            let wins = (candidate .> value) .| (candidate .!= candidate)
            value.replace(with: candidate, where: wins)
            tap.replace(with: code, where: wins)
          }
          consider(first.oddHalf, 1)
          consider(second.evenHalf, 2)
          consider(second.oddHalf, 3)
          UnsafeMutableRawPointer(y + target).storeBytes(of: value, as: SIMD8<Float>.self)
          for lane in 0..<8 {
            let code = Int(tap[lane])
            best[target + lane] = Int64(top + 2 * (ow + lane) + (code & 1) + (code >> 1) * width)
          }
          ow += 8
          target += 8
        }
        if ow + 4 <= outWidth {
          let first = UnsafeRawPointer(upper + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
          let second = UnsafeRawPointer(lower + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
          var value = first.evenHalf
          var tap = SIMD4<Int32>(repeating: 0)
          @inline(__always) func consider(_ candidate: SIMD4<Float>, _ code: Int32) {
            let wins = (candidate .> value) .| (candidate .!= candidate)
            value.replace(with: candidate, where: wins)
            tap.replace(with: code, where: wins)
          }
          consider(first.oddHalf, 1)
          consider(second.evenHalf, 2)
          consider(second.oddHalf, 3)
          UnsafeMutableRawPointer(y + target).storeBytes(of: value, as: SIMD4<Float>.self)
          for lane in 0..<4 {
            let code = Int(tap[lane])
            best[target + lane] = Int64(top + 2 * (ow + lane) + (code & 1) + (code >> 1) * width)
          }
          ow += 4
          target += 4
        }
        while ow < outWidth {
          var index = top + 2 * ow
          var value = source[index]
          let first = index
          @inline(__always) func consider(_ at: Int) {
            let candidate = source[at]
            // Never both true (a NaN is not greater), so != is their `or`, without a branch.
            let wins = (candidate > value) != (candidate != candidate)
            value = wins ? candidate : value
            index = wins ? at : index
          }
          consider(first + 1)
          consider(first + width)
          consider(first + width + 1)
          y[target] = value
          best[target] = Int64(index)
          ow += 1
          target += 1
        }
      }
    }
  }
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
