/// An optimizer's rule for one element: the parameter θ, its gradient g and its three state
/// slots (an unused slot reads 0 and its value is dropped). A value of a type of its own, not a
/// closure, so that the pass is specialised for each rule and the rule inlined into the loop
/// (a closure stayed a call per element, and the loop did not vectorise).
protocol ElementRule {
  associatedtype Scalar: FloatScalar
  func callAsFunction(
    _ θ: inout Scalar, _ g: Scalar, _ s0: inout Scalar, _ s1: inout Scalar, _ s2: inout Scalar)
}

/// A parameter's state buffers in the order of its rule's slots; nil where a slot is unused.
typealias SlotBuffers = (Tensor?, Tensor?, Tensor?)

/// One parameter's step as a single pass over memory: each element of the parameter is
/// updated by the rule, with its gradient and its elements of the state buffers.
///
/// The pass reads and writes the tensors' own memory when the parameter, its gradient and
/// its buffers are contiguous, of the parameter's dtype and size, and share no storage (the
/// usual case: no copy, no allocation). Otherwise it runs on dense copies and writes them
/// back, so that one loop serves every layout with the same arithmetic.
struct ElementPass<T: FloatScalar> {
  let param: Tensor
  let grad: Tensor
  let buffers: SlotBuffers
  /// True at the step that created the state's buffers (SGD's momentum buffer starts as the
  /// gradient itself).
  let stateIsNew: Bool

  init(_ param: Tensor, _ grad: Tensor, _ buffers: SlotBuffers, _ stateIsNew: Bool) {
    (self.param, self.grad, self.buffers, self.stateIsNew) = (param, grad, buffers, stateIsNew)
  }

  /// Applies `rule` to every element, in one pass.
  @inline(__always)
  func forEachElement<Rule: ElementRule>(_ rule: Rule) where Rule.Scalar == T {
    let copies = hasOwnDenseMemory(param, grad, buffers) ? nil : denseCopies()
    let memory = copies.map(PassMemory.init) ?? PassMemory(self)
    withExtendedLifetime(copies) {
      // A loop for each set of slots in use, so that no loop tests a slot per element.
      memory.slots.0 == nil ? memory.run(rule, Unused.self) : memory.run(rule, Used.self)
    }
    if let copies { writeBack(copies) } else { markWritten() }
  }

  /// The same pass over contiguous copies of every operand, in the parameter's dtype.
  @inline(never)
  private func denseCopies() -> ElementPass {
    func copy(_ t: Tensor) -> Tensor { t.to(param.dtype).copyData() }
    let copied = (buffers.0.map(copy), buffers.1.map(copy), buffers.2.map(copy))
    return ElementPass(copy(param), copy(grad), copied, stateIsNew)
  }

  /// Copies the values `copies` computed into the operands they stand for.
  @inline(never)
  private func writeBack(_ copies: ElementPass) {
    param.copy_(copies.param)
    if let buffer = buffers.0, let copy = copies.buffers.0 { buffer.copy_(copy) }
    if let buffer = buffers.1, let copy = copies.buffers.1 { buffer.copy_(copy) }
    if let buffer = buffers.2, let copy = copies.buffers.2 { buffer.copy_(copy) }
  }

  /// Marks the parameter and the buffers changed, as every in-place write does.
  private func markWritten() {
    param.storage.version += 1
    buffers.0?.storage.version += 1
    buffers.1?.storage.version += 1
    buffers.2?.storage.version += 1
  }
}

/// True when every operand is contiguous, of the parameter's dtype and shape (the gradient's
/// shape is checked before), with storage no other operand shares.
private func hasOwnDenseMemory(_ p: Tensor, _ g: Tensor, _ b: SlotBuffers) -> Bool {
  func fits(_ buffer: Tensor?) -> Bool {
    guard let buffer else { return true }
    return buffer.dtype == p.dtype && buffer.shape == p.shape && buffer.isContiguous
      && buffer.storage !== p.storage && buffer.storage !== g.storage
  }
  func apart(_ t: Tensor?, _ u: Tensor?) -> Bool {
    guard let t, let u else { return true }
    return t.storage !== u.storage
  }
  return g.dtype == p.dtype && p.isContiguous && g.isContiguous && g.storage !== p.storage
    && fits(b.0) && fits(b.1) && fits(b.2) && apart(b.0, b.1) && apart(b.0, b.2)
    && apart(b.1, b.2)
}

