// The scalar functions optimizer rules are written with, each with the value of the tensor op
// PyTorch's algorithm names (`lerp_`, `maximum`, `sqrt`), element by element.

/// `start + weight·(end − start)`, from the nearer end as PyTorch's `lerp` computes it, so
/// that weights 0 and 1 give `start` and `end` exactly.
@inline(__always)
func lerp<T: FloatScalar>(_ start: T, _ end: T, _ weight: T) -> T {
  Swift.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}

/// The larger of `a` and `b`, NaN when either is (`torch.maximum`).
@inline(__always)
func maximumPropagatingNaN<T: FloatScalar>(_ a: T, _ b: T) -> T {
  a != a ? a : (b != b ? b : (a >= b ? a : b))
}

/// √x with `squareRoot()`'s value (NaN below zero, −0 for −0), written so that a loop over it
/// vectorises: on Linux `squareRoot()` keeps a scalar library call that may set errno for a
/// negative input, while the root of `magnitude` compiles to the square-root instruction.
@inline(__always)
func squareRoot<T: FloatScalar>(_ x: T) -> T {
  x < 0 ? .nan : T(signOf: x, magnitudeOf: x.magnitude.squareRoot())
}
