import Foundation

/// One hyper-parameter's value, as PyTorch's `param_group` dict holds it: a number (`lr`), a
/// flag (`nesterov`) or a list of numbers (`betas`).
///
/// Literals make values directly: `["lr": 0.01, "nesterov": true, "betas": [0.9, 0.999]]`.
public enum HyperValue: Sendable, Equatable, Codable, CustomStringConvertible,
  ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByArrayLiteral
{
  /// A number, such as a learning rate.
  case number(Double)
  /// A flag, such as `nesterov`.
  case flag(Bool)
  /// Numbers, such as Adam's `betas`.
  case numbers([Double])

  /// The number, or nil for another kind of value.
  public var number: Double? { if case .number(let x) = self { x } else { nil } }
  /// The flag, or nil for another kind of value.
  public var flag: Bool? { if case .flag(let x) = self { x } else { nil } }
  /// The numbers, or nil for another kind of value.
  public var numbers: [Double]? { if case .numbers(let x) = self { x } else { nil } }

  /// A number written as a literal: `0.9`.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// A number written as an integer literal: `0`.
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  /// A flag written as a literal: `true`.
  public init(booleanLiteral value: Bool) { self = .flag(value) }
  /// Several numbers written as an array literal: `[0.9, 0.999]`.
  public init(arrayLiteral elements: Double...) { self = .numbers(elements) }

  /// Python's spelling: `0.001`, `True`, `(0.9, 0.999)`.
  public var description: String {
    switch self {
    case .number(let x): "\(x)"
    case .flag(let x): x ? "True" : "False"
    case .numbers(let x): "(" + x.map { "\($0)" }.joined(separator: ", ") + ")"
    }
  }

  /// A JSON number, `true`/`false`, or an array of numbers.
  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let flag = try? container.decode(Bool.self) {
      self = .flag(flag)
    } else if let number = try? container.decode(Double.self) {
      self = .number(number)
    } else {
      self = .numbers(try container.decode([Double].self))
    }
  }

  /// Writes the value as a JSON number, boolean or array of numbers, as PyTorch's state dict
  /// holds it.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .number(let x): try container.encode(x)
    case .flag(let x): try container.encode(x)
    case .numbers(let x): try container.encode(x)
    }
  }
}

/// The hyper-parameters of a parameter group under PyTorch's names: PyTorch's `param_group`
/// dict without `params`, in insertion order.
///
/// A name a group leaves out takes the optimizer's default when the group is added (PyTorch's
/// `setdefault`). Names an optimizer does not use are kept but ignored, as PyTorch keeps
/// unknown keys; learning-rate schedulers add `initial_lr`. Every name is reachable by
/// subscript (`options["momentum_decay"]`); the names PyTorch's optimizers share also have
/// typed properties (`options.lr`, `options.betas`).
public struct HyperParameters: Sendable, Equatable, ExpressibleByDictionaryLiteral {
  /// The names, in the order they were first set.
  public var names: [String] { values.keys }
  private var values = OrderedTable<HyperValue>()

  /// No values: every name takes the optimizer's default.
  public init() {}

  /// The given values, in the literal's order.
  public init(dictionaryLiteral elements: (String, HyperValue)...) {
    for (name, value) in elements { self[name] = value }
  }

  /// The value under PyTorch's `name`; setting nil removes it.
  public subscript(name: String) -> HyperValue? {
    get { values[name] }
    set { values[name] = newValue }
  }

  /// These values, with every name they lack taken from `defaults` (PyTorch's `setdefault`).
  public func filling(from defaults: HyperParameters) -> HyperParameters {
    var out = self
    for name in defaults.names where out[name] == nil { out[name] = defaults[name] }
    return out
  }

