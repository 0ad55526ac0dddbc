// Fused in-place math with PyTorch's names (`add_`, `mul_`, `addcmul_`, `addcdiv_`, `lerp_`,
// `sqrt_`, …): what optimizers and users update tensors with.
//
// Each writes into this tensor's own elements in one pass with an elementwise kernel,
// allocating nothing when the operands are contiguous float tensors of this tensor's shape
// and dtype (other operands are broadcast and converted first, which copies). As with `+=`: a
// leaf that requires grad may only change inside `noGrad`, every write bumps the storage
// version, and while autograd records, a tensor in the graph is updated through the
// differentiable out-of-place ops. Arithmetic follows PyTorch's CPU kernels term by term
// (`x + s·a·b`, `x + s·a/b`), with the scalar rounded to the tensor's dtype first, but without
// fused multiply-adds, which PyTorch's vectorised `add(alpha=)`, `lerp` and `addcmul` use:
// results may differ from PyTorch's in the last bit.

/// x·s: `mul_(scalar)`.
struct ScaleKernel: UnaryKernel {
  let factor: Double
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { x * T(fromDouble: factor) }
}
/// x/s: `div_(scalar)`.
struct DivideByKernel: UnaryKernel {
  let divisor: Double
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { x / T(fromDouble: divisor) }
}
/// x + s: `add_(scalar)`.
struct AddScalarKernel: UnaryKernel {
  let addend: Double
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { x + T(fromDouble: addend) }
}
struct NegateKernel: UnaryKernel {
  func callAsFunction<T: FloatScalar>(_ x: T) -> T { -x }
}

extension Tensor {
  /// `self += alpha · other` (`add_(other, alpha=)`).
  @discardableResult
  public func add_(_ other: Tensor, alpha: Double = 1) -> Tensor {
    update("add_", other) {
      self.applyInPlace(other, AddScaledKernel(alpha: alpha))
    } formula: {
      alpha == 1 ? self + other : self + other * alpha
    }
  }

  /// `self += scalar`.
  @discardableResult
  public func add_(_ scalar: Double) -> Tensor {
    update("add_") {
      self.applyInPlace(AddScalarKernel(addend: scalar))
    } formula: {
      self + scalar
    }
  }

  /// `self *= scalar` (`mul_`).
  @discardableResult
  public func mul_(_ scalar: Double) -> Tensor {
    update("mul_") {
      self.applyInPlace(ScaleKernel(factor: scalar))
    } formula: {
      self * scalar
    }
  }

  /// `self *= other` elementwise (`mul_`); `other` broadcasts to this tensor's shape.
  @discardableResult
  public func mul_(_ other: Tensor) -> Tensor {
    update("mul_", other) {
      self.applyInPlace(other, MultiplyKernel())
    } formula: {
      self.clone() * other
    }
  }

  /// `self /= scalar` (`div_`).
  @discardableResult
  public func div_(_ scalar: Double) -> Tensor {
    update("div_") {
      self.applyInPlace(DivideByKernel(divisor: scalar))
    } formula: {
      self / scalar
    }
  }

  /// `self /= other` elementwise (`div_`); `other` broadcasts to this tensor's shape.
  @discardableResult
  public func div_(_ other: Tensor) -> Tensor {
    update("div_", other) {
      self.applyInPlace(other, DivideKernel())
    } formula: {
      self.clone() / other
    }
  }

  /// `self += value · a · b` (`addcmul_`): Adam's second moment update.
  @discardableResult
  public func addcmul_(_ a: Tensor, _ b: Tensor, value: Double = 1) -> Tensor {
    addTerm("addcmul_", a, b, ScaledProductKernel(scale: value)) { self + a * b * value }
  }

  /// `self += value · a / b` (`addcdiv_`): Adam's parameter update.
  @discardableResult
  public func addcdiv_(_ a: Tensor, _ b: Tensor, value: Double = 1) -> Tensor {
    addTerm("addcdiv_", a, b, ScaledQuotientKernel(scale: value)) { self + a / b * value }
  }

