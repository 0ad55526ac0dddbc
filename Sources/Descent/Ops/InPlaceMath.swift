// Fused in-place math with PyTorch's names (`add_`, `mul_`, `addcmul_`, `addcdiv_`, `lerp_`,
// `sqrt_`, …): what optimizers update their state and parameters with.
//
// Each writes into this tensor's own elements in one pass, allocating nothing when the
// operands are contiguous float tensors of this tensor's shape and dtype (other operands are
// broadcast and converted first, which copies). As with `+=`: a leaf that requires grad may
// only change inside `noGrad`, every write bumps the storage version, and while autograd
// records, a tensor in the graph is updated through the differentiable out-of-place ops.
// Arithmetic follows PyTorch's CPU kernels term by term (`x + s·a·b`, `x + s·a/b`), with the
// scalar rounded to the tensor's dtype first, but without fused multiply-adds, which
// PyTorch's vectorised `add(alpha=)`, `lerp` and `addcmul` use: results may differ from
// PyTorch's in the last bit.

/// `x ← f(x, a, b, s)` elementwise, for one fused op; `a` and `b` are the operands (this
/// tensor's own element where an op has fewer), `s` the scalar.
protocol InPlaceUpdateKernel {
  static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T
}

enum AddScaledUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T {
    x + s * a
  }
}
enum AddScalarUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T { x + s }
}
enum ScaleUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T { x * s }
}
enum DivideByScalarUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T { x / s }
}
enum MultiplyUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T { x * a }
}
enum DivideUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T { x / a }
}
enum AddcmulUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T {
    x + s * a * b
  }
}
enum AddcdivUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T {
    x + s * a / b
  }
}
enum LerpUpdate: InPlaceUpdateKernel {
  // PyTorch's two-sided form: exact at both ends (weight 0 gives x, weight 1 gives the end).
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T {
    Swift.abs(s) < 0.5 ? x + s * (a - x) : a - (a - x) * (1 - s)
  }
}
enum SqrtUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T {
    x.squareRoot()
  }
}
enum NegateUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T { -x }
}
enum MaximumUpdate: InPlaceUpdateKernel {
  // NaN wins, as in torch.maximum.
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T {
    x != x ? x : (a != a ? a : (x >= a ? x : a))
  }
}
enum ClampMinUpdate: InPlaceUpdateKernel {
  // A NaN element stays NaN (the comparison is false).
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T {
    x < s ? s : x
  }
}
enum ClampMaxUpdate: InPlaceUpdateKernel {
  @inline(__always) static func apply<T: FloatScalar>(_ x: T, _ a: T, _ b: T, _ s: T) -> T {
    x > s ? s : x
  }
}

extension Tensor {
  /// `self += alpha · other` (`add_(other, alpha=)`).
  @discardableResult
  public func add_(_ other: Tensor, alpha: Double = 1) -> Tensor {
    update("add_", other, nil, alpha, AddScaledUpdate.self) {
      alpha == 1 ? self + other : self + other * alpha
    }
  }

  /// `self += scalar`.
  @discardableResult
  public func add_(_ scalar: Double) -> Tensor {
    update("add_", nil, nil, scalar, AddScalarUpdate.self) { self + scalar }
  }

  /// `self *= scalar` (`mul_`).
  @discardableResult
  public func mul_(_ scalar: Double) -> Tensor {
    update("mul_", nil, nil, scalar, ScaleUpdate.self) { self * scalar }
  }

  /// `self *= other` elementwise (`mul_`); `other` broadcasts to this tensor's shape.
  @discardableResult
  public func mul_(_ other: Tensor) -> Tensor {
    update("mul_", other, nil, 0, MultiplyUpdate.self) { self.clone() * other }
  }

  /// `self /= scalar` (`div_`).
  @discardableResult
  public func div_(_ scalar: Double) -> Tensor {
    update("div_", nil, nil, scalar, DivideByScalarUpdate.self) { self / scalar }
  }

  /// `self /= other` elementwise (`div_`); `other` broadcasts to this tensor's shape.
  @discardableResult
  public func div_(_ other: Tensor) -> Tensor {
    update("div_", other, nil, 0, DivideUpdate.self) { self.clone() / other }
  }

  /// `self += value · a · b` (`addcmul_`): Adam's second moment update.
  @discardableResult
  public func addcmul_(_ a: Tensor, _ b: Tensor, value: Double = 1) -> Tensor {
    update("addcmul_", a, b, value, AddcmulUpdate.self) { self + a * b * value }
  }

  /// `self += value · a / b` (`addcdiv_`): Adam's parameter update.
  @discardableResult
  public func addcdiv_(_ a: Tensor, _ b: Tensor, value: Double = 1) -> Tensor {
    update("addcdiv_", a, b, value, AddcdivUpdate.self) { self + a / b * value }
  }

  /// `self += weight · (end − self)` (`lerp_`): an exponential moving average toward `end`.
  @discardableResult
  public func lerp_(_ end: Tensor, weight: Double) -> Tensor {
    update("lerp_", end, nil, weight, LerpUpdate.self) { self + (end - self) * weight }
  }

  /// Square root of every element, in place (`sqrt_`).
  @discardableResult
  public func sqrt_() -> Tensor {
    update("sqrt_", nil, nil, 0, SqrtUpdate.self) { self.sqrt() }
  }

  /// Negates every element, in place (`neg_`).
  @discardableResult
  public func neg_() -> Tensor {
    update("neg_", nil, nil, 0, NegateUpdate.self) { -self }
  }

