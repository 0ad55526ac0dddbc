/// The elementwise engine: runs a kernel (`Kernels.swift`) over a tensor, two broadcast
/// tensors, a tensor and a Swift number, or in place. Each entry picks the dtype the op
/// computes in (PyTorch's promotion) and dispatches once, in `DType.dispatchFloat` or
/// `dispatchNumeric`. No autograd here: ops record their own nodes.

/// `kernel(x)` for every element. Float tensors keep their dtype; integral ones compute in
/// float32, as PyTorch's `exp` of an int64 tensor does.
func unary<K: UnaryKernel>(_ x: Tensor, _ kernel: K) -> Tensor {
  let source = x.dtype.isFloatingPoint ? x : x.operand(in: .float32)
  return source.dtype.dispatchFloat(UnaryMap(x: source, kernel: kernel))
}

/// `kernel(x)` for every element of any numeric dtype; bool computes as int64.
func unary<K: NumericUnaryKernel>(_ x: Tensor, _ kernel: K) -> Tensor {
  let source = x.dtype == .bool ? x.operand(in: .int64) : x
  return source.dtype.dispatchNumeric(NumericUnaryMap(x: source, kernel: kernel))
}

/// `kernel(a, b)` with broadcasting, in the promoted floating dtype (integral operands
/// compute in float32).
func binary<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, _ kernel: K, op: String) throws(OpError)
  -> Tensor
{
  var type = resultType(a, b)
  if !type.isFloatingPoint { type = .float32 }
  let shape = try broadcastShapes(a.shape, b.shape, op: op)
  return type.dispatchFloat(BinaryMap(operands: Operands(a, b, as: type, shape), kernel: kernel))
}

/// `kernel(a, b)` broadcast to `shape`, which the caller has checked (a backward's gradient
/// and a saved tensor of its shape; an in-place update's operands): nothing can fail.
func binary<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, to shape: [Int], _ kernel: K) -> Tensor {
  var type = resultType(a, b)
  if !type.isFloatingPoint { type = .float32 }
  return type.dispatchFloat(BinaryMap(operands: Operands(a, b, as: type, shape), kernel: kernel))
}

/// `kernel(a, b)` with broadcasting, in the promoted dtype (`resultType`); bool operands
/// compute as int64 and `floatResult` forces a floating dtype, as true division does.
func binary<K: NumericBinaryKernel>(
  _ a: Tensor, _ b: Tensor, _ kernel: K, op: String, floatResult: Bool = false
) throws(OpError) -> Tensor {
  var type = resultType(a, b)
  if type == .bool { type = .int64 }
  if floatResult && !type.isFloatingPoint { type = .float32 }
  let shape = try broadcastShapes(a.shape, b.shape, op: op)
  return type.dispatchNumeric(
    NumericBinaryMap(operands: Operands(a, b, as: type, shape), kernel: kernel))
}

/// `kernel(x, scalar)` (or `kernel(scalar, x)` with `scalarFirst`) for a Swift number: a
/// whole number keeps an integral tensor integral, a fraction makes it float32 (PyTorch's
/// rule for Python scalars); bool computes as int64.
func binary<K: NumericBinaryKernel>(
  _ x: Tensor, scalar: Double, scalarFirst: Bool = false, _ kernel: K, floatResult: Bool = false
) -> Tensor {
  var type = DType.promote(x.dtype, scalarIsFloatingPoint: scalar.rounded() != scalar)
  if floatResult && !type.isFloatingPoint { type = .float32 }
  return type.dispatchNumeric(
    ScalarMap(x: x.operand(in: type), scalar: scalar, scalarFirst: scalarFirst, kernel: kernel))
}

/// A comparison kernel's truth for every broadcast pair, as a bool tensor, compared in the
/// promoted dtype (a float64 0-d operand is rounded to float32 before it is compared with a
/// float32 tensor, as in PyTorch).
func compare<K: NumericBinaryKernel>(_ a: Tensor, _ b: Tensor, _ kernel: K, op: String)
  throws(OpError) -> Tensor
{
  var type = resultType(a, b)
  if type == .bool { type = .int64 }
  let shape = try broadcastShapes(a.shape, b.shape, op: op)
  return type.dispatchNumeric(
    ComparisonMap(operands: Operands(a, b, as: type, shape), kernel: kernel))
}

/// Σ kernel(a, b) over operands of one shape, as a 0-d tensor of their float dtype: a fused
/// loss's forward pass, without the per-element tensor. Summed as `sum()` sums (in the element
/// type, in PyTorch's order), so it equals `binary` followed by a sum bit for bit; divided by
/// `divisor` in the same pass for a mean (PyTorch's mean is the sum over the count).
func sumOf<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, _ kernel: K, divisor: Int = 1) -> Tensor {
  precondition(a.shape == b.shape && a.dtype == b.dtype && a.dtype.isFloatingPoint)
  guard a.isContiguous && b.isContiguous else {
    return binary(a, b, to: a.shape, kernel).rawSumAll(divisor: divisor)
  }
  return a.dtype.dispatchFloat(PairSum(a: a, b: b, kernel: kernel, divisor: divisor))
}

