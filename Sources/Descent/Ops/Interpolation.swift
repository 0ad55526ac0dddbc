/// `interpolate` (`F.interpolate`) with the nearest-neighbour mode, on `[N, C, L]` and
/// `[N, C, H, W]` inputs, choosing each output's source exactly as PyTorch's CPU kernel does
/// (in float, from the scale factor when one is given). Recorded as
/// `UpsampleNearest1DBackward0` / `UpsampleNearest2DBackward0`.

/// How `interpolate` and `Upsample` compute the new values.
public enum InterpolationMode: String, Sendable {
  /// Each output copies the input nearest below its position (`mode='nearest'`).
  case nearest
}

/// Resizes the spatial dimensions of `[N, C, L]` or `[N, C, H, W]` to `size`, or by
/// `scaleFactor` (output size ⌊size·factor⌋); give exactly one of them.
public func interpolate(
  _ input: Tensor, size: (any SpatialArgument)? = nil, scaleFactor: Double? = nil,
  mode: InterpolationMode = .nearest
) -> Tensor {
  Tensor.op(input) { () throws(OpError) in
    try nearestInterpolation(
      input, size: size?.spatialValues, scaleFactor: scaleFactor, op: "interpolate")
  }
}

/// Nearest interpolation, checked as PyTorch checks it.
func nearestInterpolation(_ input: Tensor, size: [Int]?, scaleFactor: Double?, op: String)
  throws(OpError) -> Tensor
{
  guard size == nil || scaleFactor == nil else {
    throw OpError(op, "only one of size or scale_factor should be defined")
  }
  guard size != nil || scaleFactor != nil else {
    throw OpError(op, "either size or scale_factor should be defined")
  }
  guard input.rank == 3 || input.rank == 4 else {
    throw OpError(
      op,
      "Input Error: Only 3D and 4D input Tensors supported (got \(input.rank)D) for the mode nearest (input \(shapeText(input.shape)))"
    )
  }
  try requireFloatInput(input, op: op, kernel: "upsample_nearest\(input.rank - 2)d")
  let spatial = Array(input.shape.dropFirst(2))
  var outSizes: [Int]
  var scales: [Double?] = [nil, nil]
  if let size {
    guard size.count == 1 || size.count == spatial.count else {
      throw OpError(
        op,
        "Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of \(shapeText(spatial)) and output size of \(tupleText(size)). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
      )
    }
    outSizes = size.count == 1 ? [Int](repeating: size[0], count: spatial.count) : size
  } else {
    let factor = scaleFactor!
    outSizes = spatial.map { Int((Double($0) * factor).rounded(.down)) }
    scales = [factor, factor]
  }
  guard outSizes.allSatisfy({ $0 > 0 }) && spatial.allSatisfy({ $0 > 0 }) else {
    let names = spatial.count == 1 ? ["W"] : ["H", "W"]
    func list(_ values: [Int]) -> String {
      zip(names, values).map { "\($0): \($1)" }.joined(separator: ", ")
    }
    throw OpError(
      op,
      "Input and output sizes should be greater than 0, but got input (\(list(spatial))) output (\(list(outSizes)))"
    )
  }
  // 1-D inputs are planes of height 1.
  let (height, width) = spatial.count == 1 ? (1, spatial[0]) : (spatial[0], spatial[1])
  let (outHeight, outWidth) = outSizes.count == 1 ? (1, outSizes[0]) : (outSizes[0], outSizes[1])
  let rows = (0..<outHeight).map {
    nearestSource($0, input: height, output: outHeight, scale: spatial.count == 1 ? nil : scales[0])
  }
  let columns = (0..<outWidth).map {
    nearestSource($0, input: width, output: outWidth, scale: scales[spatial.count == 1 ? 0 : 1])
  }
  let planes = input.shape[0] * input.shape[1]
  let map = NearestMap(
    planes: planes, height: height, width: width, rows: rows, columns: columns)
  let out = input.dtype.dispatchFloat(
    NearestForward(
      input: input.dense(), map: map, outShape: [input.shape[0], input.shape[1]] + outSizes))
  let inputShape = input.shape
  record("UpsampleNearest\(spatial.count)DBackward0", out, input) { g in
    if GradMode.isEnabled {
      func axis(_ sources: [Int], _ size: Int) -> AxisMap {
        AxisMap(outputs: sources.count, inputs: size, rows: sources.map { ($0, $0 + 1, 1) })
      }
      let g4 = g.reshaped([inputShape[0], inputShape[1], outHeight, outWidth])
      return separableAdjoint(
        g4, rows: axis(rows, height), columns: axis(columns, width), inputShape: inputShape)
    }
    return g.dtype.dispatchFloat(
      NearestBackward(gradient: g.dense(), map: map, outShape: inputShape))
  }
  return out
}

/// PyTorch's `nearest_idx`: the same index for an equal size, half of it for a double size,
/// else ⌊index·scale⌋ in float, with scale 1/factor when a factor was given.
func nearestSource(_ index: Int, input: Int, output: Int, scale factor: Double?) -> Int {
  if output == input { return index }
  if output == 2 * input { return index >> 1 }
  let scale: Float =
    (factor.map { $0 > 0 } ?? false) ? Float(1.0 / factor!) : Float(input) / Float(output)
  return Swift.min(Int((Float(index) * scale).rounded(.down)), input - 1)
}

/// Which input row and column each output copies.
struct NearestMap {
  let planes: Int
  let height: Int
  let width: Int
  let rows: [Int]
  let columns: [Int]

  /// Runs `body` for every output row in order, with where it starts in the output and where
  /// the input row it copies starts in the input.
  @inline(__always)
  func forEachRow(_ body: (_ output: Int, _ input: Int) -> Void) {
    var output = 0
    for p in 0..<planes {
      for ih in rows {
        body(output, (p * height + ih) * width)
        output += columns.count
      }
    }
  }
}

private struct NearestForward: FloatRoutine {
  let input: Tensor
  let map: NearestMap
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let m = map
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let (x, y) = (input.pointer(T.self), out.pointer(T.self))
    m.forEachRow { outputStart, inputStart in
      let (target, row) = (y + outputStart, x + inputStart)
      for (ow, iw) in m.columns.enumerated() { target[ow] = row[iw] }
    }
    return out
  }
}

private struct NearestBackward: FloatRoutine {
  let gradient: Tensor
  let map: NearestMap
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let m = map
    let out = Tensor.zeros(outShape, dtype: T.dtype)
    let (g, gx) = (gradient.pointer(T.self), out.pointer(T.self))
    m.forEachRow { outputStart, inputStart in
      let (source, row) = (g + outputStart, gx + inputStart)
      for (ow, iw) in m.columns.enumerated() { row[iw] += source[ow] }
    }
    return out
  }
}
