/// The loops every elementwise kernel runs in: a plain loop over dense operands, a scalar
/// operand read once, and strided iteration for broadcast, transposed or sliced views.

/// Elements per thread from which an elementwise loop is split over the thread pool: about
/// 20 µs of a memory-bound float32 loop, which pays for waking the pool's workers (see the
/// break-evens of `descent-bench threads`). Below twice this a loop stays on the calling thread,
/// so the small tensors of a training step never wait for a wake-up. Every element is computed
/// by the same kernel whichever thread runs it, so results are bit-identical for any thread count.
let elementwiseGrain = 1 << 16

/// Runs `body` over `0..<count`: in one call on the calling thread for small counts, else split
/// over the thread pool in ranges of whole multiples of `grain` (`parallelFor`).
@inline(__always)
func splitRanges(_ count: Int, grain: Int = elementwiseGrain, _ body: (Range<Int>) -> Void) {
  if count < 2 * grain {
    body(0..<count)
  } else {
    parallelFor(count, grain: grain, body)
  }
}

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
func broadcastShapes(_ a: [Int], _ b: [Int], op: String) throws(OpError) -> [Int] {
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
      throw OpError(
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

/// True when `small`, without its leading 1s, is the trailing part of `large` (and has
/// elements): a row that broadcasting repeats over `large`'s leading dimensions.
@inline(__always)
func isRowBlock(_ small: [Int], of large: [Int]) -> Bool {
  var start = 0
  while start < small.count && small[start] == 1 { start += 1 }
  let length = small.count - start
  guard length <= large.count, small.count > 0 || large.isEmpty else { return false }
  var elements = 1
  for i in 0..<length {
    let size = small[start + i]
    guard size == large[large.count - length + i] else { return false }
    elements &*= size
  }
  return elements > 0
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
    splitRanges(x.count) { range in
      for i in range { target[i] = f(source[i]) }
    }
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
) throws(OpError) -> Tensor {
  mapBinary(a, b, to: try broadcastShapes(a.shape, b.shape, op: op), T.self, R.self, f)
}

/// `mapBinary` to a broadcast shape the caller has already checked.
@inline(__always)
func mapBinary<T: TensorScalar, R: TensorScalar>(
  _ a: Tensor, _ b: Tensor, to shape: [Int], _: T.Type, _: R.Type, _ f: (T, T) -> R
) -> Tensor {
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
    splitRanges(n) { range in
      for i in range { target[i] = f(pa[i], pb[i]) }
    }
  } else if (b.count == 1 || b.isBroadcastScalar) && aDense && a.count == n {
    let scalar = pb[0]
    splitRanges(n) { range in
      for i in range { target[i] = f(pa[i], scalar) }
    }
  } else if (a.count == 1 || a.isBroadcastScalar) && bDense && b.count == n {
    let scalar = pa[0]
    splitRanges(n) { range in
      for i in range { target[i] = f(scalar, pb[i]) }
    }
  } else if aDense && a.count == n && bDense && isRowBlock(b.shape, of: shape) {
    // A bias against a batch: the same row for every row, a plain loop each; split by rows.
    let m = b.count
    splitRanges(n / m, grain: Swift.max(1, elementwiseGrain / m)) { rows in
      for row in rows {
        let base = row * m
        for j in 0..<m { target[base + j] = f(pa[base + j], pb[j]) }
      }
    }
  } else {
    let sa = broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
    let sb = broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
    forEachOffset(shape: shape, stridesA: sa, baseA: 0, stridesB: sb, baseB: 0) { i, oa, ob in
      target[i] = f(pa[oa], pb[ob])
    }
  }
  return out
}

/// `target[i] = f(target[i], source[i])` over `target`'s own elements, in place; `source`
/// (of type `T`) is already broadcast-compatible with `target`'s shape.
@inline(__always)
func updateElements<T>(_ target: Tensor, with source: Tensor, _: T.Type, _ f: (T, T) -> T) {
  let x = target.pointer(T.self)
  let y = UnsafePointer(source.pointer(T.self))
  let n = target.count
  if target.isContiguous && source.isContiguous && source.count == n {
    splitRanges(n) { range in
      for i in range { x[i] = f(x[i], y[i]) }
    }
  } else if target.isContiguous && (source.count == 1 || source.isBroadcastScalar) {
    let value = y[0]
    splitRanges(n) { range in
      for i in range { x[i] = f(x[i], value) }
    }
  } else if target.isContiguous && source.isContiguous && isRowBlock(source.shape, of: target.shape)
  {
    let m = source.count
    splitRanges(n / m, grain: Swift.max(1, elementwiseGrain / m)) { rows in
      for row in rows {
        let line = x + row * m
        for j in 0..<m { line[j] = f(line[j], y[j]) }
      }
    }
  } else {
    let sourceStrides = broadcastStrides(
      shape: source.shape, strides: source.strides, to: target.shape)
    forEachOffset(
      shape: target.shape, stridesA: target.strides, baseA: 0, stridesB: sourceStrides, baseB: 0
    ) { _, a, b in x[a] = f(x[a], y[b]) }
  }
}

/// `target[i] = f(target[i])` over `target`'s own elements, in place.
@inline(__always)
func updateElements<T>(_ target: Tensor, _: T.Type, _ f: (T) -> T) {
  let x = target.pointer(T.self)
  if target.isContiguous {
    splitRanges(target.count) { range in
      for i in range { x[i] = f(x[i]) }
    }
  } else {
    forEachOffset(
      shape: target.shape, stridesA: target.strides, baseA: 0, stridesB: target.strides, baseB: 0
    ) { _, a, _ in x[a] = f(x[a]) }
  }
}

extension Tensor {
  /// True for one value seen at every index (all strides 0), as `expand` makes of a scalar
  /// gradient: kernels read it as a number.
  var isBroadcastScalar: Bool {
    for stride in strides where stride != 0 { return false }
    return count > 0
  }
}
