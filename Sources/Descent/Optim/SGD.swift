/// Stochastic gradient descent, optionally with momentum, like `torch.optim.SGD`.
///
/// ```swift
/// let optimizer = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// ```
public final class SGD: Optimizer {
  /// SGD of `params`: tensors (one group) or parameter groups, whose unset hyper-parameters
  /// take these values.
  public init<Params: ParamGroupConvertible>(
    _ params: [Params], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
    weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false
  ) {
    super.init(
      Params.paramGroups(params),
      rule: Options(
        lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
        nesterov: nesterov, maximize: maximize))
  }

  /// SGD's hyper-parameters.
  struct Options: ElementwiseRule {
    var lr, momentum, dampening, weightDecay: Double
    var nesterov, maximize: Bool

    static var fields: [OptionField<Self>] {
      [
        .number("lr", \.lr), .number("momentum", \.momentum), .number("dampening", \.dampening),
        .number("weight_decay", \.weightDecay), .flag("nesterov", \.nesterov),
        .flag("maximize", \.maximize),
      ]
    }

    func validate() -> String? {
      let negative = firstNegative([
        "learning rate": lr, "momentum value": momentum, "weight_decay value": weightDecay,
      ])
      if let negative { return negative }
      if nesterov && (momentum <= 0 || dampening != 0) {
        return
          "Nesterov momentum requires a momentum and zero dampening (momentum \(momentum), dampening \(dampening))"
      }
      return nil
    }

    var slots: [StateSlot?] { [momentum != 0 ? StateSlot("momentum_buffer") : nil] }
    static var countsSteps: Bool { false }

    /// PyTorch's algorithm, with γ the learning rate, λ the weight decay, μ the momentum and
    /// τ the dampening:
    ///
    ///     g ← ±∇ + λθ
    ///     if μ ≠ 0:  b ← g at the first step, else μb + (1 − τ)g
    ///                g ← g + μb (Nesterov), else b
    ///     θ ← θ − γg
    func update<T: FloatScalar>(_ pass: ElementPass<T>, step _: Double) {
      pass.forEachElement(
        SGDElementRule<T>(
          γ: T(lr), λ: T(weightDecay), μ: T(momentum), undamped: T(1 - dampening),
          first: pass.stateIsNew, maximize: maximize, decays: weightDecay != 0,
          hasMomentum: momentum != 0, nesterov: nesterov))
    }
  }
}

/// SGD's rule for one element, with the step's scalars rounded once to the parameter's type.
struct SGDElementRule<T: FloatScalar>: ElementRule {
  let γ, λ, μ, undamped: T
  let first, maximize, decays, hasMomentum, nesterov: Bool

  @inline(__always)
  func callAsFunction(_ θ: inout T, _ grad: T, _ b: inout T, _: inout T, _: inout T) {
    var g = maximize ? -grad : grad
    if decays { g = g + λ * θ }
    if hasMomentum {
      b = first ? g : b * μ + undamped * g
      g = nesterov ? g + μ * b : b
    }
    θ = θ - γ * g
  }
}
