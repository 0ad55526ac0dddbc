/// In-place arithmetic (`+= -= *= /=`), `zero_`, `fill_` and `copy_`.
///
/// Like PyTorch: the result keeps this tensor's dtype and shape; a leaf that requires grad may
/// only be changed inside `noGrad`; every write bumps the storage version so that autograd
/// notices when a tensor it saved was changed.

/// Returns the second operand: the kernel of `copy_`.
enum AssignKernel: BinaryKernel {
  @inline(__always) static func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { b }
}

extension Tensor {
  /// Stops unless this tensor may be written in place now.
  func checkInPlaceWrite(_ op: String) {
    guard GradMode.isEnabled else { return }
    if requiresGradFlag && isLeaf && viewBase == nil {
      opFailure(
        op,
        "a leaf Variable that requires grad is being used in an in-place operation (shape \(shapeText(shape))). Wrap the update in noGrad { … }, as optimizers do."
      )
    }
    if let base = viewBase, base.requiresGradFlag {
      if base.isLeaf {
        opFailure(
          op,
          "a view of a leaf Variable that requires grad is being used in an in-place operation (view \(shapeText(shape)) of \(shapeText(base.shape))). Wrap the change in noGrad { … }."
        )
      }
      // PyTorch rewrites the base's graph here (CopySlices); Descent refuses rather than give
      // a wrong gradient.
      opFailure(
        op,
        "in-place change of a view (\(shapeText(shape))) of a tensor that is part of the autograd graph (\(shapeText(base.shape)), made by \(base.gradFn?.name ?? "an op")) is not supported. Build the result out of place, e.g. with Tensor.where or Tensor.cat."
      )
    }
  }

  /// Writes `K(self, other)` into this tensor's own elements; `other` broadcasts to its shape.
  func writeInPlace<K: BinaryKernel>(_ other: Tensor, _: K.Type, op: String) {
    let broadcast = broadcastShapes(shape, other.shape, op: op)
    guard broadcast == shape else {
      opFailure(
        op,
        "output with shape \(shapeText(shape)) doesn't match the broadcast shape \(shapeText(broadcast)) (other operand \(shapeText(other.shape)))"
      )
    }
    if dtype == .bool && K.self != AssignKernel.self {
      opFailure(
        op, "in-place arithmetic on a bool tensor is not supported (shape \(shapeText(shape)))")
    }
    let source = other.converted(to: dtype)
    func run<T: NumericScalar>(_: T.Type) {
      let target = pointer(T.self)
      let values = source.pointer(T.self)
      if isContiguous && source.isContiguous && source.count == count {
        for i in 0..<count { target[i] = K.apply(target[i], values[i]) }
      } else if source.count == 1 && isContiguous {
        let value = values[0]
        for i in 0..<count { target[i] = K.apply(target[i], value) }
      } else {
        let otherStrides = broadcastStrides(shape: source.shape, strides: source.strides, to: shape)
        forEachOffset(shape: shape, stridesA: strides, baseA: 0, stridesB: otherStrides, baseB: 0) {
          _, a, b in target[a] = K.apply(target[a], values[b])
        }
      }
    }
    switch dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: run(Int64.self)
    case .bool:
      // Only assignment reaches here: copy bytes through the int64 path would misread them.
      let target = pointer(Bool.self)
      let values = source.pointer(Bool.self)
      let otherStrides = broadcastStrides(shape: source.shape, strides: source.strides, to: shape)
      forEachOffset(shape: shape, stridesA: strides, baseA: 0, stridesB: otherStrides, baseB: 0) {
        _, a, b in target[a] = values[b]
      }
    }
    storage.version += 1
  }

  /// The in-place form of a binary op: computes `outOfPlace()` with autograd when it is
  /// recording, else writes directly.
  func updateInPlace<K: BinaryKernel>(
    _ other: Tensor, _ kernel: K.Type, op: String, outOfPlace: () -> Tensor
  ) {
    checkInPlaceWrite(op)
    let promoted = DType.promote(dtype, other.dtype)
    if promoted != dtype && !(dtype.isFloatingPoint && promoted.isFloatingPoint) {
      opFailure(
        op,
        "result type \(promoted) can't be cast to the desired output type \(dtype) (shapes \(shapeText(shape)) and \(shapeText(other.shape))). Convert first with to(_:)."
      )
    }
    if GradMode.isEnabled && (requiresGradFlag || other.requiresGradFlag) {
      let result = outOfPlace()
      writeInPlace(result, AssignKernel.self, op: op)
      gradFn = result.gradFn
      requiresGradFlag = true
    } else {
      writeInPlace(other, kernel, op: op)
    }
  }

  /// `self += other`, used by gradient accumulation.
  func addInPlace(_ other: Tensor) { writeInPlace(other, AddKernel.self, op: "add_") }

  public static func += (a: Tensor, b: Tensor) {
    a.updateInPlace(b, AddKernel.self, op: "add_") { a + b }
  }
  public static func -= (a: Tensor, b: Tensor) {
    a.updateInPlace(b, SubtractKernel.self, op: "sub_") { a - b }
  }
  // The gradient for b of `a *= b` and `a /= b` needs a's values from before the update: the
  // product is taken of a copy, as PyTorch's mul_ and div_ keep `original_self`.
  public static func *= (a: Tensor, b: Tensor) {
    a.updateInPlace(b, MultiplyKernel.self, op: "mul_") { (b.requiresGradFlag ? a.clone() : a) * b }
  }
  public static func /= (a: Tensor, b: Tensor) {
    guard a.dtype.isFloatingPoint else {
      opFailure(
        "div_",
        "result type Float can't be cast to the desired output type \(a.dtype): true division of an integer tensor in place (shape \(shapeText(a.shape)))"
      )
    }
    a.updateInPlace(b, DivideKernel.self, op: "div_") { (b.requiresGradFlag ? a.clone() : a) / b }
  }
  public static func += (a: Tensor, b: Double) { a += a.scalarLike(b, op: "add_") }
  public static func -= (a: Tensor, b: Double) { a -= a.scalarLike(b, op: "sub_") }
  public static func *= (a: Tensor, b: Double) { a *= a.scalarLike(b, op: "mul_") }
  public static func /= (a: Tensor, b: Double) { a /= a.scalarLike(b, op: "div_") }

  /// A 0-d tensor of this tensor's dtype holding `value`; a fraction for an integer tensor
  /// stops, as PyTorch's in-place ops do.
  func scalarLike(_ value: Double, op: String) -> Tensor {
    if !dtype.isFloatingPoint && value.rounded() != value {
      opFailure(op, "result type Float can't be cast to the desired output type \(dtype)")
    }
    return Tensor(shape: [], scalars: [value], dtype: dtype)
  }

  /// Sets every element to zero, in place (`zero_()`).
  @discardableResult
  public func zero_() -> Tensor { fill_(0) }

  /// Sets every element to `value`, in place (`fill_()`).
  @discardableResult
  public func fill_(_ value: Double) -> Tensor {
    checkInPlaceWrite("fill_")
    writeInPlace(Tensor(shape: [], scalars: [value], dtype: dtype), AssignKernel.self, op: "fill_")
    return self
  }

  /// Copies `source`'s values into this tensor, broadcasting and converting (`copy_()`).
  @discardableResult
  public func copy_(_ source: Tensor) -> Tensor {
    checkInPlaceWrite("copy_")
    writeInPlace(source, AssignKernel.self, op: "copy_")
    return self
  }
}
