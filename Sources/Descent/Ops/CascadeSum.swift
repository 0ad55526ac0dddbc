/// Floating-point sums added in PyTorch's order, so that a sum, a mean, or a gradient reduced
/// over broadcast dimensions rounds exactly as PyTorch's does on one thread (the course notes
/// print `B.grad = tensor(2.0000)`: the float32 sum of five gradients is 2.0000002, not 2).
///
/// PyTorch's CPU `cascade_sum` adds in the element type. A row is read as rows of four
/// elements (four accumulators, for instruction-level parallelism) whose partial sums cascade
/// through four levels: every `2^p` rows the lowest level is added into the next, and so on,
/// so that only numbers of similar size meet. A contiguous row of at least one vector is read
/// as vectors (8 floats or 4 doubles, the 32-byte vectors of its sum kernel on AVX2 and
/// AVX-512 alike); a reduction over the outer axis of a matrix reads 4 or 16 columns at once.

/// A value the cascade adds: a scalar, or a vector of lanes added lane by lane.
protocol CascadeSummand {
  static var zero: Self { get }
  /// a + b (a named function: an operator requirement would slow type-checking everywhere).
  static func adding(_ a: Self, _ b: Self) -> Self
}

/// A float type with the vector PyTorch's sum kernel reads it in (every `FloatScalar` is one).
protocol CascadeScalar: CascadeSummand {
  associatedtype Vector: CascadeSummand
  /// Elements per vector.
  static var lanes: Int { get }
  static func vector(at pointer: UnsafePointer<Self>) -> Vector
  static func lane(_ vector: Vector, _ index: Int) -> Self
  /// The vector of `make(0)`, `make(1)`, … `make(lanes − 1)`.
  static func vector(_ make: (Int) -> Self) -> Vector
}

extension SIMD8<Float>: CascadeSummand {
  @inline(__always) static func adding(_ a: Self, _ b: Self) -> Self { a + b }
}
extension SIMD4<Double>: CascadeSummand {
  @inline(__always) static func adding(_ a: Self, _ b: Self) -> Self { a + b }
}

extension Float: CascadeScalar {
  @inline(__always) static func adding(_ a: Float, _ b: Float) -> Float { a + b }
  static var lanes: Int { 8 }
  @inline(__always) static func vector(at pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }
  @inline(__always) static func lane(_ vector: SIMD8<Float>, _ index: Int) -> Float {
    vector[index]
  }
  @inline(__always) static func vector(_ make: (Int) -> Float) -> SIMD8<Float> {
    SIMD8(make(0), make(1), make(2), make(3), make(4), make(5), make(6), make(7))
  }
}

extension Double: CascadeScalar {
  @inline(__always) static func adding(_ a: Double, _ b: Double) -> Double { a + b }
  static var lanes: Int { 4 }
  @inline(__always) static func vector(at pointer: UnsafePointer<Double>) -> SIMD4<Double> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
  }
  @inline(__always) static func lane(_ vector: SIMD4<Double>, _ index: Int) -> Double {
    vector[index]
  }
  @inline(__always) static func vector(_ make: (Int) -> Double) -> SIMD4<Double> {
    SIMD4(make(0), make(1), make(2), make(3))
  }
}

/// Four running sums, one per row of four read at once.
struct Quad<V: CascadeSummand> {
  var a = V.zero, b = V.zero, c = V.zero, d = V.zero

  @inline(__always) mutating func add(_ o: Quad) {
    a = V.adding(a, o.a)
    b = V.adding(b, o.b)
    c = V.adding(c, o.c)
    d = V.adding(d, o.d)
  }

  /// ((a + b) + c) + d.
  @inline(__always) var total: V { V.adding(V.adding(V.adding(a, b), c), d) }
}

/// The four levels of partial sums over `size` rows of four values.
struct Cascade<V: CascadeSummand> {
  let power: Int
  var levels = (Quad<V>(), Quad<V>(), Quad<V>(), Quad<V>())

  init(rows size: Int) {
    let log2 = size <= 2 ? 1 : Int.bitWidth - (size - 1).leadingZeroBitCount
    power = Swift.max(4, log2 / 4)
  }

  /// Rows in one block of the top level: blocks this large can be summed apart and added in
  /// order, with the same result as one pass.
  var topBlock: Int { 1 << (3 * power) }

  /// Adds rows `range` (global row numbers; the range starts on a block of `2^power` rows).
  @inline(__always)
  mutating func add(rows range: Range<Int>, _ row: (Int) -> Quad<V>) {
    let step = 1 << power
    let mask = step - 1
    var i = range.lowerBound
    while i + step <= range.upperBound {
      for _ in 0..<step {
        levels.0.add(row(i))
        i += 1
      }
      levels.1.add(levels.0)
      levels.0 = Quad()
      if i & (mask << power) != 0 { continue }
      levels.2.add(levels.1)
      levels.1 = Quad()
      if i & (mask << (2 * power)) != 0 { continue }
      levels.3.add(levels.2)
      levels.2 = Quad()
    }
    while i < range.upperBound {
      levels.0.add(row(i))
      i += 1
    }
  }

  /// The four sums: the lowest level plus each higher one, in order.
  @inline(__always) var result: Quad<V> {
    var sum = levels.0
    sum.add(levels.1)
    sum.add(levels.2)
    sum.add(levels.3)
    return sum
  }
}

