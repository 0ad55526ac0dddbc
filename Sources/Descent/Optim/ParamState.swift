/// What an optimizer keeps for one parameter between steps, like PyTorch's `optimizer.state[p]`:
/// a step count and named buffers (`momentum_buffer`, `exp_avg`, …) under PyTorch's keys.
///
/// A class, so that an update changes the buffers where they are: the same tensors, with the
/// same storage, from the first step on.
public final class ParamState {
  /// The number of steps taken (PyTorch's `state["step"]`); nil for an optimizer that keeps
  /// no count (SGD).
  public var step: Double?
  /// The buffers under PyTorch's keys, in the order PyTorch creates them.
  public var buffers = StateDict()
  /// Scratch space for a step's intermediate values (the adjusted gradient, a denominator):
  /// allocated once, not part of the state dict. PyTorch allocates these every step.
  private var scratch: (gradient: Tensor?, denominator: Tensor?) = (nil, nil)
  /// The parameter this state belongs to, kept alive so that its identity (the optimizer's
  /// key) cannot be reused by a new tensor while the state exists, as PyTorch's state dict
  /// keyed by tensors does.
  var parameter: Tensor?

  /// An empty state, filled by the optimizer's first step.
  public init() {}

  /// The buffer under `key` (PyTorch's name).
  public subscript(key: String) -> Tensor? {
    get { buffers[key] }
    set { buffers[key] = newValue }
  }

  /// True before the first step: no count and no buffers.
  public var isEmpty: Bool { step == nil && buffers.count == 0 }

  /// The buffer under `key`; it must exist (the update created it at the first step).
  func buffer(_ key: String) -> Tensor {
    guard let tensor = buffers[key] else {
      opFailure(
        "step",
        "optimizer state has no '\(key)' (keys: \(buffers.keys)); was a state dict of another optimizer or configuration loaded?"
      )
    }
    return tensor
  }

  /// Scratch for the gradient once changed by `maximize` or weight decay, shaped like `param`.
  func gradientScratch(like param: Tensor) -> Tensor {
    if let tensor = scratch.gradient { return tensor }
    let tensor = Tensor(uninitializedShape: param.shape, dtype: param.dtype)
    scratch.gradient = tensor
    return tensor
  }

  /// Scratch for a denominator (`sqrt(v) + eps`), shaped like `param`.
  func denominatorScratch(like param: Tensor) -> Tensor {
    if let tensor = scratch.denominator { return tensor }
    let tensor = Tensor(uninitializedShape: param.shape, dtype: param.dtype)
    scratch.denominator = tensor
    return tensor
  }
}

/// The gradient a step follows: `±grad + weightDecay · param`. Returns `grad` itself when
/// neither `maximize` nor weight decay changes it and the caller will not write to it
/// (`writable: false`); otherwise the sum is written into the state's scratch (allocated once).
func adjustedGradient(
  _ grad: Tensor, _ param: Tensor, _ state: ParamState, maximize: Bool, weightDecay: Double,
  writable: Bool = false
) -> Tensor {
  guard maximize || weightDecay != 0 || writable else { return grad }
  let g = state.gradientScratch(like: param).copy_(grad)
  if maximize { g.neg_() }
  if weightDecay != 0 { g.add_(param, alpha: weightDecay) }
  return g
}
