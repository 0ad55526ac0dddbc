/// The options of an optimizer whose step is one rule applied to every element of every
/// parameter: SGD, Adagrad, RMSprop, Adam and AdamW.
///
/// An optimizer states three things, next to its options: the state buffers it keeps
/// (`slots`), whether it counts steps, and `update`, its rule for one parameter. `update`
/// computes the step's scalars in Double, as PyTorch does in Python floats, rounds each once
/// to the parameter's type, then gives `pass.forEachElement` the rule for one element, an
/// `ElementRule` beside the options:
///
/// ```swift
/// func update<T: FloatScalar>(_ pass: ElementPass<T>, step: Double) {
///   pass.forEachElement(PlainStep<T>(γ: T(lr)))
/// }
/// struct PlainStep<T: FloatScalar>: ElementRule {
///   let γ: T
///   func callAsFunction(_ θ: inout T, _ g: T, _: inout T, _: inout T, _: inout T) { θ = θ - γ * g }
/// }
/// ```
///
/// Everything else is the base's: the loop over groups and parameters, the state, the
/// fused pass over memory and its fallback, the state dict and checkpoints.
protocol ElementwiseRule: OptimizerOptions {
  /// The state buffers under these options, one per slot of the rule (at most three), in
  /// the order PyTorch creates them; nil for a slot these options leave unused.
  var slots: [StateSlot?] { get }
  /// Whether the state counts steps (PyTorch's `state["step"]`); SGD keeps no count.
  static var countsSteps: Bool { get }
  /// One step of one parameter; `step` is the parameter's step count, this step included.
  func update<T: FloatScalar>(_ pass: ElementPass<T>, step: Double)
  /// Steps every parameter of `optimizer` that has a gradient. A requirement, with the
  /// default below, so that each rule gets its own specialised loop.
  func step(_ optimizer: Optimizer)
}

/// A state buffer: its PyTorch name and the value it starts from.
struct StateSlot {
  /// PyTorch's name (`"exp_avg"`).
  let key: String
  /// The value every element starts from: 0, or Adagrad's `initial_accumulator_value`.
  let initialValue: Double

  init(_ key: String, filledWith initialValue: Double = 0) {
    self.key = key
    self.initialValue = initialValue
  }
}

extension ElementwiseRule {
  static var countsSteps: Bool { true }

  func step(_ optimizer: Optimizer) {
    // After an op error inside `withOpErrors`, a step changes no parameter.
    if OpErrorScope.hasFailed { return }
    let decoded = Self.decodedGroups(of: optimizer)
    noGrad {
      for (group, (options, slots)) in zip(optimizer.paramGroups, decoded.groups) {
        for p in group.params {
          guard let grad = p.grad else { continue }
          guard grad.shape == p.shape else {
            opFailure(
              optimizer.typeName,
              "the gradient of a parameter of shape \(shapeText(p.shape)) has shape \(shapeText(grad.shape)); a gradient must have its parameter's shape"
            )
          }
          let state = optimizer.state(for: p)
          let (buffers, created) = state.slotBuffers(slots, of: decoded, like: p)
          if Self.countsSteps { state.step = (state.step ?? 0) + 1 }
          let t = state.step ?? 0
          // Parameters are float (others were refused when added).
          p.dtype.dispatchFloat(RuleStep(rule: options, pass: (p, grad, buffers, created), step: t))
        }
      }
    }
  }

  /// Each group's options and slots, read from its hyper-parameters at the first step after
  /// a group changed and kept until the next change.
  static func decodedGroups(of optimizer: Optimizer) -> DecodedGroups<Self> {
    if let cached = optimizer.decodedGroups as? DecodedGroups<Self> { return cached }
    let groups = optimizer.paramGroups.enumerated().map { index, group in
      do throws(OptionsProblem) {
        let options = try defaultsOf(optimizer).reading(group.options)
        return (options, options.slots)
      } catch {
        opFailure(optimizer.typeName, "param group \(index): \(error.message)")
      }
    }
    let decoded = DecodedGroups(groups)
    optimizer.decodedGroups = decoded
    return decoded
  }

  /// The optimizer's default options, as this rule's type.
  static func defaultsOf(_ optimizer: Optimizer) -> Self { optimizer.rule as! Self }

  /// PyTorch's message for `group`'s values, or nil when this optimizer can use them.
  func problem(with group: HyperParameters) -> String? {
    do throws(OptionsProblem) {
      return try reading(group).validate()
    } catch {
      return error.message
    }
  }

  /// The state keys a parameter stepped under `group`'s values has: `step` (for a rule that
  /// counts) and the slots' keys.
  func stateKeys(under group: HyperParameters) -> [String] {
    let slots = (try? reading(group).slots) ?? []
    return (Self.countsSteps ? ["step"] : []) + slots.compactMap { $0?.key }
  }

  /// Gives every parameter its state now, as PyTorch's Adagrad does when it is created;
  /// `initialValues` (one per slot) replace the groups' own starting values.
  func createState(in optimizer: Optimizer, filledWith initialValues: [Double]) {
    let decoded = Self.decodedGroups(of: optimizer)
    for (group, (_, groupSlots)) in zip(optimizer.paramGroups, decoded.groups) {
      let slots = zip(groupSlots, initialValues).map { slot, value in
        slot.map { StateSlot($0.key, filledWith: value) }
      }
      for p in group.params {
        let state = optimizer.state(for: p)
        _ = state.slotBuffers(slots, of: decoded, like: p)
        if Self.countsSteps && state.step == nil { state.step = 0 }
      }
    }
  }
}

/// One parameter's step under `rule`, run for the parameter's dtype by `dispatchFloat`.
struct RuleStep<Rule: ElementwiseRule>: FloatRoutine {
  let rule: Rule
  let pass: (param: Tensor, grad: Tensor, buffers: SlotBuffers, created: Bool)
  let step: Double

  @inline(__always)
  func run<T: FloatScalar>(_: T.Type) {
    rule.update(ElementPass<T>(pass.param, pass.grad, pass.buffers, pass.created), step: step)
  }
}

/// The decoded options of an optimizer's groups, kept by the optimizer between steps.
final class DecodedGroups<Rule: ElementwiseRule> {
  let groups: [(Rule, [StateSlot?])]
  init(_ groups: [(Rule, [StateSlot?])]) { self.groups = groups }
}
