/// The base of optimizers, like `torch.optim.Optimizer`: parameter groups with their
/// hyper-parameters, per-parameter state, `zeroGrad`, `step`, and the state dict.
///
/// ```swift
/// let optimizer = Adam(model.parameters(), lr: 1e-3)
/// for (x, y) in batches {
///   optimizer.zeroGrad()
///   ((model(x) - y) ** 2).mean().backward()
///   optimizer.step()
/// }
/// ```
///
/// The built-in optimizers hold nothing but their default options and an update rule for one
/// element; this class runs it over every parameter whose `grad` is set (parameters without
/// one are skipped) in a single pass over memory, keeping the buffers in `state(for:)`. State
/// buffers are made at a parameter's first step and updated in place after that, so a step
/// allocates no tensors once every parameter has taken one. A subclass of its own passes
/// `defaults` and overrides `step()`.
open class Optimizer {
  /// The groups, in order; change hyper-parameters here (`paramGroups[0].lr = 0.01`).
  public var paramGroups: [ParamGroup] = [] {
    didSet { decodedGroups = nil }
  }
  /// The hyper-parameters a group gets for every name it leaves out.
  public let defaults: HyperParameters
  /// Per-parameter state, by parameter identity (PyTorch keys it by the tensor too).
  var state: [ObjectIdentifier: ParamState] = [:]
  /// The update rule of a built-in optimizer, as its default options; nil for a subclass
  /// that implements `step()` itself.
  let rule: (any ElementwiseRule)?
  /// The groups' options as `rule` reads them, kept between steps until a group changes.
  var decodedGroups: AnyObject?

  /// An optimizer of `groups`, each completed from `defaults` and checked by `validate`.
  /// For a subclass that implements `step()`.
  public init(_ groups: [ParamGroup], defaults: HyperParameters) {
    (self.defaults, self.rule) = (defaults, nil)
    addGroups(groups)
  }

  /// An optimizer of `groups` that steps with `rule`, whose values are the defaults.
  init(_ groups: [ParamGroup], rule: some ElementwiseRule) {
    (self.defaults, self.rule) = (rule.hyperParameters, rule)
    addGroups(groups)
  }

  private func addGroups(_ groups: [ParamGroup]) {
    if groups.isEmpty { opFailure(typeName, "optimizer got an empty parameter list") }
    for group in groups { addParamGroup(group) }
  }

  /// The class name, as messages show it (`SGD`, `Adam`).
  public var typeName: String { String(describing: type(of: self)) }

  /// Adds a group (`add_param_group`), e.g. layers unfrozen while fine-tuning. The names it
  /// leaves out take the defaults. Stops when a tensor cannot be optimized (not float, not a
  /// leaf, not requiring grad) or already belongs to a group, or a value is invalid.
  open func addParamGroup(_ group: ParamGroup) {
    var group = group
    group.options = group.options.filling(from: defaults)
    let index = paramGroups.count
    var seen = Set<ObjectIdentifier>()
    for other in paramGroups { for p in other.params { seen.insert(ObjectIdentifier(p)) } }
    for (position, p) in group.params.enumerated() {
      let which =
        "parameter \(position) of param group \(index) (shape \(shapeText(p.shape)), \(p.dtype))"
      if !p.dtype.isFloatingPoint {
        opFailure(
          typeName,
          "optimizer can only optimize Tensors of floating point dtype, but \(which) is not. Convert it with to(.float32) before making it a parameter."
        )
      }
      if !p.isLeaf {
        opFailure(
          typeName,
          "can't optimize a non-leaf Tensor: \(which) was made by \(p.gradFn!.name). Optimize the leaf it came from, or detach() it and set requiresGrad."
        )
      }
      if !p.requiresGrad {
        opFailure(
          typeName,
          "optimizer can only optimize Tensors that require grad, but \(which) does not. Set requiresGrad = true on it, or leave it out."
        )
      }
      if !seen.insert(ObjectIdentifier(p)).inserted {
        opFailure(
          typeName,
          "some parameters appear more than once in the param groups: \(which) was already given. Pass each tensor once."
        )
      }
    }
    if let problem = validate(group.options) {
      opFailure(typeName, "\(problem) (param group \(index))")
    }
    paramGroups.append(group)
  }

  /// A message when `options` cannot be used (PyTorch's `ValueError`s: "Invalid learning
  /// rate: -1.0"), else nil. A built-in optimizer checks its own options; otherwise the
  /// values PyTorch's optimizers share must not be negative.
  open func validate(_ options: HyperParameters) -> String? {
    if let rule { return rule.problem(with: options) }
    let shared =
      [("learning rate", options.lr), ("epsilon value", options.eps)]
      + [("weight_decay value", options.weightDecay), ("momentum value", options.momentum)]
    for case (let what, let value?) in shared where !(value >= 0) {
      return "Invalid \(what): \(value)"
    }
    return nil
  }

  /// The state keys a parameter's saved state must have under `options` (besides none at
  /// all, for a parameter that never stepped); `loadStateDict` refuses a dict without them.
  open func requiredStateKeys(_ options: HyperParameters) -> [String] {
    rule?.stateKeys(under: options) ?? []
  }

  /// Clears every parameter's gradient (`zero_grad`): to nil by default, as PyTorch's
  /// `set_to_none=True` does, so that a parameter no loss reached is skipped by the next step;
  /// or to zeros, keeping the gradient tensors.
  public func zeroGrad(setToNil: Bool = true) {
    for group in paramGroups {
      for p in group.params {
        if setToNil { p.grad = nil } else { noGrad { _ = p.grad?.zero_() } }
      }
    }
  }

  /// Updates every parameter that has a gradient, once.
  open func step() {
    guard let rule else {
      fatalError("\(typeName): Optimizer.step() is not implemented; override it in the subclass")
    }
    rule.step(self)
  }

  /// Evaluates `closure` (forward and backward) with gradients on, then steps; returns its loss.
  @discardableResult
  public func step(_ closure: () -> Tensor) -> Tensor {
    let loss = enableGrad(closure)
    step()
    return loss
  }

  /// The state of `param`, created empty the first time (`optimizer.state[p]`).
  public func state(for param: Tensor) -> ParamState {
    let key = ObjectIdentifier(param)
    if let existing = state[key] { return existing }
    let created = ParamState()
    created.parameter = param
    state[key] = created
    return created
  }
}