extension Tensor {
  /// `self ← kernel(self)` over this float tensor's own elements. No checks, no version bump:
  /// the in-place ops (`InPlace.swift`) wrap it.
  func applyInPlace<K: UnaryKernel>(_ kernel: K) {
    dtype.dispatchFloat(UnaryUpdate(target: self, kernel: kernel))
  }

  /// `self ← kernel(self, other)`, `other` converted to this dtype and broadcast to its shape.
  func applyInPlace<K: BinaryKernel>(_ other: Tensor, _ kernel: K) {
    dtype.dispatchFloat(
      BinaryUpdate(target: self, source: other.operand(in: dtype), kernel: kernel))
  }

  /// The same for a numeric kernel on a float or int64 tensor.
  func applyInPlace<K: NumericBinaryKernel>(_ other: Tensor, _ kernel: K) {
    dtype.dispatchNumeric(
      BinaryUpdate(target: self, source: other.operand(in: dtype), kernel: kernel))
  }
}

extension Tensor {
  /// This tensor in `type`: itself when it has that dtype already (no call, no conversion),
  /// else a converted copy. Every operand of the engine goes through here.
  @inline(__always)
  fileprivate func operand(in type: DType) -> Tensor { dtype == type ? self : converted(to: type) }
}

// The routines the entries above dispatch to, one per shape of loop.

/// Two operands in the dtype an op computes in, and the shape they broadcast to.
private struct Operands {
  let a: Tensor
  let b: Tensor
  let shape: [Int]

  @inline(__always)
  init(_ a: Tensor, _ b: Tensor, as type: DType, _ shape: [Int]) {
    self.a = a.operand(in: type)
    self.b = b.operand(in: type)
    self.shape = shape
  }
}

private struct UnaryMap<K: UnaryKernel>: FloatRoutine {
  let x: Tensor
  let kernel: K
  func run<T: FloatScalar>(_: T.Type) -> Tensor { mapUnary(x, T.self, T.self) { kernel($0) } }
}

private struct NumericUnaryMap<K: NumericUnaryKernel>: NumericRoutine {
  let x: Tensor
  let kernel: K
  func run<T: NumericScalar>(_: T.Type) -> Tensor { mapUnary(x, T.self, T.self) { kernel($0) } }
}

private struct BinaryMap<K: BinaryKernel>: FloatRoutine {
  let operands: Operands
  let kernel: K
  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    mapBinary(operands.a, operands.b, to: operands.shape, T.self, T.self) { kernel($0, $1) }
  }
}

private struct NumericBinaryMap<K: NumericBinaryKernel>: NumericRoutine {
  let operands: Operands
  let kernel: K
  func run<T: NumericScalar>(_: T.Type) -> Tensor {
    mapBinary(operands.a, operands.b, to: operands.shape, T.self, T.self) { kernel($0, $1) }
  }
}

private struct ComparisonMap<K: NumericBinaryKernel>: NumericRoutine {
  let operands: Operands
  let kernel: K
  func run<T: NumericScalar>(_: T.Type) -> Tensor {
    mapBinary(operands.a, operands.b, to: operands.shape, T.self, Bool.self) {
      kernel($0, $1) != .zero
    }
  }
}

private struct ScalarMap<K: NumericBinaryKernel>: NumericRoutine {
  let x: Tensor
  let scalar: Double
  let scalarFirst: Bool
  let kernel: K
  func run<T: NumericScalar>(_: T.Type) -> Tensor {
    let s = T(fromDouble: scalar)
    return scalarFirst
      ? mapUnary(x, T.self, T.self) { kernel(s, $0) }
      : mapUnary(x, T.self, T.self) { kernel($0, s) }
  }
}

private struct UnaryUpdate<K: UnaryKernel>: FloatRoutine {
  let target: Tensor
  let kernel: K
  func run<T: FloatScalar>(_: T.Type) { updateElements(target, T.self) { kernel($0) } }
}

/// `target ← kernel(target, source)`: a float routine for any binary kernel, and a numeric one
/// (int64 too) for a kernel defined on integers.
private struct BinaryUpdate<K: BinaryKernel>: FloatRoutine {
  let target: Tensor
  let source: Tensor
  let kernel: K
  func run<T: FloatScalar>(_: T.Type) {
    updateElements(target, with: source, T.self) { kernel($0, $1) }
  }
}

extension BinaryUpdate: NumericRoutine where K: NumericBinaryKernel {
  func run<T: NumericScalar>(_: T.Type) {
    updateElements(target, with: source, T.self) { kernel($0, $1) }
  }
}

private struct PairSum<K: BinaryKernel>: FloatRoutine {
  let a: Tensor
  let b: Tensor
  let kernel: K
  let divisor: Int
  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let (x, y) = (a.pointer(T.self), b.pointer(T.self))
    let out = Tensor(uninitializedShape: [], dtype: T.dtype)
    let sum = T.cascadeSum(count: a.count) { kernel(x[$0], y[$0]) }
    out.pointer(T.self)[0] = divisor == 1 ? sum : sum / T(divisor)
    return out
  }
}
