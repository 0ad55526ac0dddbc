/// In-place arithmetic (`+= -= *= /=`), `zero_`, `fill_` and `copy_`, and the element writes
/// every in-place op ends in.
///
/// Like PyTorch: the result keeps this tensor's dtype and shape; a leaf that requires grad may
/// only be changed inside `noGrad`; every write bumps the storage version so that autograd
/// notices when a tensor it saved was changed.
extension Tensor {
  /// Throws unless this tensor may be written in place now.
  func checkInPlaceWrite(_ op: String) throws(OpError) {
    guard GradMode.isEnabled else { return }
    if requiresGradFlag && isLeaf && viewBase == nil {
      throw OpError(
        op,
        "a leaf Variable that requires grad is being used in an in-place operation (shape \(shapeText(shape))). Wrap the update in noGrad { … }, as optimizers do."
      )
    }
    if let base = viewBase, base.requiresGradFlag, base.isLeaf {
      throw OpError(
        op,
        "a view of a leaf Variable that requires grad is being used in an in-place operation (view \(shapeText(shape)) of \(shapeText(base.shape))). Wrap the change in noGrad { … }."
      )
    }
  }

  /// Throws unless `other` broadcasts to this tensor's shape (an in-place result cannot grow).
  func checkBroadcastsInto(_ other: Tensor, op: String, role: String = "other operand")
    throws(OpError)
  {
    let broadcast = try broadcastShapes(shape, other.shape, op: op)
    guard broadcast == shape else {
      throw OpError(
        op,
        "output with shape \(shapeText(shape)) doesn't match the broadcast shape \(shapeText(broadcast)) (\(role) \(shapeText(other.shape)))"
      )
    }
  }

  /// Copies `source`'s values (converted to this dtype, broadcast to this shape) into this
  /// tensor's own elements, bit for bit, whatever the dtype. No checks, no version bump.
  func writeElements(_ source: Tensor) {
    dtype.dispatchBits(ElementCopy(target: self, source: source.converted(to: dtype)))
  }

  /// The in-place form of a binary op: computes `outOfPlace()` with autograd when it is
  /// recording, else applies `kernel` directly; bumps the version either way.
  func updateInPlace<K: NumericBinaryKernel>(
    _ other: Tensor, _ kernel: K, op: String, outOfPlace: () -> Tensor
  ) {
    _ = Tensor.op(self, other) { () throws(OpError) in
      try checkInPlaceWrite(op)
      let promoted = DType.promote(dtype, other.dtype)
      if promoted != dtype && !(dtype.isFloatingPoint && promoted.isFloatingPoint) {
        throw OpError(
          op,
          "result type \(promoted) can't be cast to the desired output type \(dtype) (shapes \(shapeText(shape)) and \(shapeText(other.shape))). Convert first with to(_:)."
        )
      }
      if dtype == .bool {
        throw OpError(
          op, "in-place arithmetic on a bool tensor is not supported (shape \(shapeText(shape)))")
      }
      try checkBroadcastsInto(other, op: op)
      if GradMode.isEnabled && (requiresGradFlag || other.requiresGradFlag) {
        try adopt(outOfPlace())
      } else {
        applyInPlace(other, kernel)
        storage.version += 1
      }
      return self
    }
  }

  /// Takes `result`'s values and place in the graph: how an in-place op that autograd records
  /// ends (its formula ran out of place).
  /// A view rewrites its base's history instead (CopySlices).
  func adopt(_ result: Tensor) throws(OpError) {
    if viewBase != nil {
      try rewriteBase(with: result)
      return
    }
    writeElements(result)
    storage.version += 1
    gradFn = result.gradFn
    requiresGradFlag = true
  }

  /// `self += other` without checks or autograd: gradient accumulation.
  func addInPlace(_ other: Tensor) {
    applyInPlace(other, AddKernel())
    storage.version += 1
  }

