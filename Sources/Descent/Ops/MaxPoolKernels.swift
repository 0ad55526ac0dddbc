/// The forward kernel of max pooling: the maximum of each window (a NaN wins) and its index
/// `ih·W + iw` in its plane, one plane at a time, with fast paths for windows inside the image
/// and for 2×2 windows with stride 2 in float32.
struct MaxPoolForward: FloatRoutine {
  let input: Tensor
  let planes: Int
  let window: Window2D
  let outShape: [Int]
  /// False when only the values are wanted (nothing records a gradient): each plane's indices
  /// go to one plane of scratch instead of a tensor the size of the output.
  let keepsIndices: Bool

  func run<T: FloatScalar>(_: T.Type) -> (values: Tensor, indices: Tensor?) {
    let w = window
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let indices = Tensor(uninitializedShape: keepsIndices ? outShape : [w.blocks], dtype: .int64)
    let (x, y, best) = (input.pointer(T.self), out.pointer(T.self), indices.pointer(Int64.self))
    let inside =
      w.padTop == 0 && w.padLeft == 0 && w.dilationHeight == 1 && w.dilationWidth == 1
      && (w.outHeight - 1) * w.strideHeight + w.kernelHeight <= w.height
      && (w.outWidth - 1) * w.strideWidth + w.kernelWidth <= w.width
    let pairs =
      inside && T.self == Float.self && w.kernelHeight == 2 && w.kernelWidth == 2
      && w.strideHeight == 2 && w.strideWidth == 2
    for p in 0..<planes {
      let (source, target) = (x + p * w.plane, y + p * w.blocks)
      let chosen = best + (keepsIndices ? p * w.blocks : 0)
      if pairs {
        pairsPlane(
          UnsafeMutableRawPointer(source).assumingMemoryBound(to: Float.self),
          UnsafeMutableRawPointer(target).assumingMemoryBound(to: Float.self), chosen)
      } else if inside {
        insidePlane(source, target, chosen)
      } else {
        generalPlane(source, target, chosen)
      }
    }
    return (out, keepsIndices ? indices : nil)
  }

  /// Any window: the taps inside the image; PyTorch starts from −∞ at the first of them.
  private func generalPlane<T: FloatScalar>(
    _ source: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
    _ best: UnsafeMutablePointer<Int64>
  ) {
    let w = window
    for oh in 0..<w.outHeight {
      let top = oh * w.strideHeight - w.padTop
      let rows = insideTaps(
        start: top, kernel: w.kernelHeight, dilation: w.dilationHeight, size: w.height)
      for ow in 0..<w.outWidth {
        let left = ow * w.strideWidth - w.padLeft
        let cols = insideTaps(
          start: left, kernel: w.kernelWidth, dilation: w.dilationWidth, size: w.width)
        var index = (top + rows.lo * w.dilationHeight) * w.width + left + cols.lo * w.dilationWidth
        var value = -T.infinity
        for i in rows.lo..<rows.hi {
          let row = (top + i * w.dilationHeight) * w.width + left
          for j in cols.lo..<cols.hi {
            let at = row + j * w.dilationWidth
            let candidate = source[at]
            // Never both true (a NaN is not greater), so != is their `or`, without a branch.
            let wins = (candidate > value) != (candidate != candidate)
            value = wins ? candidate : value
            index = wins ? at : index
          }
        }
        y[oh * w.outWidth + ow] = value
        best[oh * w.outWidth + ow] = Int64(index)
      }
    }
  }

  /// Every window inside the image, no dilation: no bounds to work out. Starting from the
  /// first tap instead of −∞ gives PyTorch's result (−∞ there keeps its default index).
  private func insidePlane<T: FloatScalar>(
    _ source: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
    _ best: UnsafeMutablePointer<Int64>
  ) {
    let w = window
    var target = 0
    for oh in 0..<w.outHeight {
      let top = oh * w.strideHeight * w.width
      for ow in 0..<w.outWidth {
        let first = top + ow * w.strideWidth
        var (index, value) = (first, source[first])
        for i in 0..<w.kernelHeight {
          for j in 0..<w.kernelWidth where i != 0 || j != 0 {
            let at = first + i * w.width + j
            let candidate = source[at]
            let wins = (candidate > value) != (candidate != candidate)
            value = wins ? candidate : value
            index = wins ? at : index
          }
        }
        y[target] = value
        best[target] = Int64(index)
        target += 1
      }
    }
  }

  /// 2×2 windows with stride 2 in float32, eight (then four) outputs at a time without
  /// branches: the maximum of a row pair's even and odd elements and the tap that won.
  private func pairsPlane(
    _ source: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    _ best: UnsafeMutablePointer<Int64>
  ) {
    let w = window
    let (width, outWidth) = (w.width, w.outWidth)
    var target = 0
    for oh in 0..<w.outHeight {
      let top = 2 * oh * width
      let (upper, lower) = (source + top, source + top + width)
      var ow = 0
      while ow + 8 <= outWidth {
        let first = UnsafeRawPointer(upper + 2 * ow).loadUnaligned(as: SIMD16<Float>.self)
        let second = UnsafeRawPointer(lower + 2 * ow).loadUnaligned(as: SIMD16<Float>.self)
        let (value, tap) = Self.maxima(
          first.evenHalf, first.oddHalf, second.evenHalf, second.oddHalf, SIMD8<Int32>.self)
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
        let (value, tap) = Self.maxima(
          first.evenHalf, first.oddHalf, second.evenHalf, second.oddHalf, SIMD4<Int32>.self)
        UnsafeMutableRawPointer(y + target).storeBytes(of: value, as: SIMD4<Float>.self)
        for lane in 0..<4 {
          let code = Int(tap[lane])
          best[target + lane] = Int64(top + 2 * (ow + lane) + (code & 1) + (code >> 1) * width)
        }
        ow += 4
        target += 4
      }
      while ow < outWidth {
        let first = top + 2 * ow
        var (index, value) = (first, source[first])
        @inline(__always) func consider(_ at: Int) {
          let candidate = source[at]
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

  /// Lane-wise maximum of four taps in order, with the number of the tap that won.
  @inline(__always)
  private static func maxima<V: SIMD, C: SIMD>(_ a: V, _ b: V, _ c: V, _ d: V, _: C.Type) -> (
    V, C
  ) where V.Scalar == Float, C.Scalar == Int32, V.MaskStorage == C.MaskStorage {
    var value = a
    var tap = C(repeating: 0)
    @inline(__always) func consider(_ candidate: V, _ code: Int32) {
      let wins = (candidate .> value) .| (candidate .!= candidate)
      value.replace(with: candidate, where: wins)
      tap.replace(with: code, where: wins)
    }
    consider(b, 1)
    consider(c, 2)
    consider(d, 3)
    return (value, tap)
  }
}
