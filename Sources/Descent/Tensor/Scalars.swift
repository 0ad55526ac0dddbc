import RealModule

/// Element types that support arithmetic: float32, float64 and int64. Integer arithmetic wraps
/// on overflow, as PyTorch's does, instead of trapping.
protocol NumericScalar: TensorScalar, Comparable {
  static var zero: Self { get }
  static var one: Self { get }
  static func add(_ a: Self, _ b: Self) -> Self
  static func subtract(_ a: Self, _ b: Self) -> Self
  static func multiply(_ a: Self, _ b: Self) -> Self
  /// Division; for integers it truncates, and a zero divisor is refused before any kernel runs.
  static func divide(_ a: Self, _ b: Self) -> Self
  static func negate(_ x: Self) -> Self
  /// The remainder of truncating division, with the dividend's sign (C's `fmod`, `%` on
  /// integers); an integer zero divisor is refused before any kernel runs.
  static func truncatingRemainder(_ a: Self, _ b: Self) -> Self
  /// The accumulator a reduction sums in: Double for floats (PyTorch sums float32 pairwise;
  /// summing in Double is at least as accurate), Int64 for integers.
  associatedtype Accumulator: NumericScalar
  var accumulated: Accumulator { get }
  init(accumulated: Accumulator)
}

/// Floating-point element types: the ones autograd differentiates.
protocol FloatScalar: NumericScalar, Real, BinaryFloatingPoint, CascadeScalar {}

/// Float and Double do arithmetic with their own operators (IEEE, no wrapping to ask for);
/// only how each accumulates differs.
extension FloatScalar {
  static var one: Self { 1 }
  @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a + b }
  @inline(__always) static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
  @inline(__always) static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
  @inline(__always) static func divide(_ a: Self, _ b: Self) -> Self { a / b }
  @inline(__always) static func negate(_ x: Self) -> Self { -x }
  @inline(__always) static func truncatingRemainder(_ a: Self, _ b: Self) -> Self {
    a.truncatingRemainder(dividingBy: b)
  }
}

extension Float: NumericScalar, FloatScalar {
  @inline(__always) var accumulated: Double { Double(self) }
  @inline(__always) init(accumulated: Double) { self = Float(accumulated) }
}

extension Double: NumericScalar, FloatScalar {
  @inline(__always) var accumulated: Double { self }
  @inline(__always) init(accumulated: Double) { self = accumulated }
}

extension Int64: NumericScalar {
  static var one: Int64 { 1 }
  @inline(__always) static func add(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
  @inline(__always) static func subtract(_ a: Int64, _ b: Int64) -> Int64 { a &- b }
  @inline(__always) static func multiply(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
  @inline(__always) static func divide(_ a: Int64, _ b: Int64) -> Int64 {
    // Zero divisors are refused before the kernel runs; .min / -1 wraps, as in C.
    b == 0 ? 0 : (a == .min && b == -1 ? .min : a / b)
  }
  @inline(__always) static func negate(_ x: Int64) -> Int64 { 0 &- x }
  @inline(__always) static func truncatingRemainder(_ a: Int64, _ b: Int64) -> Int64 {
    // Zero divisors are refused before the kernel runs; .min % -1 is 0 (Swift would trap).
    b == 0 || b == -1 ? 0 : a % b
  }
  @inline(__always) var accumulated: Int64 { self }
  @inline(__always) init(accumulated: Int64) { self = accumulated }
}

/// Code generic over the float types, run for a dtype by `DType.dispatchFloat`.
protocol FloatRoutine {
  associatedtype Result
  func run<T: FloatScalar>(_: T.Type) -> Result
}

/// Code generic over an element's bits (UInt8, UInt32 or UInt64 by the dtype's size), for
/// moving elements of any dtype without looking at their values; run by `DType.dispatchBits`.
protocol BitsRoutine {
  associatedtype Result
  func run<Bits: FixedWidthInteger>(_: Bits.Type) -> Result
}

/// Code generic over the numeric types, run for a dtype by `DType.dispatchNumeric`.
protocol NumericRoutine {
  associatedtype Result
  func run<T: NumericScalar>(_: T.Type) -> Result
}

extension DType {
  /// The one place a float dtype becomes the Swift type a kernel runs on. Callers convert
  /// integral tensors first; they run as float32 here.
  @inline(__always)
  func dispatchFloat<R: FloatRoutine>(_ routine: R) -> R.Result {
    self == .float64 ? routine.run(Double.self) : routine.run(Float.self)
  }

  /// The one place a numeric dtype becomes the Swift type a kernel runs on: int64 and bool
  /// run as Int64 (callers convert bool data first).
  @inline(__always)
  func dispatchNumeric<R: NumericRoutine>(_ routine: R) -> R.Result {
    switch self {
    case .float32: return routine.run(Float.self)
    case .float64: return routine.run(Double.self)
    case .int64, .bool: return routine.run(Int64.self)
    }
  }

  /// The same for code that only moves elements: every dtype, by its size.
  @inline(__always)
  func dispatchBits<R: BitsRoutine>(_ routine: R) -> R.Result {
    switch itemSize {
    case 1: return routine.run(UInt8.self)
    case 4: return routine.run(UInt32.self)
    default: return routine.run(UInt64.self)
    }
  }
}