/// The memory a pass reads and writes, as pointers (the pass keeps the tensors alive).
private struct PassMemory<T: FloatScalar> {
  let count: Int
  let theta: UnsafeMutablePointer<T>
  let grad: UnsafePointer<T>
  let slots: (UnsafeMutablePointer<T>?, UnsafeMutablePointer<T>?, UnsafeMutablePointer<T>?)

  @inline(__always)
  init(_ pass: ElementPass<T>) {
    count = pass.param.count
    theta = pass.param.pointer(T.self)
    grad = UnsafePointer(pass.grad.pointer(T.self))
    slots = (
      pass.buffers.0?.pointer(T.self), pass.buffers.1?.pointer(T.self),
      pass.buffers.2?.pointer(T.self)
    )
  }

  /// Picks the loop for the slots in use, one slot at a time, then runs it.
  @inline(__always)
  func run<Rule: ElementRule, S0: SlotUse>(_ rule: Rule, _: S0.Type) where Rule.Scalar == T {
    slots.1 == nil ? run(rule, S0.self, Unused.self) : run(rule, S0.self, Used.self)
  }

  @inline(__always)
  func run<Rule: ElementRule, S0: SlotUse, S1: SlotUse>(_ rule: Rule, _: S0.Type, _: S1.Type)
  where Rule.Scalar == T {
    slots.2 == nil
      ? loop(rule, S0.self, S1.self, Unused.self) : loop(rule, S0.self, S1.self, Used.self)
  }

  /// The pass itself.
  @inline(__always)
  func loop<Rule: ElementRule, S0: SlotUse, S1: SlotUse, S2: SlotUse>(
    _ rule: Rule, _: S0.Type, _: S1.Type, _: S2.Type
  ) where Rule.Scalar == T {
    // A large parameter is split over the thread pool; each element sees the same arithmetic
    // whichever thread runs it. Up to five streams per element: a quarter of the elementwise
    // grain.
    splitRanges(count, grain: elementwiseGrain / 4) { range in
      for i in range {
        var θ = theta[i]
        var (s0, s1, s2) = (S0.load(slots.0, i), S1.load(slots.1, i), S2.load(slots.2, i))
        rule(&θ, grad[i], &s0, &s1, &s2)
        theta[i] = θ
        S0.store(s0, slots.0, i)
        S1.store(s1, slots.1, i)
        S2.store(s2, slots.2, i)
      }
    }
  }
}

/// Whether a loop reads and writes a slot: a loop for each combination of slots in use.
private protocol SlotUse {
  static func load<T: FloatScalar>(_ slot: UnsafeMutablePointer<T>?, _ i: Int) -> T
  static func store<T: FloatScalar>(_ value: T, _ slot: UnsafeMutablePointer<T>?, _ i: Int)
}

private enum Used: SlotUse {
  @inline(__always)
  static func load<T: FloatScalar>(_ slot: UnsafeMutablePointer<T>?, _ i: Int) -> T {
    slot.unsafelyUnwrapped[i]
  }
  @inline(__always)
  static func store<T: FloatScalar>(_ value: T, _ slot: UnsafeMutablePointer<T>?, _ i: Int) {
    slot.unsafelyUnwrapped[i] = value
  }
}

private enum Unused: SlotUse {
  @inline(__always)
  static func load<T: FloatScalar>(_ slot: UnsafeMutablePointer<T>?, _ i: Int) -> T { 0 }
  @inline(__always)
  static func store<T: FloatScalar>(_ value: T, _ slot: UnsafeMutablePointer<T>?, _ i: Int) {}
}
