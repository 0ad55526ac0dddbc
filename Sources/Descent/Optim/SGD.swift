/// Stochastic gradient descent, optionally with momentum, like `torch.optim.SGD`.
///
/// ```swift
/// let optimizer = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// ```
public final class SGD: Optimizer {
  /// SGD of `params` (one group).
  public convenience init(
    _ params: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
    weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false
  ) {
    self.init(
      Optimizer.singleGroup(params, op: "SGD"), lr: lr, momentum: momentum, dampening: dampening,
      weightDecay: weightDecay, nesterov: nesterov, maximize: maximize)
  }

  /// SGD of several groups; each group's nil hyper-parameters take these values.
  public init(
    _ groups: [ParamGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
    weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false
  ) {
    super.init(
      groups,
      defaults: HyperParameters(
        lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
        nesterov: nesterov, maximize: maximize))
  }

  /// PyTorch's message for a hyper-parameter out of range in `options`, or nil when all are valid.
  public override func validate(_ options: HyperParameters) -> String? {
    if let problem = super.validate(options) { return problem }
    if options.nesterov == true && ((options.momentum ?? 0) <= 0 || options.dampening != 0) {
      return
        "Nesterov momentum requires a momentum and zero dampening (momentum \(options.momentum ?? 0), dampening \(options.dampening ?? 0))"
    }
    return nil
  }

  /// The per-parameter state entries a loaded state dict must hold with `options`.
  public override func requiredStateKeys(_ options: HyperParameters) -> [String] {
    (options.momentum ?? 0) != 0 ? ["momentum_buffer"] : []
  }

  /// Takes one optimisation step for every parameter with a gradient, as PyTorch's `step()` does.
  public override func step() {
    noGrad {
      for group in paramGroups {
        let h = SGDHyperParameters(group, op: typeName)
        forEachGradient(in: group) { p, grad, state in sgdUpdate(p, grad, state, h) }
      }
    }
  }
}

/// One group's SGD hyper-parameters, read once per step.
struct SGDHyperParameters {
  let lr, momentum, dampening, weightDecay: Double
  let nesterov, maximize: Bool

  init(_ group: ParamGroup, op: @autoclosure () -> String) {
    lr = group.required(\.lr, "lr", op: op())
    momentum = group.required(\.momentum, "momentum", op: op())
    dampening = group.required(\.dampening, "dampening", op: op())
    weightDecay = group.required(\.weightDecay, "weight_decay", op: op())
    nesterov = group.required(\.nesterov, "nesterov", op: op())
    maximize = group.required(\.maximize, "maximize", op: op())
  }
}

/// One SGD step for one parameter (PyTorch's algorithm):
///
///     g ← ±∇ + λθ
///     if μ ≠ 0:  b ← g at the first step, else μ·b + (1 − τ)·g
///                g ← g + μ·b (Nesterov), else b
///     θ ← θ − γ·g
func sgdUpdate(_ p: Tensor, _ grad: Tensor, _ state: ParamState, _ h: SGDHyperParameters) {
  var g = adjustedGradient(
    grad, p, state, maximize: h.maximize, weightDecay: h.weightDecay, writable: h.nesterov)
  if h.momentum != 0 {
    let buffer: Tensor
    if let existing = state["momentum_buffer"] {
      buffer = existing.mul_(h.momentum).add_(g, alpha: 1 - h.dampening)
    } else {
      buffer = g.copyData()
      state["momentum_buffer"] = buffer
    }
    g = h.nesterov ? g.add_(buffer, alpha: h.momentum) : buffer
  }
  p.add_(g, alpha: -h.lr)
}
