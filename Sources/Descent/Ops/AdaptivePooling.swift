/// Adaptive pooling (`F.adaptive_avg_pool2d`, `F.adaptive_max_pool2d`): windows chosen so that
/// the output has a given size, output `o` of `n` covering inputs ⌊o·H/n⌋ ..< ⌈(o+1)·H/n⌉.
/// An average to 1×1 is a mean over the plane, as in PyTorch (recorded as `MeanBackward1`).

/// Adaptive average pooling of `[N, C, H, W]` or `[C, H, W]` to `outputSize` (`1` or
/// `[h, w]`).
public func adaptiveAvgPool2d(_ input: Tensor, _ outputSize: any SpatialArgument) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    try adaptiveAveragePooling(input, outputSize.spatialValues, op: "adaptive_avg_pool2d")
  }
}

/// Adaptive max pooling of `[N, C, H, W]` or `[C, H, W]` to `outputSize`.
public func adaptiveMaxPool2d(_ input: Tensor, _ outputSize: any SpatialArgument) -> Tensor {
  adaptiveMaxPool2dWithIndices(input, outputSize).values
}

/// Adaptive max pooling that also returns the index `h·W + w` of each maximum in its plane.
public func adaptiveMaxPool2dWithIndices(_ input: Tensor, _ outputSize: any SpatialArgument)
  -> (values: Tensor, indices: Tensor)
{
  Tensor.op([input], placeholder: (Tensor.poisoned(input.dtype), Tensor.poisoned(.int64))) {
    () throws(OpError) in
    try adaptiveMaxPooling(input, outputSize.spatialValues, op: "adaptive_max_pool2d")
  }
}

/// The checked output size of an adaptive pooling and the input's planes.
private func adaptiveSize(_ input: Tensor, _ size: [Int], kind: String, op: String)
  throws(OpError) -> (size: [Int], planes: Int)
{
  guard size.count == 1 || size.count == 2 else {
    throw OpError(op, "\(kind): output_size must be 2 (got \(shapeText(size)))")
  }
  let size = size.count == 1 ? [size[0], size[0]] : size
  guard input.rank == 3 || input.rank == 4 else {
    throw OpError(
      op,
      "\(kind)(): Expected 3D or 4D tensor, but got\(kind.hasPrefix("adaptive_max") ? ":" : "") \(shapeText(input.shape))"
    )
  }
  let nonBatch = input.rank == 4 ? Array(1..<4) : Array(0..<3)
  if let d = nonBatch.first(where: { input.shape[$0] == 0 }) {
    throw OpError(
      op,
      "\(kind)(): Expected input to have non-zero size for non-batch dimensions, but input has sizes \(shapeText(input.shape)) with dimension \(d) being empty"
    )
  }
  guard size.allSatisfy({ $0 >= 0 }) else {
    throw OpError(
      op,
      "\(kind): elements of output_size must be greater than or equal to 0 but received {\(size[0]), \(size[1])}"
    )
  }
  try requireFloatInput(input, op: op, kernel: kind)
  let plane = input.shape[input.rank - 2] * input.shape[input.rank - 1]
  return (size, input.count / plane)
}

/// Adaptive average pooling, checked, recorded as `AdaptiveAvgPool2DBackward0`.
func adaptiveAveragePooling(_ input: Tensor, _ requested: [Int], op: String) throws(OpError)
  -> Tensor
{
  let (size, planes) = try adaptiveSize(input, requested, kind: "adaptive_avg_pool2d", op: op)
  if size == [1, 1] { return input.mean(dims: [-2, -1], keepDim: true) }
  let (height, width) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
  let outShape = Array(input.shape.dropLast(2)) + size
  let pooling = AdaptiveAverage(
    planes: planes, height: height, width: width, outHeight: size[0], outWidth: size[1])
  let out = input.dtype.dispatchFloat(
    AdaptiveAverageForward(input: input.dense(), pooling: pooling, outShape: outShape))
  let inputShape = input.shape
  record("AdaptiveAvgPool2DBackward0", out, input) { g in
    if GradMode.isEnabled {
      return separableAdjoint(
        g, rows: adaptiveAveragingMap(outputs: size[0], size: height),
        columns: adaptiveAveragingMap(outputs: size[1], size: width), inputShape: inputShape)
    }
    return g.dtype.dispatchFloat(
      AdaptiveAverageBackward(gradient: g.dense(), pooling: pooling, outShape: inputShape))
  }
  return out
}