  /// `self += weight · (end − self)` (`lerp_`): an exponential moving average toward `end`.
  @discardableResult
  public func lerp_(_ end: Tensor, weight: Double) -> Tensor {
    update("lerp_", end) {
      self.applyInPlace(end, LerpKernel(weight: weight))
    } formula: {
      self + (end - self) * weight
    }
  }

  /// Square root of every element, in place (`sqrt_`).
  @discardableResult
  public func sqrt_() -> Tensor {
    update("sqrt_") {
      self.applyInPlace(SqrtKernel())
    } formula: {
      self.sqrt()
    }
  }

  /// Negates every element, in place (`neg_`).
  @discardableResult
  public func neg_() -> Tensor {
    update("neg_") {
      self.applyInPlace(NegateKernel())
    } formula: {
      -self
    }
  }

  /// The elementwise maximum with `other`, in place (`maximum_`, NaN wins): AMSGrad's running
  /// maximum of the second moment.
  @discardableResult
  public func maximum_(_ other: Tensor) -> Tensor {
    update("maximum_", other) {
      self.applyInPlace(other, MaximumKernel())
    } formula: {
      self.clone().maximum(other)
    }
  }

  /// Limits every element to `[min, max]`, in place (`clamp_`): `clipGradValue_`'s update.
  /// NaN stays NaN; as in PyTorch, `max` wins when `min > max`.
  @discardableResult
  public func clamp_(min lower: Double? = nil, max upper: Double? = nil) -> Tensor {
    guard lower != nil || upper != nil else {
      return Tensor.failed(
        OpError(
          "clamp_",
          "At least one of 'min' or 'max' must not be None (shape \(shapeText(shape)))"),
        inputs: [self])
    }
    return update("clamp_") {
      // The lower bound first, then the upper one, which therefore wins.
      if let lower { self.applyInPlace(ClampKernel(lower: lower, upper: nil)) }
      if let upper { self.applyInPlace(ClampKernel(lower: nil, upper: upper)) }
    } formula: {
      self.clone().clamp(min: lower, max: upper)
    }
  }

  // MARK: Driver

  /// `self += term(a, b)`, the term computed whole by `kernel` and then added, as PyTorch's
  /// `addcmul_` and `addcdiv_` order their operations ((value·a)·b, then the sum); `formula` is
  /// the same update in differentiable ops, used while recording.
  private func addTerm<K: BinaryKernel>(
    _ op: String, _ a: Tensor, _ b: Tensor, _ kernel: K, formula: () -> Tensor
  ) -> Tensor {
    update(op, a, b) {
      let term = binary(a, b, to: self.shape, kernel)
      self.applyInPlace(term, AddKernel())
    } formula: {
      formula()
    }
  }

  /// Checks the write, then either runs `formula` through autograd (when it records and a
  /// tensor involved needs a gradient) or `write`s in place; bumps the version either way.
  /// A formula whose backward needs this tensor's old value reads a clone of it, since the
  /// write changes it (PyTorch saves the original too).
  @discardableResult
  private func update(
    _ op: String, _ a: Tensor? = nil, _ b: Tensor? = nil, write: () -> Void,
    formula: () -> Tensor
  ) -> Tensor {
    if b?.isPoisoned == true { return Tensor.poisoned(dtype) }
    return Tensor.op(self, a ?? self) { () throws(OpError) in
      try checkInPlaceWrite(op)
      guard dtype.isFloatingPoint else {
        throw OpError(
          op,
          "in-place math needs a floating-point tensor, got \(dtype) (shape \(shapeText(shape))). Convert first with to(.float32)."
        )
      }
      if let a { try checkBroadcastsInto(a, op: op, role: "operand") }
      if let b { try checkBroadcastsInto(b, op: op, role: "operand") }
      let recording =
        GradMode.isEnabled
        && (requiresGradFlag || a?.requiresGradFlag == true || b?.requiresGradFlag == true)
      if recording {
        try adopt(formula())
      } else {
        write()
        storage.version += 1
      }
      return self
    }
  }
}
