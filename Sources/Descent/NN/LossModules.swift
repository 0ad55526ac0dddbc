/// The losses as modules, like `torch.nn.MSELoss`: each holds its options and calls its
/// function (`Ops/Losses/`) as `loss(input, target)`.

/// The base of loss modules (PyTorch's `_Loss`): it holds the reduction; a loss takes the input
/// and the target, so the one-tensor `forward(_:)` stops with a message saying so.
open class Loss: Module {
  /// How the per-element (or per-sample) losses are combined.
  public let reduction: Reduction

  /// A loss with the given reduction.
  public init(reduction: Reduction = .mean) {
    self.reduction = reduction
    super.init()
  }

  /// Stops: a loss needs a target, so call `loss(input, target)`.
  open override func forward(_ input: Tensor) -> Tensor { lossTakesTwoTensors(typeName, input) }
}

/// The base of losses with an optional rescaling tensor (PyTorch's `_WeightedLoss`), which is
/// registered as the buffer "weight".
open class WeightedLoss: Loss {
  /// The rescaling (per element or per class, as the loss says), or nil; a buffer.
  public let weight: Tensor?

  /// A loss weighted by `weight`, with the given reduction.
  public init(weight: Tensor? = nil, reduction: Reduction = .mean) {
    self.weight = weight
    super.init(reduction: reduction)
    if let weight { registerBuffer("weight", weight) }
  }
}

/// Mean squared error as a module (`torch.nn.MSELoss`): `MSELoss()(input, target)`.
public final class MSELoss: Loss {
  /// A mean squared error loss with the given reduction.
  public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }

  /// The loss of `input` against `target`; see `mseLoss(_:_:reduction:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    mseLoss(input, target, reduction: reduction)
  }
}

/// Mean absolute error as a module (`torch.nn.L1Loss`).
public final class L1Loss: Loss {
  /// A mean absolute error loss with the given reduction.
  public override init(reduction: Reduction = .mean) { super.init(reduction: reduction) }

  /// The loss of `input` against `target`; see `l1Loss(_:_:reduction:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    l1Loss(input, target, reduction: reduction)
  }
}

/// Huber loss as a module (`torch.nn.HuberLoss`).
public final class HuberLoss: Loss {
  /// Where the loss changes from quadratic to linear, and the linear part's slope.
  public let delta: Double

  /// A Huber loss; stops unless `delta` is positive.
  public init(reduction: Reduction = .mean, delta: Double = 1) {
    stopping { () throws(OpError) in try checkHuberDelta(delta) }
    self.delta = delta
    super.init(reduction: reduction)
  }

  /// The loss of `input` against `target`; see `huberLoss(_:_:reduction:delta:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    huberLoss(input, target, reduction: reduction, delta: delta)
  }
}

/// Smooth L1 loss as a module (`torch.nn.SmoothL1Loss`).
public final class SmoothL1Loss: Loss {
  /// Where the loss changes from quadratic to linear.
  public let beta: Double

  /// A smooth L1 loss; stops on a negative `beta`.
  public init(reduction: Reduction = .mean, beta: Double = 1) {
    stopping { () throws(OpError) in try checkSmoothL1Beta(beta) }
    self.beta = beta
    super.init(reduction: reduction)
  }

  /// The loss of `input` against `target`; see `smoothL1Loss(_:_:reduction:beta:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    smoothL1Loss(input, target, reduction: reduction, beta: beta)
  }
}

/// Binary cross entropy as a module (`torch.nn.BCELoss`).
///
/// `weight` rescales each element (broadcast to the input's shape).
public final class BCELoss: WeightedLoss {
  /// A binary cross entropy loss, optionally weighting each element.
  public override init(weight: Tensor? = nil, reduction: Reduction = .mean) {
    super.init(weight: weight, reduction: reduction)
  }

  /// The loss of probabilities `input` against `target`; see
  /// `binaryCrossEntropy(_:_:weight:reduction:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    binaryCrossEntropy(input, target, weight: weight, reduction: reduction)
  }
}

/// Binary cross entropy on raw scores as a module (`torch.nn.BCEWithLogitsLoss`).
///
/// `weight` rescales each element (broadcast to the input's shape).
public final class BCEWithLogitsLoss: WeightedLoss {
  /// Weight of the positive term (broadcast to the input's shape), or nil; a buffer.
  public let posWeight: Tensor?

  /// A binary cross entropy loss on raw scores, optionally weighted.
  public init(weight: Tensor? = nil, reduction: Reduction = .mean, posWeight: Tensor? = nil) {
    self.posWeight = posWeight
    super.init(weight: weight, reduction: reduction)
    if let posWeight { registerBuffer("pos_weight", posWeight) }
  }

  /// The loss of scores `input` against `target`; see
  /// `binaryCrossEntropyWithLogits(_:_:weight:reduction:posWeight:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    binaryCrossEntropyWithLogits(
      input, target, weight: weight, reduction: reduction, posWeight: posWeight)
  }
}

/// Negative log likelihood as a module (`torch.nn.NLLLoss`); feed it `logSoftmax` outputs.
///
/// `weight` holds one rescaling value per class.
public final class NLLLoss: WeightedLoss {
  /// The target value that is skipped (contributes nothing, not even to the mean's divisor).
  public let ignoreIndex: Int

  /// A negative log likelihood loss.
  public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
    self.ignoreIndex = ignoreIndex
    super.init(weight: weight, reduction: reduction)
  }

  /// The loss of log-probabilities `input` against class indices `target`; see
  /// `nllLoss(_:_:weight:ignoreIndex:reduction:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    nllLoss(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
  }
}

/// Cross entropy as a module (`torch.nn.CrossEntropyLoss`): takes raw scores (logits).
///
/// `weight` holds one rescaling value per class.
public final class CrossEntropyLoss: WeightedLoss {
  /// The class-index target that is skipped.
  public let ignoreIndex: Int
  /// The share ε of the target spread uniformly over the classes.
  public let labelSmoothing: Double

  /// A cross entropy loss; stops unless `labelSmoothing` lies in [0, 1].
  public init(
    weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean,
    labelSmoothing: Double = 0
  ) {
    stopping { () throws(OpError) in try checkLabelSmoothing(labelSmoothing) }
    self.ignoreIndex = ignoreIndex
    self.labelSmoothing = labelSmoothing
    super.init(weight: weight, reduction: reduction)
  }

  /// The loss of scores `input` against class indices or probabilities `target`; see
  /// `crossEntropy(_:_:weight:ignoreIndex:reduction:labelSmoothing:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    crossEntropy(
      input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction,
      labelSmoothing: labelSmoothing)
  }
}