/// The cascade over `size` rows of four; rows in whole top-level blocks are summed on the
/// thread pool when there are many, each block alone and the blocks then added in order,
/// which gives the one-pass result for any thread count.
@inline(__always)
func cascadeRows<V: CascadeSummand>(_ size: Int, parallel: Bool, _ row: (Int) -> Quad<V>) -> Quad<V>
{
  var cascade = Cascade<V>(rows: size)
  let block = cascade.topBlock
  var start = 0
  if parallel && size >= 4 * block {
    let blocks = size / block
    let sums = parallelChunks(blocks, chunk: 1) { range -> Quad<V> in
      var part = Cascade<V>(rows: size)
      part.add(rows: (range.lowerBound * block)..<(range.upperBound * block), row)
      return part.levels.3
    }
    for sum in sums { cascade.levels.3.add(sum) }
    start = blocks * block
  }
  cascade.add(rows: start..<size, row)
  return cascade.result
}

/// PyTorch's `row_sum`: `count` values read as rows of four, then the leftovers into the first
/// sum, then the four sums added.
@inline(__always)
func cascadeRowSum<V: CascadeSummand>(_ count: Int, parallel: Bool = false, _ value: (Int) -> V)
  -> V
{
  let rows = count / 4
  var sums = cascadeRows(rows, parallel: parallel) { i in
    Quad(a: value(4 * i), b: value(4 * i + 1), c: value(4 * i + 2), d: value(4 * i + 3))
  }
  for k in (4 * rows)..<count { sums.a = V.adding(sums.a, value(k)) }
  return sums.total
}

extension CascadeScalar {
  /// The sum of `count` contiguous values, as PyTorch sums a contiguous row.
  static func cascadeSum(_ x: UnsafePointer<Self>, count: Int, parallel: Bool = false) -> Self {
    cascadeSum(
      count, parallel: parallel, vectors: { vector(at: x + $0 * lanes) }, values: { x[$0] })
  }

  /// The sum of `value(0)`, … `value(count − 1)` in the order of a contiguous row: a fused
  /// reduction that never stores its terms.
  static func cascadeSum(count: Int, _ value: (Int) -> Self) -> Self {
    cascadeSum(
      count, parallel: false, vectors: { v in vector { value(v * lanes + $0) } }, values: value)
  }

  /// PyTorch's `vectorized_inner_sum`: whole vectors by the cascade, then the leftover values
  /// and the vector's lanes into one scalar, in order. Rows shorter than a vector are summed
  /// as scalars.
  @inline(__always)
  private static func cascadeSum(
    _ count: Int, parallel: Bool, vectors: (Int) -> Vector, values: (Int) -> Self
  ) -> Self {
    guard count >= lanes else { return cascadeRowSum(count, values) }
    let whole = count / lanes
    let sums = cascadeRowSum(whole, parallel: parallel, vectors)
    var total = Self.zero
    for k in (whole * lanes)..<count { total = adding(total, values(k)) }
    for k in 0..<lanes { total = adding(total, lane(sums, k)) }
    return total
  }

  /// The sums of columns `columns` of the contiguous `[n, width]` matrix at `x` over its rows,
  /// into `out` (indexed by column), as PyTorch reduces over an outer axis. PyTorch reads the
  /// first columns four vectors (or, in a narrow matrix, four columns) at a time, each summed
  /// down the rows by the cascade; the columns left over are summed by `row_sum`, four rows at
  /// a time. Each column's order depends only on which of the two it falls in, so any range of
  /// columns can be summed apart.
  static func cascadeColumnSums(
    _ x: UnsafePointer<Self>, rows n: Int, width: Int, columns: Range<Int>,
    into out: UnsafeMutablePointer<Self>
  ) {
    let group = width >= lanes ? 4 * lanes : 4
    let cascaded = width / group * group
    var j = columns.lowerBound
    // The cascaded columns: a vector per row of a Quad where four vectors fit, else scalars.
    while j + 4 * lanes <= Swift.min(columns.upperBound, cascaded) {
      let base = x + j
      let sums = cascadeRows(n, parallel: false) { i in
        let row = base + i * width
        return Quad(
          a: vector(at: row), b: vector(at: row + lanes), c: vector(at: row + 2 * lanes),
          d: vector(at: row + 3 * lanes))
      }
      for (index, vector) in [sums.a, sums.b, sums.c, sums.d].enumerated() {
        for k in 0..<lanes { out[j + index * lanes + k] = lane(vector, k) }
      }
      j += 4 * lanes
    }
    while j < Swift.min(columns.upperBound, cascaded) {
      let base = x + j
      let sums = cascadeRows(n, parallel: false) { i in Quad(a: base[i * width]) }
      out[j] = sums.a
      j += 1
    }
    // The rest: `row_sum` down each column, a vector of columns at a time where one fits.
    while j + lanes <= columns.upperBound {
      let base = x + j
      let sums = cascadeRowSum(n) { vector(at: base + $0 * width) }
      for k in 0..<lanes { out[j + k] = lane(sums, k) }
      j += lanes
    }
    while j < columns.upperBound {
      let base = x + j
      out[j] = cascadeRowSum(n) { base[$0 * width] }
      j += 1
    }
  }
}
