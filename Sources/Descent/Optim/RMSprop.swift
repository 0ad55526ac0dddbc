/// RMSprop, like `torch.optim.RMSprop`: steps scaled by the root of a moving average of the
/// squared gradient; `centered` subtracts the squared average gradient (an estimate of the
/// variance), and `momentum` accumulates the scaled steps.
public final class RMSprop: Optimizer {
  /// RMSprop of `params`: tensors (one group) or parameter groups, whose unset
  /// hyper-parameters take these values.
  public init<Params: ParamGroupConvertible>(
    _ params: [Params], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
    weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false, maximize: Bool = false
  ) {
    super.init(
      Params.paramGroups(params),
      rule: Options(
        lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum,
        centered: centered, maximize: maximize))
  }

  /// RMSprop's hyper-parameters.
  struct Options: ElementwiseRule {
    var lr, alpha, eps, weightDecay, momentum: Double
    var centered, maximize: Bool

    static var fields: [OptionField<Self>] {
      [
        .number("lr", \.lr), .number("alpha", \.alpha), .number("eps", \.eps),
        .number("weight_decay", \.weightDecay), .number("momentum", \.momentum),
        .flag("centered", \.centered), .flag("maximize", \.maximize),
      ]
    }

    func validate() -> String? {
      firstNegative([
        "learning rate": lr, "epsilon value": eps, "momentum value": momentum,
        "weight_decay value": weightDecay, "alpha value": alpha,
      ])
    }

    var slots: [StateSlot?] {
      [
        StateSlot("square_avg"), momentum > 0 ? StateSlot("momentum_buffer") : nil,
        centered ? StateSlot("grad_avg") : nil,
      ]
    }

    /// PyTorch's algorithm, with γ the learning rate, λ the weight decay and μ the momentum:
    ///
    ///     g ← ±∇ + λθ
    ///     v ← αv + (1 − α)g²
    ///     d ← √(v − ḡ²) + ε with ḡ ← αḡ + (1 − α)g (centered), else √v + ε
    ///     b ← μb + g/d,  θ ← θ − γb (momentum), else θ ← θ − γg/d
    func update<T: FloatScalar>(_ pass: ElementPass<T>, step _: Double) {
      pass.forEachElement(
        RMSpropElementRule<T>(
          γ: T(lr), α: T(alpha), w: T(1 - alpha), ε: T(eps), λ: T(weightDecay), μ: T(momentum),
          maximize: maximize, decays: weightDecay != 0, centered: centered,
          hasMomentum: momentum > 0))
    }
  }
}

/// RMSprop's rule for one element, with the step's scalars rounded once to the parameter's
/// type.
struct RMSpropElementRule<T: FloatScalar>: ElementRule {
  let γ, α, w, ε, λ, μ: T
  let maximize, decays, centered, hasMomentum: Bool

  @inline(__always)
  func callAsFunction(_ θ: inout T, _ grad: T, _ v: inout T, _ b: inout T, _ gAvg: inout T) {
    var g = maximize ? -grad : grad
    if decays { g = g + λ * θ }
    v = v * α + w * g * g
    var d = v
    if centered {
      gAvg = lerp(gAvg, g, w)
      d = d - gAvg * gAvg
    }
    d = squareRoot(d) + ε
    if hasMomentum {
      b = b * μ + g / d
      θ = θ - γ * b
    } else {
      θ = θ - γ * g / d
    }
  }
}