/// Adaptive max pooling, checked, recorded as `AdaptiveMaxPool2DBackward0`.
func adaptiveMaxPooling(_ input: Tensor, _ requested: [Int], op: String) throws(OpError)
  -> (values: Tensor, indices: Tensor)
{
  let (size, planes) = try adaptiveSize(input, requested, kind: "adaptive_max_pool2d", op: op)
  let (height, width) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
  let outShape = Array(input.shape.dropLast(2)) + size
  let pooling = AdaptiveAverage(
    planes: planes, height: height, width: width, outHeight: size[0], outWidth: size[1])
  let (out, indices) = input.dtype.dispatchFloat(
    AdaptiveMaxForward(input: input.dense(), pooling: pooling, outShape: outShape))
  let inputShape = input.shape
  let blocks = size[0] * size[1]
  record("AdaptiveMaxPool2DBackward0", out, input) { g in
    if GradMode.isEnabled {
      return Tensor.zeros([planes, height * width], dtype: g.dtype)
        .scatterAdding(1, indices.reshaped([planes, blocks]), g.reshaped([planes, blocks]))
        .reshaped(inputShape)
    }
    return g.dtype.dispatchFloat(
      MaxPoolBackward(
        gradient: g.dense(), indices: indices, planes: planes, plane: height * width,
        blocks: blocks, outShape: inputShape))
  }
  return (out, indices)
}

/// The sizes of an adaptive pooling.
struct AdaptiveAverage {
  let planes: Int
  let height: Int
  let width: Int
  let outHeight: Int
  let outWidth: Int

  /// Runs `body` for every window in order: its index among the outputs of a plane and its
  /// rows and columns in the image.
  @inline(__always)
  func forEachWindow(_ body: (_ output: Int, _ rows: Range<Int>, _ cols: Range<Int>) -> Void) {
    for oh in 0..<outHeight {
      let rows = adaptiveRange(oh, outputs: outHeight, size: height)
      for ow in 0..<outWidth {
        let cols = adaptiveRange(ow, outputs: outWidth, size: width)
        body(oh * outWidth + ow, rows.lo..<rows.hi, cols.lo..<cols.hi)
      }
    }
  }
}

/// Each output the mean of its window, summed in order and divided by the window's height,
/// then its width, as PyTorch's kernel does.
private struct AdaptiveAverageForward: FloatRoutine {
  let input: Tensor
  let pooling: AdaptiveAverage
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let p = pooling
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let (x, y) = (input.pointer(T.self), out.pointer(T.self))
    for plane in 0..<p.planes {
      let source = x + plane * p.height * p.width
      let target = y + plane * p.outHeight * p.outWidth
      p.forEachWindow { output, rows, cols in
        var sum = T.zero
        for ih in rows {
          for iw in cols { sum += source[ih * p.width + iw] }
        }
        target[output] = sum / T(rows.count) / T(cols.count)
      }
    }
    return out
  }
}

/// Each output's gradient, divided by its window's height and width, added over the window.
private struct AdaptiveAverageBackward: FloatRoutine {
  let gradient: Tensor
  let pooling: AdaptiveAverage
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let p = pooling
    let out = Tensor.zeros(outShape, dtype: T.dtype)
    let (g, gx) = (gradient.pointer(T.self), out.pointer(T.self))
    for plane in 0..<p.planes {
      let source = g + plane * p.outHeight * p.outWidth
      let target = gx + plane * p.height * p.width
      p.forEachWindow { output, rows, cols in
        let share = source[output] / T(rows.count) / T(cols.count)
        for ih in rows {
          for iw in cols { target[ih * p.width + iw] += share }
        }
      }
    }
    return out
  }
}

/// Each output the maximum of its window (a NaN wins) and its index in the plane.
private struct AdaptiveMaxForward: FloatRoutine {
  let input: Tensor
  let pooling: AdaptiveAverage
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> (values: Tensor, indices: Tensor) {
    let p = pooling
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let indices = Tensor(uninitializedShape: outShape, dtype: .int64)
    let (x, y, best) = (input.pointer(T.self), out.pointer(T.self), indices.pointer(Int64.self))
    for plane in 0..<p.planes {
      let source = x + plane * p.height * p.width
      let base = plane * p.outHeight * p.outWidth
      p.forEachWindow { output, rows, cols in
        var index = rows.lowerBound * p.width + cols.lowerBound
        var value = -T.infinity
        for ih in rows {
          for iw in cols {
            let candidate = source[ih * p.width + iw]
            if candidate > value || candidate.isNaN {
              value = candidate
              index = ih * p.width + iw
            }
          }
        }
        y[base + output] = value
        best[base + output] = Int64(index)
      }
    }
    return (out, indices)
  }
}
