/// The hyper-parameters of a parameter group: PyTorch's `param_group` dict without `params`.
///
/// A nil field takes the optimizer's default when the group is added, so after that every
/// field the optimizer reads is set. Fields an optimizer does not use are kept but ignored,
/// as PyTorch keeps unknown keys. Learning-rate schedulers change `lr` and set `initialLr`.
public struct HyperParameters: Sendable {
  /// Learning rate (`lr`).
  public var lr: Double?
  /// Momentum factor (`momentum`; SGD, RMSprop).
  public var momentum: Double?
  /// Dampening for momentum (`dampening`; SGD).
  public var dampening: Double?
  /// L2 penalty, or AdamW's decoupled decay (`weight_decay`).
  public var weightDecay: Double?
  /// Nesterov momentum (`nesterov`; SGD).
  public var nesterov: Bool?
  /// Ascend the objective instead of descending (`maximize`).
  public var maximize: Bool?
  /// Decay rates of the first and second moment averages (`betas`; Adam, AdamW).
  public var betas: (Double, Double)?
  /// Term added to the denominator for numerical stability (`eps`).
  public var eps: Double?
  /// Use the maximum of past second moments (`amsgrad`; Adam, AdamW).
  public var amsgrad: Bool?
  /// Decay the weights directly instead of adding them to the gradient
  /// (`decoupled_weight_decay`; true for AdamW).
  public var decoupledWeightDecay: Bool?
  /// Learning-rate decay (`lr_decay`; Adagrad).
  public var lrDecay: Double?
  /// Starting value of the sum of squared gradients (`initial_accumulator_value`; Adagrad).
  public var initialAccumulatorValue: Double?
  /// Smoothing constant of the squared-gradient average (`alpha`; RMSprop).
  public var alpha: Double?
  /// Normalise by the estimated variance instead of the second moment (`centered`; RMSprop).
  public var centered: Bool?
  /// The learning rate a scheduler started from (`initial_lr`).
  public var initialLr: Double?

  /// Hyper-parameters with the given values; nil ones take the optimizer's defaults.
  public init(
    lr: Double? = nil, momentum: Double? = nil, dampening: Double? = nil,
    weightDecay: Double? = nil, nesterov: Bool? = nil, maximize: Bool? = nil,
    betas: (Double, Double)? = nil, eps: Double? = nil, amsgrad: Bool? = nil,
    decoupledWeightDecay: Bool? = nil, lrDecay: Double? = nil,
    initialAccumulatorValue: Double? = nil, alpha: Double? = nil, centered: Bool? = nil,
    initialLr: Double? = nil
  ) {
    self.lr = lr
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    self.maximize = maximize
    self.betas = betas
    self.eps = eps
    self.amsgrad = amsgrad
    self.decoupledWeightDecay = decoupledWeightDecay
    self.lrDecay = lrDecay
    self.initialAccumulatorValue = initialAccumulatorValue
    self.alpha = alpha
    self.centered = centered
    self.initialLr = initialLr
  }

  /// These values, with every nil field taken from `defaults` (PyTorch's `setdefault`).
  public func filling(from defaults: HyperParameters) -> HyperParameters {
    var out = self
    out.lr = lr ?? defaults.lr
    out.momentum = momentum ?? defaults.momentum
    out.dampening = dampening ?? defaults.dampening
    out.weightDecay = weightDecay ?? defaults.weightDecay
    out.nesterov = nesterov ?? defaults.nesterov
    out.maximize = maximize ?? defaults.maximize
    out.betas = betas ?? defaults.betas
    out.eps = eps ?? defaults.eps
    out.amsgrad = amsgrad ?? defaults.amsgrad
    out.decoupledWeightDecay = decoupledWeightDecay ?? defaults.decoupledWeightDecay
    out.lrDecay = lrDecay ?? defaults.lrDecay
    out.initialAccumulatorValue = initialAccumulatorValue ?? defaults.initialAccumulatorValue
    out.alpha = alpha ?? defaults.alpha
    out.centered = centered ?? defaults.centered
    out.initialLr = initialLr ?? defaults.initialLr
    return out
  }
}

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
/// The hyper-parameters read and write through to `options` (`group.lr`, `group.momentum`).
@dynamicMemberLookup
public struct ParamGroup {
  /// The tensors this group updates.
  public var params: [Tensor]
  /// The group's hyper-parameters; nil fields take the optimizer's defaults when added.
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

  /// A group with hyper-parameters given as a whole.
  public init(_ params: [Tensor], options: HyperParameters) {
    self.params = params
    self.options = options
  }

  /// A hyper-parameter of `options`, read and written as the group's own (`group.lr`).
  public subscript<Value>(dynamicMember key: WritableKeyPath<HyperParameters, Value>) -> Value {
    get { options[keyPath: key] }
    set { options[keyPath: key] = newValue }
  }

  /// A value the optimizer filled in when the group was added; stops, naming the field, when
  /// it was set to nil afterwards.
  func required<Value>(
    _ key: KeyPath<HyperParameters, Value?>, _ name: String, op: @autoclosure () -> String
  ) -> Value {
    guard let value = options[keyPath: key] else {
      opFailure(
        op(),
        "param group has no value for '\(name)'; set it (it was set to nil after the group was added)"
      )
    }
    return value
  }
}