  /// Hyper-parameters with the given values under PyTorch's names; nil ones are left out and
  /// take the optimizer's defaults.
  public init(
    lr: Double? = nil, momentum: Double? = nil, dampening: Double? = nil,
    weightDecay: Double? = nil, nesterov: Bool? = nil, maximize: Bool? = nil,
    betas: (Double, Double)? = nil, eps: Double? = nil, amsgrad: Bool? = nil,
    decoupledWeightDecay: Bool? = nil, lrDecay: Double? = nil,
    initialAccumulatorValue: Double? = nil, alpha: Double? = nil, centered: Bool? = nil,
    initialLr: Double? = nil
  ) {
    (self.lr, self.momentum, self.dampening, self.weightDecay) =
      (lr, momentum, dampening, weightDecay)
    (self.nesterov, self.maximize, self.betas, self.eps) = (nesterov, maximize, betas, eps)
    (self.amsgrad, self.decoupledWeightDecay, self.lrDecay) =
      (amsgrad, decoupledWeightDecay, lrDecay)
    (self.initialAccumulatorValue, self.alpha, self.centered, self.initialLr) =
      (initialAccumulatorValue, alpha, centered, initialLr)
  }

  // MARK: Typed access to the names PyTorch's optimizers share

  /// Learning rate (`lr`).
  public var lr: Double? {
    get { self["lr"]?.number }
    set { self["lr"] = newValue.map { .number($0) } }
  }
  /// Momentum factor (`momentum`; SGD, RMSprop).
  public var momentum: Double? {
    get { self["momentum"]?.number }
    set { self["momentum"] = newValue.map { .number($0) } }
  }
  /// Dampening for momentum (`dampening`; SGD).
  public var dampening: Double? {
    get { self["dampening"]?.number }
    set { self["dampening"] = newValue.map { .number($0) } }
  }
  /// L2 penalty, or AdamW's decoupled decay (`weight_decay`).
  public var weightDecay: Double? {
    get { self["weight_decay"]?.number }
    set { self["weight_decay"] = newValue.map { .number($0) } }
  }
  /// Nesterov momentum (`nesterov`; SGD).
  public var nesterov: Bool? {
    get { self["nesterov"]?.flag }
    set { self["nesterov"] = newValue.map { .flag($0) } }
  }
  /// Ascend the objective instead of descending (`maximize`).
  public var maximize: Bool? {
    get { self["maximize"]?.flag }
    set { self["maximize"] = newValue.map { .flag($0) } }
  }
  /// Decay rates of the first and second moment averages (`betas`; Adam, AdamW).
  public var betas: (Double, Double)? {
    get { self["betas"]?.numbers.flatMap { $0.count == 2 ? ($0[0], $0[1]) : nil } }
    set { self["betas"] = newValue.map { .numbers([$0.0, $0.1]) } }
  }
  /// Term added to the denominator for numerical stability (`eps`).
  public var eps: Double? {
    get { self["eps"]?.number }
    set { self["eps"] = newValue.map { .number($0) } }
  }
  /// Use the maximum of past second moments (`amsgrad`; Adam, AdamW).
  public var amsgrad: Bool? {
    get { self["amsgrad"]?.flag }
    set { self["amsgrad"] = newValue.map { .flag($0) } }
  }
  /// Decay the weights directly instead of through the gradient (`decoupled_weight_decay`;
  /// true for AdamW).
  public var decoupledWeightDecay: Bool? {
    get { self["decoupled_weight_decay"]?.flag }
    set { self["decoupled_weight_decay"] = newValue.map { .flag($0) } }
  }
  /// Learning-rate decay (`lr_decay`; Adagrad).
  public var lrDecay: Double? {
    get { self["lr_decay"]?.number }
    set { self["lr_decay"] = newValue.map { .number($0) } }
  }
  /// Starting value of the sum of squared gradients (`initial_accumulator_value`; Adagrad).
  public var initialAccumulatorValue: Double? {
    get { self["initial_accumulator_value"]?.number }
    set { self["initial_accumulator_value"] = newValue.map { .number($0) } }
  }
  /// Smoothing constant of the squared-gradient average (`alpha`; RMSprop).
  public var alpha: Double? {
    get { self["alpha"]?.number }
    set { self["alpha"] = newValue.map { .number($0) } }
  }
  /// Normalise by the estimated variance instead of the second moment (`centered`; RMSprop).
  public var centered: Bool? {
    get { self["centered"]?.flag }
    set { self["centered"] = newValue.map { .flag($0) } }
  }
  /// The learning rate a scheduler started from (`initial_lr`).
  public var initialLr: Double? {
    get { self["initial_lr"]?.number }
    set { self["initial_lr"] = newValue.map { .number($0) } }
  }
}
