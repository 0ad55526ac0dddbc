import RealModule

/// Adam, like `torch.optim.Adam`: moving averages of the gradient and its square, with bias
/// correction; `amsgrad` normalises by the largest second moment seen so far.
///
/// ```swift
/// let optimizer = Adam(model.parameters(), lr: 1e-3)
/// ```
public class Adam: Optimizer {
  /// Adam of `params` (one group).
  public convenience init(
    _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
    eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false,
    decoupledWeightDecay: Bool = false
  ) {
    self.init(
      Optimizer.singleGroup(params, op: "Adam"), lr: lr, betas: betas, eps: eps,
      weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize,
      decoupledWeightDecay: decoupledWeightDecay)
  }

  /// Adam of several groups; each group's nil hyper-parameters take these values.
  /// `decoupledWeightDecay: true` is AdamW.
  public init(
    _ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
    eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false,
    decoupledWeightDecay: Bool = false
  ) {
    super.init(
      groups,
      defaults: HyperParameters(
        lr: lr, weightDecay: weightDecay, maximize: maximize, betas: betas, eps: eps,
        amsgrad: amsgrad, decoupledWeightDecay: decoupledWeightDecay))
  }

  public override func validate(_ options: HyperParameters) -> String? {
    if let problem = super.validate(options) { return problem }
    if let betas = options.betas {
      let (beta1, beta2) = betas
      if !(0 <= beta1 && beta1 < 1) { return "Invalid beta parameter at index 0: \(beta1)" }
      if !(0 <= beta2 && beta2 < 1) { return "Invalid beta parameter at index 1: \(beta2)" }
    }
    return nil
  }

  public override func requiredStateKeys(_ options: HyperParameters) -> [String] {
    ["step", "exp_avg", "exp_avg_sq"] + (options.amsgrad == true ? ["max_exp_avg_sq"] : [])
  }

  public override func step() {
    noGrad {
      for group in paramGroups {
        let h = AdamHyperParameters(group, op: typeName)
        forEachGradient(in: group) { p, grad, state in adamUpdate(p, grad, state, h) }
      }
    }
  }
}

/// AdamW, like `torch.optim.AdamW`: Adam with weight decay applied to the parameters directly
/// (`θ ← θ·(1 − γλ)`) instead of through the gradient, so it is not rescaled by the moments.
public final class AdamW: Adam {
  /// AdamW of `params` (one group).
  public convenience init(
    _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
    eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false
  ) {
    self.init(
      Optimizer.singleGroup(params, op: "AdamW"), lr: lr, betas: betas, eps: eps,
      weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize)
  }

  /// AdamW of several groups; each group's nil hyper-parameters take these values.
  public init(
    _ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
    eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false
  ) {
    super.init(
      groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
      maximize: maximize, decoupledWeightDecay: true)
  }
}

/// One group's Adam hyper-parameters, read once per step.
struct AdamHyperParameters {
  let lr, beta1, beta2, eps, weightDecay: Double
  let amsgrad, maximize, decoupled: Bool

  init(_ group: ParamGroup, op: @autoclosure () -> String) {
    lr = group.required(\.lr, "lr", op: op())
    (beta1, beta2) = group.required(\.betas, "betas", op: op())
    eps = group.required(\.eps, "eps", op: op())
    weightDecay = group.required(\.weightDecay, "weight_decay", op: op())
    amsgrad = group.required(\.amsgrad, "amsgrad", op: op())
    maximize = group.required(\.maximize, "maximize", op: op())
    decoupled = group.required(\.decoupledWeightDecay, "decoupled_weight_decay", op: op())
  }
}