  /// The elementwise maximum with `other`, in place (`maximum_`, NaN wins): AMSGrad's running
  /// maximum of the second moment.
  @discardableResult
  public func maximum_(_ other: Tensor) -> Tensor {
    update("maximum_", other, nil, 0, MaximumUpdate.self) { self.clone().maximum(other) }
  }

  /// Limits every element to `[min, max]`, in place (`clamp_`): `clipGradValue_`'s update.
  /// NaN stays NaN; as in PyTorch, `max` wins when `min > max`.
  @discardableResult
  public func clamp_(min lower: Double? = nil, max upper: Double? = nil) -> Tensor {
    guard lower != nil || upper != nil else {
      opFailure(
        "clamp_", "At least one of 'min' or 'max' must not be None (shape \(shapeText(shape)))")
    }
    // Two passes, lower bound first; with autograd recording the first pass records the
    // whole clamp and the second is skipped.
    let formula = { self.clone().clamp(min: lower, max: upper) }
    let recorded = GradMode.isEnabled && requiresGradFlag
    if let lower { update("clamp_", nil, nil, lower, ClampMinUpdate.self, formula: formula) }
    if let upper, !(recorded && lower != nil) {
      update("clamp_", nil, nil, upper, ClampMaxUpdate.self, formula: formula)
    }
    return self
  }

  // MARK: Driver

  /// Checks the write, then either runs `formula` through autograd (when it records and a
  /// tensor involved needs a gradient) or applies `K` in place; bumps the version either way.
  /// A formula whose backward needs this tensor's old value reads a clone of it, since the
  /// write below changes it (PyTorch saves the original too).
  /// Two optional operands rather than an array: an array would allocate on every call.
  @inline(__always) @discardableResult
  private func update<K: InPlaceUpdateKernel>(
    _ op: String, _ a: Tensor?, _ b: Tensor?, _ scalar: Double, _: K.Type,
    formula: () -> Tensor
  ) -> Tensor {
    checkInPlaceWrite(op)
    guard dtype.isFloatingPoint else {
      opFailure(
        op,
        "in-place math needs a floating-point tensor, got \(dtype) (shape \(shapeText(shape))). Convert first with to(.float32)."
      )
    }
    checkOperand(a, op: op)
    checkOperand(b, op: op)
    let recording =
      GradMode.isEnabled
      && (requiresGradFlag || a?.requiresGradFlag == true || b?.requiresGradFlag == true)
    if recording {
      let result = formula()
      writeInPlace(result, AssignKernel.self, op: op)
      gradFn = result.gradFn
      requiresGradFlag = true
      return self
    }
    switch dtype {
    case .float32: applyUpdate(K.self, a, b, Float(scalar))
    case .float64: applyUpdate(K.self, a, b, scalar)
    case .int64, .bool: break  // refused above
    }
    storage.version += 1
    return self
  }

  /// The kernel loop. Fast path: this tensor and every operand contiguous, of its dtype and
  /// its element count; otherwise operands are broadcast and made dense (copies), and a
  /// strided self is updated through a dense copy written back.
  @inline(__always)
  private func applyUpdate<K: InPlaceUpdateKernel, T: FloatScalar>(
    _: K.Type, _ a: Tensor?, _ b: Tensor?, _ s: T
  ) {
    let n = count
    func ready(_ operand: Tensor?) -> Bool {
      guard let operand else { return true }
      return operand.dtype == dtype && operand.isContiguous && operand.count == n
    }
    guard isContiguous && ready(a) && ready(b) else {
      let target = isContiguous ? self : dense()
      func prepared(_ operand: Tensor?) -> Tensor? {
        operand.map { $0.converted(to: dtype).expandedData(to: shape) }
      }
      target.applyUpdate(K.self, prepared(a), prepared(b), s)
      if target !== self { writeInPlace(target, AssignKernel.self, op: "copy_") }
      return
    }
    let x = pointer(T.self)
    switch (a, b) {
    case (nil, nil):
      for i in 0..<n { x[i] = K.apply(x[i], x[i], x[i], s) }
    case (let a?, nil), (nil, let a?):
      let pa = UnsafePointer(a.pointer(T.self))
      for i in 0..<n { x[i] = K.apply(x[i], pa[i], pa[i], s) }
    case (let a?, let b?):
      let pa = UnsafePointer(a.pointer(T.self))
      let pb = UnsafePointer(b.pointer(T.self))
      for i in 0..<n { x[i] = K.apply(x[i], pa[i], pb[i], s) }
    }
  }

  /// Stops unless `operand` broadcasts to this tensor's shape (the result cannot grow).
  private func checkOperand(_ operand: Tensor?, op: String) {
    guard let operand else { return }
    let broadcast = broadcastShapes(shape, operand.shape, op: op)
    guard broadcast == shape else {
      opFailure(
        op,
        "output with shape \(shapeText(shape)) doesn't match the broadcast shape \(shapeText(broadcast)) (operand \(shapeText(operand.shape)))"
      )
    }
  }

  /// This tensor's data broadcast to `target` as a contiguous tensor, outside the graph.
  private func expandedData(to target: [Int]) -> Tensor {
    if shape == target && isContiguous { return self }
    let out = Tensor(uninitializedShape: target, dtype: dtype)
    out.writeInPlace(self, AssignKernel.self, op: "expand")
    return out
  }
}
