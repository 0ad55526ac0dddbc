import RealModule

/// Element types that support arithmetic: float32, float64 and int64. Integer arithmetic wraps
/// on overflow, as PyTorch's does, instead of trapping.
protocol NumericScalar: TensorScalar, Comparable {
  static var zero: Self { get }
  static func add(_ a: Self, _ b: Self) -> Self
  static func subtract(_ a: Self, _ b: Self) -> Self
  static func multiply(_ a: Self, _ b: Self) -> Self
  static func divide(_ a: Self, _ b: Self) -> Self
  /// The accumulator a reduction sums in: Double for floats (PyTorch sums float32 pairwise;
  /// summing in Double is at least as accurate), Int64 for integers.
  associatedtype Accumulator: NumericScalar
  var accumulated: Accumulator { get }
  init(accumulated: Accumulator)
}

/// Floating-point element types: the ones autograd differentiates.
protocol FloatScalar: NumericScalar, Real, BinaryFloatingPoint {}

extension Float: NumericScalar, FloatScalar {
  @inline(__always) static func add(_ a: Float, _ b: Float) -> Float { a + b }
  @inline(__always) static func subtract(_ a: Float, _ b: Float) -> Float { a - b }
  @inline(__always) static func multiply(_ a: Float, _ b: Float) -> Float { a * b }
  @inline(__always) static func divide(_ a: Float, _ b: Float) -> Float { a / b }
  @inline(__always) var accumulated: Double { Double(self) }
  @inline(__always) init(accumulated: Double) { self = Float(accumulated) }
}

extension Double: NumericScalar, FloatScalar {
  @inline(__always) static func add(_ a: Double, _ b: Double) -> Double { a + b }
  @inline(__always) static func subtract(_ a: Double, _ b: Double) -> Double { a - b }
  @inline(__always) static func multiply(_ a: Double, _ b: Double) -> Double { a * b }
  @inline(__always) static func divide(_ a: Double, _ b: Double) -> Double { a / b }
  @inline(__always) var accumulated: Double { self }
  @inline(__always) init(accumulated: Double) { self = accumulated }
}

extension Int64: NumericScalar {
  @inline(__always) static func add(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
  @inline(__always) static func subtract(_ a: Int64, _ b: Int64) -> Int64 { a &- b }
  @inline(__always) static func multiply(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
  @inline(__always) static func divide(_ a: Int64, _ b: Int64) -> Int64 {
    // Integer division by zero has no value; PyTorch raises "ZeroDivisionError".
    if b == 0 { opFailure("div", "ZeroDivisionError: integer division by zero") }
    return a == .min && b == -1 ? .min : a / b
  }
  @inline(__always) var accumulated: Int64 { self }
  @inline(__always) init(accumulated: Int64) { self = accumulated }
}

/// An elementwise binary function, generic so one definition serves every numeric dtype.
protocol BinaryKernel {
  static func apply<T: NumericScalar>(_ a: T, _ b: T) -> T
}

/// The dtype an op on tensors `a` and `b` computes in (`torch.result_type`). A 0-d tensor
/// beside one with dimensions only counts when its category (bool < integer < floating) is
/// higher: `float32[3] + float64[]` is float32, but `int64[3] + float64[]` is float64.
/// `DType.promote` alone would widen the first to float64.
func resultType(_ a: Tensor, _ b: Tensor) -> DType {
  if (a.rank == 0) == (b.rank == 0) { return DType.promote(a.dtype, b.dtype) }
  let (dimensioned, zeroDim) = a.rank == 0 ? (b.dtype, a.dtype) : (a.dtype, b.dtype)
  func category(_ type: DType) -> Int { type == .bool ? 0 : (type.isFloatingPoint ? 2 : 1) }
  return category(zeroDim) > category(dimensioned)
    ? DType.promote(dimensioned, zeroDim) : dimensioned
}

/// Applies `K` elementwise with broadcasting, in the promoted dtype (bool computes as int64;
/// `floatResult` forces a floating dtype, as true division does).
func binaryArithmetic<K: BinaryKernel>(
  _ a: Tensor, _ b: Tensor, _: K.Type, op: String, floatResult: Bool = false
) -> Tensor {
  var type = resultType(a, b)
  if type == .bool && !floatResult {
    // Two bool tensors stay bool, as in PyTorch: + and maximum are "or", * and minimum "and".
    switch K.self {
    case is AddKernel.Type, is MaximumKernel.Type: return a.logicalOr(b)
    case is MultiplyKernel.Type, is MinimumKernel.Type: return a.logicalAnd(b)
    default:
      opFailure(
        op,
        "Subtraction, the `-` operator, with two bool tensors is not supported (shapes \(shapeText(a.shape)) and \(shapeText(b.shape))). Use logicalXor-style logic or convert with to(.int64) first."
      )
    }
  }
  if type == .bool { type = .int64 }
  if floatResult && !type.isFloatingPoint { type = .float32 }
  let x = a.converted(to: type)
  let y = b.converted(to: type)
  switch type {
  case .float32: return mapBinary(x, y, Float.self, Float.self, op: op, K.apply)
  case .float64: return mapBinary(x, y, Double.self, Double.self, op: op, K.apply)
  case .int64, .bool: return mapBinary(x, y, Int64.self, Int64.self, op: op, K.apply)
  }
}

/// Applies `K` between a tensor and a Swift number (`scalarFirst` puts the number on the left).
/// A whole number keeps an integral tensor integral; a fractional one makes it float32.
func scalarArithmetic<K: BinaryKernel>(
  _ a: Tensor, _ scalar: Double, scalarFirst: Bool, _: K.Type, floatResult: Bool = false
) -> Tensor {
  var type = DType.promote(a.dtype, scalarIsFloatingPoint: scalar.rounded() != scalar)
  if floatResult && !type.isFloatingPoint { type = .float32 }
  let x = a.converted(to: type)
  func run<T: NumericScalar>(_: T.Type) -> Tensor {
    let s = T(fromDouble: scalar)
    return scalarFirst
      ? mapUnary(x, T.self, T.self) { K.apply(s, $0) }
      : mapUnary(x, T.self, T.self) { K.apply($0, s) }
  }
  switch type {
  case .float32: return run(Float.self)
  case .float64: return run(Double.self)
  case .int64, .bool: return run(Int64.self)
  }
}

enum AddKernel: BinaryKernel {
  @inline(__always) static func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.add(a, b) }
}
enum SubtractKernel: BinaryKernel {
  @inline(__always) static func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.subtract(a, b) }
}
enum MultiplyKernel: BinaryKernel {
  @inline(__always) static func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.multiply(a, b) }
}
enum DivideKernel: BinaryKernel {
  @inline(__always) static func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.divide(a, b) }
}
enum MaximumKernel: BinaryKernel {
  // NaN wins, as in torch.maximum.
  @inline(__always) static func apply<T: NumericScalar>(_ a: T, _ b: T) -> T {
    a != a ? a : (b != b ? b : (a >= b ? a : b))
  }
}
enum MinimumKernel: BinaryKernel {
  @inline(__always) static func apply<T: NumericScalar>(_ a: T, _ b: T) -> T {
    a != a ? a : (b != b ? b : (a <= b ? a : b))
  }
}
