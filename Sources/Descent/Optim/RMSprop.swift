/// RMSprop, like `torch.optim.RMSprop`: steps scaled by the root of a moving average of the
/// squared gradient; `centered` subtracts the squared average gradient (an estimate of the
/// variance), and `momentum` accumulates the scaled steps.
public final class RMSprop: Optimizer {
  /// RMSprop of `params` (one group).
  public convenience init(
    _ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
    weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false, maximize: Bool = false
  ) {
    self.init(
      Optimizer.singleGroup(params, op: "RMSprop"), lr: lr, alpha: alpha, eps: eps,
      weightDecay: weightDecay, momentum: momentum, centered: centered, maximize: maximize)
  }

  /// RMSprop of several groups; each group's nil hyper-parameters take these values.
  public init(
    _ groups: [ParamGroup], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
    weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false, maximize: Bool = false
  ) {
    super.init(
      groups,
      defaults: HyperParameters(
        lr: lr, momentum: momentum, weightDecay: weightDecay, maximize: maximize, eps: eps,
        alpha: alpha, centered: centered))
  }

  /// PyTorch's message for a hyper-parameter out of range in `options`, or nil when all are valid.
  public override func validate(_ options: HyperParameters) -> String? {
    if let problem = super.validate(options) { return problem }
    if let alpha = options.alpha, !(alpha >= 0) { return "Invalid alpha value: \(alpha)" }
    return nil
  }

  /// The per-parameter state entries a loaded state dict must hold with `options`.
  public override func requiredStateKeys(_ options: HyperParameters) -> [String] {
    ["step", "square_avg"] + ((options.momentum ?? 0) > 0 ? ["momentum_buffer"] : [])
      + (options.centered == true ? ["grad_avg"] : [])
  }

  /// Takes one optimisation step for every parameter with a gradient, as PyTorch's `step()` does.
  public override func step() {
    noGrad {
      for group in paramGroups {
        let h = RMSpropHyperParameters(group, op: typeName)
        forEachGradient(in: group) { p, grad, state in rmspropUpdate(p, grad, state, h) }
      }
    }
  }
}

/// One group's RMSprop hyper-parameters, read once per step.
struct RMSpropHyperParameters {
  let lr, alpha, eps, weightDecay, momentum: Double
  let centered, maximize: Bool

  init(_ group: ParamGroup, op: @autoclosure () -> String) {
    lr = group.required(\.lr, "lr", op: op())
    alpha = group.required(\.alpha, "alpha", op: op())
    eps = group.required(\.eps, "eps", op: op())
    weightDecay = group.required(\.weightDecay, "weight_decay", op: op())
    momentum = group.required(\.momentum, "momentum", op: op())
    centered = group.required(\.centered, "centered", op: op())
    maximize = group.required(\.maximize, "maximize", op: op())
  }
}

/// One RMSprop step for one parameter (PyTorch's algorithm):
///
///     g ← ±∇ + λθ
///     v ← α·v + (1 − α)·g²
///     d ← √(v − ḡ²) + ε with ḡ ← α·ḡ + (1 − α)·g (centered), else √v + ε
///     b ← μ·b + g/d,  θ ← θ − γ·b (momentum), else θ ← θ − γ·g/d
func rmspropUpdate(_ p: Tensor, _ grad: Tensor, _ state: ParamState, _ h: RMSpropHyperParameters) {
  if state.isEmpty {
    state.step = 0
    state["square_avg"] = Tensor.zerosLike(p)
    if h.momentum > 0 { state["momentum_buffer"] = Tensor.zerosLike(p) }
    if h.centered { state["grad_avg"] = Tensor.zerosLike(p) }
  }
  state.step = (state.step ?? 0) + 1
  let g = adjustedGradient(grad, p, state, maximize: h.maximize, weightDecay: h.weightDecay)
  let v = state.buffer("square_avg").mul_(h.alpha).addcmul_(g, g, value: 1 - h.alpha)
  let avg = state.denominatorScratch(like: p).copy_(v)
  if h.centered {
    let gradAvg = state.buffer("grad_avg").lerp_(g, weight: 1 - h.alpha)
    avg.addcmul_(gradAvg, gradAvg, value: -1)
  }
  avg.sqrt_().add_(h.eps)
  if h.momentum > 0 {
    let buffer = state.buffer("momentum_buffer").mul_(h.momentum).addcdiv_(g, avg)
    p.add_(buffer, alpha: -h.lr)
  } else {
    p.addcdiv_(g, avg, value: -h.lr)
  }
}
