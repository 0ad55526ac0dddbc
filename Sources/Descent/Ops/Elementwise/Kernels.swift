/// The one way to write an elementwise kernel: a small struct with a generic
/// `callAsFunction`, written once for every float dtype. Parameters (a slope, a bound, a
/// scale) are stored properties; the engine (`Elementwise.swift`) runs the kernel over dense,
/// broadcast or strided operands and in place.
///
/// ```swift
/// struct LeakyReluKernel: UnaryKernel {
///   let slope: Double
///   func callAsFunction<T: FloatScalar>(_ x: T) -> T { x > 0 ? x : x * T(slope) }
/// }
/// let y = unary(x, LeakyReluKernel(slope: 0.01))
/// ```
///
/// A kernel that PyTorch also defines on integers (arithmetic, comparisons, abs) conforms to
/// the numeric refinement instead, whose one generic function serves int64 as well.

/// A function of one element.
protocol UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T
}

/// A function of two elements.
protocol BinaryKernel {
  func callAsFunction<T: FloatScalar>(_ a: T, _ b: T) -> T
}

/// A unary kernel defined on int64 too: integral tensors keep their dtype.
protocol NumericUnaryKernel: UnaryKernel {
  func callAsFunction<T: NumericScalar>(_ x: T) -> T
}

/// A binary kernel defined on int64 too (integer arithmetic wraps, as PyTorch's does).
protocol NumericBinaryKernel: BinaryKernel {
  func callAsFunction<T: NumericScalar>(_ a: T, _ b: T) -> T
}

/// 1 for true and 0 for false, in the operands' type: what a comparison kernel returns.
@inline(__always)
func truth<T: NumericScalar>(_ condition: Bool) -> T { condition ? .one : .zero }