  /// Adds `b` into `a` in place (`a.add_(b)`).
  public static func += (a: Tensor, b: Tensor) {
    a.updateInPlace(b, AddKernel(), op: "add_") { a + b }
  }
  /// Subtracts `b` from `a` in place (`a.sub_(b)`).
  public static func -= (a: Tensor, b: Tensor) {
    a.updateInPlace(b, SubtractKernel(), op: "sub_") { a - b }
  }
  // The gradient for b of `a *= b` and `a /= b` needs a's values from before the update: the
  // product is taken of a copy, as PyTorch's mul_ and div_ keep `original_self`.
  /// Multiplies `a` by `b` in place (`a.mul_(b)`).
  public static func *= (a: Tensor, b: Tensor) {
    a.updateInPlace(b, MultiplyKernel(), op: "mul_") { (b.requiresGradFlag ? a.clone() : a) * b }
  }
  /// Divides `a` by `b` in place (`a.div_(b)`).
  public static func /= (a: Tensor, b: Tensor) {
    guard a.dtype.isFloatingPoint else {
      _ = Tensor.failed(
        OpError(
          "div_",
          "result type Float can't be cast to the desired output type \(a.dtype): true division of an integer tensor in place (shape \(shapeText(a.shape)))"
        ), inputs: [a, b])
      return
    }
    a.updateInPlace(b, DivideKernel(), op: "div_") { (b.requiresGradFlag ? a.clone() : a) / b }
  }
  /// Adds a scalar to every element of `a` in place.
  public static func += (a: Tensor, b: Double) { a += a.scalarLike(b, op: "add_") }
  /// Subtracts a scalar from every element of `a` in place.
  public static func -= (a: Tensor, b: Double) { a -= a.scalarLike(b, op: "sub_") }
  /// Multiplies every element of `a` by a scalar in place.
  public static func *= (a: Tensor, b: Double) { a *= a.scalarLike(b, op: "mul_") }
  /// Divides every element of `a` by a scalar in place.
  public static func /= (a: Tensor, b: Double) { a /= a.scalarLike(b, op: "div_") }

  /// A 0-d tensor of this tensor's dtype holding `value`; a fraction for an integer tensor
  /// fails, as PyTorch's in-place ops do.
  func scalarLike(_ value: Double, op: String) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      if !dtype.isFloatingPoint && value.rounded() != value {
        throw OpError(op, "result type Float can't be cast to the desired output type \(dtype)")
      }
      return Tensor(shape: [], scalars: [value], dtype: dtype)
    }
  }

  /// Sets every element to zero, in place (`zero_()`).
  @discardableResult
  public func zero_() -> Tensor { fill_(0) }

  /// Sets every element to `value`, in place (`fill_()`).
  @discardableResult
  public func fill_(_ value: Double) -> Tensor {
    assign(Tensor(shape: [], scalars: [value], dtype: dtype), op: "fill_")
  }

  /// Copies `source`'s values into this tensor, broadcasting and converting (`copy_()`).
  @discardableResult
  public func copy_(_ source: Tensor) -> Tensor { assign(source, op: "copy_") }

  private func assign(_ source: Tensor, op: String) -> Tensor {
    Tensor.op(self, source) { () throws(OpError) in
      try checkInPlaceWrite(op)
      try checkBroadcastsInto(source, op: op)
      guard GradMode.isEnabled && (requiresGradFlag || source.requiresGradFlag) else {
        writeElements(source)
        storage.version += 1
        return self
      }
      // Recorded: the new values come from `source` alone (the old ones get no gradient).
      let values = Tensor(uninitializedShape: shape, dtype: dtype)
      values.writeElements(source)
      let sourceShape = source.shape
      let sourceType = source.dtype
      record("CopyBackwards", values, source) { g in g.sumTo(sourceShape).to(sourceType) }
      try adopt(values)
      return self
    }
  }
}

/// Copies a source's bits into a target's elements, broadcasting.
private struct ElementCopy: BitsRoutine {
  let target: Tensor
  let source: Tensor
  func run<Bits: FixedWidthInteger>(_: Bits.Type) {
    updateElements(target, with: source, Bits.self) { $1 }
  }
}
