import RealModule

/// Adam, like `torch.optim.Adam`: moving averages of the gradient and its square, with bias
/// correction; `amsgrad` normalises by the largest second moment seen so far.
///
/// ```swift
/// let optimizer = Adam(model.parameters(), lr: 1e-3)
/// ```
public class Adam: Optimizer {
  /// Adam of `params`: tensors (one group) or parameter groups, whose unset hyper-parameters
  /// take these values. `decoupledWeightDecay: true` is AdamW.
  public init<Params: ParamGroupConvertible>(
    _ params: [Params], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
    eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false,
    decoupledWeightDecay: Bool = false
  ) {
    super.init(
      Params.paramGroups(params),
      rule: Options(
        lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
        maximize: maximize, decoupledWeightDecay: decoupledWeightDecay))
  }

  /// Adam's (and AdamW's) hyper-parameters.
  struct Options: ElementwiseRule {
    var lr: Double
    var betas: (Double, Double)
    var eps, weightDecay: Double
    var amsgrad, maximize, decoupledWeightDecay: Bool

    static var fields: [OptionField<Self>] {
      [
        .number("lr", \.lr), .pair("betas", \.betas), .number("eps", \.eps),
        .number("weight_decay", \.weightDecay), .flag("amsgrad", \.amsgrad),
        .flag("maximize", \.maximize), .flag("decoupled_weight_decay", \.decoupledWeightDecay),
      ]
    }

    func validate() -> String? {
      let (beta1, beta2) = betas
      if let negative = firstNegative(["learning rate": lr, "epsilon value": eps]) {
        return negative
      }
      if !(0 <= beta1 && beta1 < 1) { return "Invalid beta parameter at index 0: \(beta1)" }
      if !(0 <= beta2 && beta2 < 1) { return "Invalid beta parameter at index 1: \(beta2)" }
      return firstNegative(["weight_decay value": weightDecay])
    }

    var slots: [StateSlot?] {
      [StateSlot("exp_avg"), StateSlot("exp_avg_sq"), amsgrad ? StateSlot("max_exp_avg_sq") : nil]
    }

    /// PyTorch's algorithm, with γ the learning rate, λ the weight decay and t the step:
    ///
    ///     θ ← θ·(1 − γλ) (decoupled)    g ← ±∇ + λθ (otherwise)
    ///     m ← β₁m + (1 − β₁)g            v ← β₂v + (1 − β₂)g²
    ///     v̂ ← max(v̂, v) (amsgrad), else v
    ///     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
    func update<T: FloatScalar>(_ pass: ElementPass<T>, step t: Double) {
      let (beta1, beta2) = betas
      pass.forEachElement(
        AdamElementRule<T>(
          stepSize: T(lr / (1 - Double.pow(beta1, t))),
          biasCorrection2Sqrt: T(Double.pow(1 - Double.pow(beta2, t), 0.5)),
          w1: T(1 - beta1), β2: T(beta2), w2: T(1 - beta2), ε: T(eps), λ: T(weightDecay),
          decay: T(1 - lr * weightDecay), decoupled: decoupledWeightDecay && weightDecay != 0,
          coupled: !decoupledWeightDecay && weightDecay != 0, maximize: maximize,
          amsgrad: amsgrad))
    }
  }
}

/// Adam's rule for one element, with the step's scalars rounded once to the parameter's type.
struct AdamElementRule<T: FloatScalar>: ElementRule {
  let stepSize, biasCorrection2Sqrt, w1, β2, w2, ε, λ, decay: T
  let decoupled, coupled, maximize, amsgrad: Bool

  @inline(__always)
  func callAsFunction(_ θ: inout T, _ grad: T, _ m: inout T, _ v: inout T, _ vMax: inout T) {
    if decoupled { θ = θ * decay }
    var g = maximize ? -grad : grad
    if coupled { g = g + λ * θ }
    m = lerp(m, g, w1)
    v = v * β2 + w2 * g * g
    if amsgrad { vMax = maximumPropagatingNaN(vMax, v) }
    let denominator = squareRoot(amsgrad ? vMax : v) / biasCorrection2Sqrt + ε
    θ = θ - stepSize * m / denominator
  }
}

/// AdamW, like `torch.optim.AdamW`: Adam with weight decay applied to the parameters directly
/// (`θ ← θ·(1 − γλ)`) instead of through the gradient, so it is not rescaled by the moments.
public final class AdamW: Adam {
  /// AdamW of `params`: tensors (one group) or parameter groups, whose unset
  /// hyper-parameters take these values.
  public init<Params: ParamGroupConvertible>(
    _ params: [Params], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
    eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false
  ) {
    super.init(
      params, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
      maximize: maximize, decoupledWeightDecay: true)
  }
}
