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
  public var buffers = StateDict() {
    didSet { resolvedFor = nil }
  }
  /// The parameter this state belongs to, kept alive so that its identity (the optimizer's
  /// key) cannot be reused by a new tensor while the state exists, as PyTorch's state dict
  /// keyed by tensors does.
  var parameter: Tensor?
  /// `buffers` in the order of a rule's slots, found by key once rather than at every step:
  /// `resolvedFor` is the optimizer's decoded groups they were found for (kept alive, so
  /// that its identity stays unique), nil once `buffers` changes.
  private var resolvedFor: AnyObject?
  private var resolvedBuffers: SlotBuffers = (nil, nil, nil)

  /// An empty state, filled by the optimizer's first step.
  public init() {}

  /// The buffer under `key` (PyTorch's name).
  public subscript(key: String) -> Tensor? {
    get { buffers[key] }
    set { buffers[key] = newValue }
  }

  /// True before the first step: no count and no buffers.
  public var isEmpty: Bool { step == nil && buffers.count == 0 }

  /// The buffers of `slots`, in slot order. A buffer that does not exist yet is made, shaped
  /// like `param` and filled with the slot's initial value; `created` tells whether one was.
  /// `decoded` is the optimizer's decoded groups `slots` come from: until they or `buffers`
  /// change, the buffers found last are returned without a lookup.
  func slotBuffers(_ slots: [StateSlot?], of decoded: AnyObject, like param: Tensor) -> (
    SlotBuffers, created: Bool
  ) {
    if resolvedFor === decoded { return (resolvedBuffers, false) }
    var created = false
    func buffer(_ index: Int) -> Tensor? {
      guard index < slots.count, let slot = slots[index] else { return nil }
      if let existing = buffers[slot.key] { return existing }
      let made = Tensor.full(param.shape, slot.initialValue, dtype: param.dtype)
      buffers[slot.key] = made
      created = true
      return made
    }
    let found = (buffer(0), buffer(1), buffer(2))
    precondition(slots.count <= 3, "a rule has at most three state slots")
    (resolvedFor, resolvedBuffers) = (decoded, found)
    return (found, created)
  }
}
