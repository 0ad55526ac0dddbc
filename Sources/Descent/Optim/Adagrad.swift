/// Adagrad, like `torch.optim.Adagrad`: each element's step is scaled down by the root of the
/// sum of its squared gradients so far.
///
/// As in PyTorch, the state (a zero step count and the sum, filled with
/// `initialAccumulatorValue`) is made when the optimizer is created, so that its state dict
/// is complete from the start; a group added later gets its state at its first step. Like
/// PyTorch, the state made at creation is filled with the initialiser's
/// `initialAccumulatorValue`, even for a group that names its own.
public final class Adagrad: Optimizer {
  /// Adagrad of `params` (one group).
  public convenience init(
    _ params: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
    initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false
  ) {
    self.init(
      Optimizer.singleGroup(params, op: "Adagrad"), lr: lr, lrDecay: lrDecay,
      weightDecay: weightDecay, initialAccumulatorValue: initialAccumulatorValue, eps: eps,
      maximize: maximize)
  }

  /// Adagrad of several groups; each group's nil hyper-parameters take these values.
  public init(
    _ groups: [ParamGroup], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
    initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false
  ) {
    super.init(
      groups,
      defaults: HyperParameters(
        lr: lr, weightDecay: weightDecay, maximize: maximize, eps: eps, lrDecay: lrDecay,
        initialAccumulatorValue: initialAccumulatorValue))
    // PyTorch's __init__ fills every sum with its own argument, not the group's value.
    for group in paramGroups {
      for p in group.params { adagradInitialState(p, state(for: p), initialAccumulatorValue) }
    }
  }

  public override func validate(_ options: HyperParameters) -> String? {
    if let problem = super.validate(options) { return problem }
    if let decay = options.lrDecay, !(decay >= 0) { return "Invalid lr_decay value: \(decay)" }
    if let initial = options.initialAccumulatorValue, !(initial >= 0) {
      return "Invalid initial_accumulator_value value: \(initial)"
    }
    return nil
  }

  public override func requiredStateKeys(_ options: HyperParameters) -> [String] {
    ["step", "sum"]
  }

  public override func step() {
    noGrad {
      for group in paramGroups {
        let h = AdagradHyperParameters(group, op: typeName)
        forEachGradient(in: group) { p, grad, state in adagradUpdate(p, grad, state, h) }
      }
    }
  }
}

/// One group's Adagrad hyper-parameters, read once per step.
struct AdagradHyperParameters {
  let lr, lrDecay, weightDecay, eps, initialAccumulatorValue: Double
  let maximize: Bool

  init(_ group: ParamGroup, op: @autoclosure () -> String) {
    lr = group.required(\.lr, "lr", op: op())
    lrDecay = group.required(\.lrDecay, "lr_decay", op: op())
    weightDecay = group.required(\.weightDecay, "weight_decay", op: op())
    eps = group.required(\.eps, "eps", op: op())
    initialAccumulatorValue = group.required(
      \.initialAccumulatorValue, "initial_accumulator_value", op: op())
    maximize = group.required(\.maximize, "maximize", op: op())
  }
}

/// Adagrad's state before the first step: step 0 and the sum at its initial value.
func adagradInitialState(_ p: Tensor, _ state: ParamState, _ initialValue: Double) {
  guard state.isEmpty else { return }
  state.step = 0
  state["sum"] = Tensor.full(p.shape, initialValue, dtype: p.dtype)
}

/// One Adagrad step for one parameter (PyTorch's algorithm):
///
///     t ← t + 1
///     g ← ±∇ + λθ
///     γ̃ ← γ / (1 + (t − 1)·η)
///     s ← s + g²
///     θ ← θ − γ̃ · g / (√s + ε)
func adagradUpdate(_ p: Tensor, _ grad: Tensor, _ state: ParamState, _ h: AdagradHyperParameters) {
  adagradInitialState(p, state, h.initialAccumulatorValue)
  let t = (state.step ?? 0) + 1
  state.step = t
  let g = adjustedGradient(grad, p, state, maximize: h.maximize, weightDecay: h.weightDecay)
  let clr = h.lr / (1 + (t - 1) * h.lrDecay)
  let sum = state.buffer("sum").addcmul_(g, g, value: 1)
  let std = state.denominatorScratch(like: p).copy_(sum).sqrt_().add_(h.eps)
  p.addcdiv_(g, std, value: -clr)
}
