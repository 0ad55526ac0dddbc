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
/// A subclass holds nothing but its defaults; its `step()` runs one update function per
/// parameter, which keeps its buffers in `state(for:)`. Parameters whose `grad` is nil are
/// skipped. State buffers are made at a parameter's first step and updated in place after
/// that, so a step allocates no tensors once every parameter has taken one.
open class Optimizer {
  /// The groups, in order; change hyper-parameters here (`paramGroups[0].lr = 0.01`).
  public var paramGroups: [ParamGroup] = []
  /// The hyper-parameters a group gets for every field it leaves nil.
  public let defaults: HyperParameters
  /// Per-parameter state, by parameter identity (PyTorch keys it by the tensor too).
  var state: [ObjectIdentifier: ParamState] = [:]

  /// An optimizer of `groups`, each completed from `defaults` and checked by `validate`.
  public init(_ groups: [ParamGroup], defaults: HyperParameters) {
    self.defaults = defaults
    if groups.isEmpty { opFailure(typeName, "optimizer got an empty parameter list") }
    for group in groups { addParamGroup(group) }
  }

  /// One group holding `params` (e.g. `model.parameters()`): what the subclasses' `[Tensor]`
  /// initialisers pass on. Stops on an empty list, which is almost always a mistake.
  static func singleGroup(_ params: [Tensor], op: String) -> [ParamGroup] {
    if params.isEmpty { opFailure(op, "optimizer got an empty parameter list") }
    return [ParamGroup(params, options: HyperParameters())]
  }

  /// The class name, as messages show it (`SGD`, `Adam`).
  public var typeName: String { String(describing: type(of: self)) }

  /// Adds a group (`add_param_group`), e.g. layers unfrozen while fine-tuning. Its nil
  /// hyper-parameters take the defaults. Stops when a tensor cannot be optimized (not float,
  /// not a leaf, not requiring grad) or already belongs to a group, or a value is invalid.
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
  /// rate: -1.0"), else nil. Subclasses check their own fields after calling this.
  open func validate(_ options: HyperParameters) -> String? {
    if let lr = options.lr, !(lr >= 0) { return "Invalid learning rate: \(lr)" }
    if let eps = options.eps, !(eps >= 0) { return "Invalid epsilon value: \(eps)" }
    if let decay = options.weightDecay, !(decay >= 0) {
      return "Invalid weight_decay value: \(decay)"
    }
    if let momentum = options.momentum, !(momentum >= 0) {
      return "Invalid momentum value: \(momentum)"
    }
    return nil
  }

  /// The state keys a parameter's saved state must have under `options` (besides none at
  /// all, for a parameter that never stepped); `loadStateDict` refuses a dict without them.
  open func requiredStateKeys(_ options: HyperParameters) -> [String] { [] }

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

  /// Updates every parameter that has a gradient, once. Subclasses implement it.
  open func step() {
    fatalError("\(typeName): Optimizer.step() is not implemented; override it in the subclass")
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

  /// Runs `update(param, grad, state)` for each parameter of `group` whose gradient is set,
  /// after checking that the gradient fits the parameter.
  @inline(__always)
  func forEachGradient(in group: ParamGroup, _ update: (Tensor, Tensor, ParamState) -> Void) {
    // After an op error inside `withOpErrors`, a step changes no parameter.
    if OpErrorScope.hasFailed { return }
    for p in group.params {
      guard let grad = p.grad else { continue }
      guard grad.shape == p.shape else {
        opFailure(
          typeName,
          "the gradient of a parameter of shape \(shapeText(p.shape)) has shape \(shapeText(grad.shape)); a gradient must have its parameter's shape"
        )
      }
      update(p, grad, state(for: p))
    }
  }
}
