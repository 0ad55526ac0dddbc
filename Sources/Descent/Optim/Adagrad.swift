/// Adagrad, like `torch.optim.Adagrad`: each element's step is scaled down by the root of the
/// sum of its squared gradients so far.
///
/// As in PyTorch, the state (a zero step count and the sum, filled with
/// `initialAccumulatorValue`) is made when the optimizer is created, so that its state dict
/// is complete from the start; a group added later gets its state at its first step. Like
/// PyTorch, the state made at creation is filled with the initialiser's
/// `initialAccumulatorValue`, even for a group that names its own.
public final class Adagrad: Optimizer {
  /// Adagrad of `params`: tensors (one group) or parameter groups, whose unset
  /// hyper-parameters take these values.
  public init<Params: ParamGroupConvertible>(
    _ params: [Params], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
    initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false
  ) {
    let options = Options(
      lr: lr, lrDecay: lrDecay, weightDecay: weightDecay,
      initialAccumulatorValue: initialAccumulatorValue, eps: eps, maximize: maximize)
    super.init(Params.paramGroups(params), rule: options)
    // PyTorch's __init__ fills every sum with its own argument, not the group's value.
    options.createState(in: self, filledWith: [initialAccumulatorValue])
  }

  /// Adagrad's hyper-parameters.
  struct Options: ElementwiseRule {
    var lr, lrDecay, weightDecay, initialAccumulatorValue, eps: Double
    var maximize: Bool

    static var fields: [OptionField<Self>] {
      [
        .number("lr", \.lr), .number("lr_decay", \.lrDecay),
        .number("weight_decay", \.weightDecay),
        .number("initial_accumulator_value", \.initialAccumulatorValue),
        .number("eps", \.eps), .flag("maximize", \.maximize),
      ]
    }

    func validate() -> String? {
      firstNegative([
        "learning rate": lr, "lr_decay value": lrDecay, "weight_decay value": weightDecay,
        "initial_accumulator_value value": initialAccumulatorValue, "epsilon value": eps,
      ])
    }

    var slots: [StateSlot?] { [StateSlot("sum", filledWith: initialAccumulatorValue)] }

    /// PyTorch's algorithm, with γ the learning rate, η the learning-rate decay, λ the weight
    /// decay and t the step:
    ///
    ///     g ← ±∇ + λθ
    ///     γ̃ ← γ / (1 + (t − 1)·η)
    ///     s ← s + g²
    ///     θ ← θ − γ̃ · g / (√s + ε)
    func update<T: FloatScalar>(_ pass: ElementPass<T>, step t: Double) {
      pass.forEachElement(
        AdagradElementRule<T>(
          clr: T(lr / (1 + (t - 1) * lrDecay)), λ: T(weightDecay), ε: T(eps),
          maximize: maximize, decays: weightDecay != 0))
    }
  }
}

/// Adagrad's rule for one element, with the step's scalars rounded once to the parameter's
/// type.
struct AdagradElementRule<T: FloatScalar>: ElementRule {
  let clr, λ, ε: T
  let maximize, decays: Bool

  @inline(__always)
  func callAsFunction(_ θ: inout T, _ grad: T, _ sum: inout T, _: inout T, _: inout T) {
    var g = maximize ? -grad : grad
    if decays { g = g + λ * θ }
    sum = sum + g * g
    θ = θ - clr * g / (squareRoot(sum) + ε)
  }
}
