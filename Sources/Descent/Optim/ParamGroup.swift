/// Tensors optimized together with their own hyper-parameters, like one entry of PyTorch's
/// `optimizer.param_groups`.
///
/// ```swift
/// let optimizer = SGD([
///   ParamGroup(model.features.parameters()),
///   ParamGroup(model.classifier.parameters(), lr: 1e-3),
/// ], lr: 1e-2, momentum: 0.9)
/// optimizer.paramGroups[1].lr = 1e-4
/// ```
///
/// The hyper-parameters read and write through to `options`, by property for the names
/// PyTorch's optimizers share (`group.lr`, `group.momentum`) and by PyTorch's name for any
/// (`group["lr"]`).
@dynamicMemberLookup
public struct ParamGroup {
  /// The tensors this group updates.
  public var params: [Tensor]
  /// The group's hyper-parameters; names it lacks take the optimizer's defaults when added.
  public var options: HyperParameters

  /// A group with the given hyper-parameters; the others come from the optimizer.
  public init(
    _ params: [Tensor], lr: Double? = nil, momentum: Double? = nil, dampening: Double? = nil,
    weightDecay: Double? = nil, nesterov: Bool? = nil, maximize: Bool? = nil,
    betas: (Double, Double)? = nil, eps: Double? = nil, amsgrad: Bool? = nil,
    lrDecay: Double? = nil, initialAccumulatorValue: Double? = nil, alpha: Double? = nil,
    centered: Bool? = nil
  ) {
    self.params = params
    self.options = HyperParameters(
      lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
      nesterov: nesterov, maximize: maximize, betas: betas, eps: eps, amsgrad: amsgrad,
      lrDecay: lrDecay, initialAccumulatorValue: initialAccumulatorValue, alpha: alpha,
      centered: centered)
  }

  /// A group with hyper-parameters given as a whole, e.g. under PyTorch's names:
  /// `ParamGroup(params, options: ["lr": 1e-3, "betas": [0.8, 0.99]])`.
  public init(_ params: [Tensor], options: HyperParameters) {
    self.params = params
    self.options = options
  }

  /// A hyper-parameter of `options`, read and written as the group's own (`group.lr`).
  public subscript<Value>(dynamicMember key: WritableKeyPath<HyperParameters, Value>) -> Value {
    get { options[keyPath: key] }
    set { options[keyPath: key] = newValue }
  }

  /// The hyper-parameter under PyTorch's `name` (`group["weight_decay"]`); nil removes it.
  public subscript(name: String) -> HyperValue? {
    get { options[name] }
    set { options[name] = newValue }
  }
}

/// What an optimizer's initialiser takes a list of, as PyTorch's `params` argument: tensors,
/// which form one group, or parameter groups.
///
/// ```swift
/// SGD(model.parameters(), lr: 0.1)
/// SGD([ParamGroup(backbone.parameters()), ParamGroup(head.parameters(), lr: 1)], lr: 0.1)
/// ```
public protocol ParamGroupConvertible {
  /// The groups a list of these values stands for.
  static func paramGroups(_ list: [Self]) -> [ParamGroup]
}

extension Tensor: ParamGroupConvertible {
  /// One group holding the tensors (none for an empty list, which the optimizer refuses).
  public static func paramGroups(_ list: [Tensor]) -> [ParamGroup] {
    list.isEmpty ? [] : [ParamGroup(list, options: HyperParameters())]
  }
}

extension ParamGroup: ParamGroupConvertible {
  /// The groups themselves.
  public static func paramGroups(_ list: [ParamGroup]) -> [ParamGroup] { list }
}
