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
    didSet { resolved = nil }
  }
  /// The parameter this state belongs to, kept alive so that its identity (the optimizer's
  /// key) cannot be reused by a new tensor while the state exists, as PyTorch's state dict
  /// keyed by tensors does.
  var parameter: Tensor?
  /// `buffers` in the order of a rule's slots, found by key once rather than at every step;
  /// forgotten when `buffers` changes.
  private var resolved: (keys: [String?], buffers: SlotBuffers)?

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
  func slotBuffers(_ slots: [StateSlot?], like param: Tensor) -> (SlotBuffers, created: Bool) {
    if let resolved, resolved.keys.elementsEqual(slots, by: { $0 == $1?.key }) {
      return (resolved.buffers, false)
    }
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
    resolved = (slots.map { $0?.key }, found)
    return (found, created)
  }
}