/// One Adam (or AdamW) step for one parameter (PyTorch's algorithm):
///
///     t ← t + 1
///     θ ← θ·(1 − γλ) (decoupled)    g ← ±∇ + λθ (otherwise)
///     m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
///     v̂ ← max(v̂, v) (amsgrad), else v
///     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
func adamUpdate(_ p: Tensor, _ grad: Tensor, _ state: ParamState, _ h: AdamHyperParameters) {
  if state.isEmpty {
    state.step = 0
    state["exp_avg"] = Tensor.zerosLike(p)
    state["exp_avg_sq"] = Tensor.zerosLike(p)
    if h.amsgrad { state["max_exp_avg_sq"] = Tensor.zerosLike(p) }
  }
  let t = (state.step ?? 0) + 1
  state.step = t
  if h.decoupled && h.weightDecay != 0 { p.mul_(1 - h.lr * h.weightDecay) }
  let g = adjustedGradient(
    grad, p, state, maximize: h.maximize, weightDecay: h.decoupled ? 0 : h.weightDecay)
  let m = state.buffer("exp_avg")
  let v = state.buffer("exp_avg_sq")
  let stepSize = h.lr / (1 - Double.pow(h.beta1, t))
  let biasCorrection2Sqrt = Double.pow(1 - Double.pow(h.beta2, t), 0.5)
  let maxSecond = h.amsgrad ? state.buffer("max_exp_avg_sq") : nil
  if fusedAdamUpdate(p, g, m, v, maxSecond, h, stepSize, biasCorrection2Sqrt) { return }
  m.lerp_(g, weight: 1 - h.beta1)
  v.mul_(h.beta2).addcmul_(g, g, value: 1 - h.beta2)
  let second = h.amsgrad ? state.buffer("max_exp_avg_sq").maximum_(v) : v
  let denominator = state.denominatorScratch(like: p).copy_(second).sqrt_()
    .div_(biasCorrection2Sqrt).add_(h.eps)
  p.addcdiv_(m, denominator, value: -stepSize)
}

/// The same Adam step in one pass over memory, when every tensor is a contiguous float tensor
/// of the parameter's dtype and size with storage of its own (the gradient included): each
/// element goes through the very kernels of `lerp_`, `mul_`, `addcmul_`, `maximum_`, `sqrt_`,
/// `div_`, `add_` and `addcdiv_` in the same order, so the result is bit-identical to the
/// unfused sequence, without its seven passes; a large parameter is split over the thread pool
/// (five streams per element: a quarter of the elementwise grain). Returns false (having done nothing) otherwise.
private func fusedAdamUpdate(
  _ p: Tensor, _ g: Tensor, _ m: Tensor, _ v: Tensor, _ maxSecond: Tensor?,
  _ h: AdamHyperParameters, _ stepSize: Double, _ biasCorrection2Sqrt: Double
) -> Bool {
  guard !GradMode.isEnabled else { return false }
  let n = p.count
  var tensors = [p, g, m, v]
  if let maxSecond { tensors.append(maxSecond) }
  for (i, t) in tensors.enumerated() {
    guard t.dtype == p.dtype, t.dtype.isFloatingPoint, t.isContiguous, t.count == n else {
      return false
    }
    for other in tensors[..<i] where other.storage === t.storage { return false }
  }
  func run<T: FloatScalar>(_: T.Type, _ convert: (Double) -> T) {
    let (x, grad) = (p.pointer(T.self), UnsafePointer(g.pointer(T.self)))
    let (first, second) = (m.pointer(T.self), v.pointer(T.self))
    let peak = maxSecond?.pointer(T.self)
    let weight1 = convert(1 - h.beta1)
    let (beta2, weight2) = (convert(h.beta2), convert(1 - h.beta2))
    let (correction, eps, step) = (convert(biasCorrection2Sqrt), convert(h.eps), convert(-stepSize))
    if peak == nil && Swift.abs(weight1) < 0.5 {
      // The common case, written out without the per-element branches of the loop below so
      // that it vectorises. On Linux `squareRoot()` keeps a scalar call that sets errno for a
      // negative input, which stops vectorisation; `magnitude` first removes it. v is never
      // negative (a sum of products of non-negative factors) unless a loaded state made it so:
      // then the select gives NaN, as the square root would.
      splitRanges(n, grain: elementwiseGrain / 4) { range in
        for i in range {
          let gi = grad[i]
          let mi = first[i] + weight1 * (gi - first[i])
          let vi = second[i] * beta2 + weight2 * gi * gi
          first[i] = mi
          second[i] = vi
          let root = vi < 0 ? T.nan : vi.magnitude.squareRoot()
          x[i] = x[i] + step * mi / (root / correction + eps)
        }
      }
      return
    }
    splitRanges(n, grain: elementwiseGrain / 4) { range in
      for i in range {
        let gi = grad[i]
        let mi = LerpKernel(weight: 1 - h.beta1)(first[i], gi)
        let scaled = second[i] * beta2
        let vi = scaled + weight2 * gi * gi
        first[i] = mi
        second[i] = vi
        var denominator = vi
        if let peak {
          denominator = MaximumKernel()(peak[i], vi)
          peak[i] = denominator
        }
        denominator = denominator.squareRoot() / correction + eps
        x[i] = x[i] + step * mi / denominator
      }
    }
  }
  if p.dtype == .float64 { run(Double.self) { $0 } } else { run(Float.self) { Float($0) } }
  for t in [p, m, v] + (maxSecond.map { [$0] } ?? []) { t.storage.version += 1 }
  return true
}
