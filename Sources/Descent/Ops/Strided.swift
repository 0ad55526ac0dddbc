/// Strided iteration: the one loop every elementwise kernel runs on when its operands are not
/// plain contiguous arrays (broadcast, transposed or sliced views).

/// Strides of `shape` seen as broadcast to `target`: 0 along broadcast and missing dimensions.
func broadcastStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int] {
  var result = [Int](repeating: 0, count: target.count)
  let shift = target.count - shape.count
  for axis in 0..<shape.count where shape[axis] != 1 {
    result[axis + shift] = strides[axis]
  }
  return result
}

/// The shape two operands broadcast to (NumPy rules), or a stop naming the op and both shapes.
func broadcastShapes(_ a: [Int], _ b: [Int], op: String) -> [Int] {
  if a == b { return a }
  // The usual case, a bias or a scalar against a batch, returns the larger shape as it is,
  // without building another array.
  if fitsWithin(b, a) { return a }
  if fitsWithin(a, b) { return b }
  let rank = max(a.count, b.count)
  var result = [Int](repeating: 1, count: rank)
  for axis in 0..<rank {
    let da = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
    let db = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
    if da == db || db == 1 {
      result[axis] = da
    } else if da == 1 {
      result[axis] = db
    } else {
      opFailure(
        op,
        "The size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton dimension \(axis); shapes \(shapeText(a)) and \(shapeText(b)) do not broadcast. Reshape or unsqueeze one operand so that each dimension is equal or 1."
      )
    }
  }
  return result
}

/// True when `small` broadcasts to `large` without changing it.
@inline(__always)
private func fitsWithin(_ small: [Int], _ large: [Int]) -> Bool {
  guard small.count <= large.count else { return false }
  let shift = large.count - small.count
  for axis in 0..<small.count where small[axis] != 1 && small[axis] != large[axis + shift] {
    return false
  }
  return true
}

/// Visits every index of `shape` in row-major order; `body(i, offsetA, offsetB)` gets the linear
/// index and each operand's element offset.
@inline(__always)
func forEachOffset(
  shape: [Int], stridesA: [Int], baseA: Int, stridesB: [Int], baseB: Int,
  _ body: (Int, Int, Int) -> Void
) {
  let rank = shape.count
  if rank == 0 {
    body(0, baseA, baseB)
    return
  }
  let total = shape.reduce(1, *)
  if total == 0 { return }
  let inner = shape[rank - 1]
  let innerA = stridesA[rank - 1]
  let innerB = stridesB[rank - 1]
  var counters = [Int](repeating: 0, count: rank)
  var offsetA = baseA
  var offsetB = baseB
  var linear = 0
  for _ in 0..<(total / inner) {
    var a = offsetA
    var b = offsetB
    for _ in 0..<inner {
      body(linear, a, b)
      linear += 1
      a += innerA
      b += innerB
    }
    var axis = rank - 2
    while axis >= 0 {
      counters[axis] += 1
      offsetA += stridesA[axis]
      offsetB += stridesB[axis]
      if counters[axis] < shape[axis] { break }
      offsetA -= stridesA[axis] * shape[axis]
      offsetB -= stridesB[axis] * shape[axis]
      counters[axis] = 0
      axis -= 1
    }
  }
}

/// A new contiguous tensor `f(x)` elementwise; `x` must already hold `T`.
@inline(__always)
func mapUnary<T: TensorScalar, R: TensorScalar>(
  _ x: Tensor, _: T.Type, _: R.Type, _ f: (T) -> R
) -> Tensor {
  let dense = x.isContiguous
  let out = Tensor(
    uninitializedShape: x.shape, dtype: R.dtype, sharingStrides: dense ? x.strides : nil)
  let source = x.pointer(T.self)
  let target = out.pointer(R.self)
  if dense {
    for i in 0..<x.count { target[i] = f(source[i]) }
  } else {
    forEachOffset(shape: x.shape, stridesA: x.strides, baseA: 0, stridesB: x.strides, baseB: 0) {
      i, a, _ in target[i] = f(source[a])
    }
  }
  return out
}

/// A new contiguous tensor `f(a, b)` with broadcasting; both operands must already hold `T`.
@inline(__always)
func mapBinary<T: TensorScalar, R: TensorScalar>(
  _ a: Tensor, _ b: Tensor, _: T.Type, _: R.Type, op: String, _ f: (T, T) -> R
) -> Tensor {
  let shape = broadcastShapes(a.shape, b.shape, op: op)
  let aDense = a.isContiguous
  let bDense = b.isContiguous
  let reusable =
    aDense && a.shape == shape ? a.strides : (bDense && b.shape == shape ? b.strides : nil)
  let out = Tensor(uninitializedShape: shape, dtype: R.dtype, sharingStrides: reusable)
  let pa = a.pointer(T.self)
  let pb = b.pointer(T.self)
  let target = out.pointer(R.self)
  let n = out.count
  if aDense && bDense && a.count == n && b.count == n {
    for i in 0..<n { target[i] = f(pa[i], pb[i]) }
  } else if (b.count == 1 || b.isBroadcastScalar) && aDense && a.count == n {
    let scalar = pb[0]
    for i in 0..<n { target[i] = f(pa[i], scalar) }
  } else if (a.count == 1 || a.isBroadcastScalar) && bDense && b.count == n {
    let scalar = pa[0]
    for i in 0..<n { target[i] = f(scalar, pb[i]) }
  } else {
    let sa = broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
    let sb = broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
    forEachOffset(shape: shape, stridesA: sa, baseA: 0, stridesB: sb, baseB: 0) { i, oa, ob in
      target[i] = f(pa[oa], pb[ob])
    }
  }
  return out
}

extension Tensor {
  /// True for one value seen at every index (all strides 0), as `expand` makes of a scalar
  /// gradient: kernels read it as a number.
  var isBroadcastScalar: Bool {
    for stride in strides where stride != 0 { return false }
    return count > 0
  }

  /// This tensor's data as a contiguous tensor of the same dtype: itself when already
  /// contiguous, else a copy. No autograd: kernels use it to read their operands.
  func dense() -> Tensor {
    if isContiguous { return self }
    switch dtype {
    case .float32: return mapUnary(self, Float.self, Float.self) { $0 }
    case .float64: return mapUnary(self, Double.self, Double.self) { $0 }
    case .int64: return mapUnary(self, Int64.self, Int64.self) { $0 }
    case .bool: return mapUnary(self, Bool.self, Bool.self) { $0 }
    }
  }

  /// A copy converted to `target` (no autograd; `to(_:)` is the differentiable form).
  func converted(to target: DType) -> Tensor {
    if target == dtype { return self }
    func convert<S: TensorScalar>(_: S.Type) -> Tensor {
      switch target {
      case .float32: return mapUnary(self, S.self, Float.self) { Float(fromDouble: $0.asDouble) }
      case .float64: return mapUnary(self, S.self, Double.self) { $0.asDouble }
      case .int64: return mapUnary(self, S.self, Int64.self) { Int64(fromDouble: $0.asDouble) }
      case .bool: return mapUnary(self, S.self, Bool.self) { $0.asDouble != 0 }
      }
    }
    switch dtype {
    case .float32: return convert(Float.self)
    case .float64: return convert(Double.self)
    case .int64:
      // Int64 → Int64 never reaches here; Int64 → float goes through Double, exact up to 2^53.
      return convert(Int64.self)
    case .bool: return convert(Bool.self)
    }
  }
}
