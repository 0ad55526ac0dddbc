/// An optimizer's saved state, shaped like PyTorch's `optimizer.state_dict()`: per-parameter
/// state under integer ids (the parameter's position counting through the groups in order)
/// and each group's hyper-parameters with the ids of its parameters.
public struct OptimizerStateDict {
  /// One group as saved: its hyper-parameters and its parameters' ids (PyTorch's `params`).
  public struct ParamGroupState {
    /// The group's hyper-parameters.
    public var options: HyperParameters
    /// The ids of the group's parameters, in order.
    public var params: [Int]

    /// A saved group.
    public init(options: HyperParameters, params: [Int]) {
      self.options = options
      self.params = params
    }
  }

  /// Per-parameter state by id, with PyTorch's keys (`step`, `exp_avg`, …). `step` is a 0-d
  /// float32 tensor, as in PyTorch. Parameters without state have no entry.
  public var state: [Int: StateDict]
  /// The groups, in order (`param_groups`).
  public var paramGroups: [ParamGroupState]

  /// A state dict from its parts.
  public init(state: [Int: StateDict], paramGroups: [ParamGroupState]) {
    self.state = state
    self.paramGroups = paramGroups
  }
}

/// Why `loadStateDict` refused a state dict. Nothing was changed.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
  /// The dict has another number of groups.
  case groupCount(expected: Int, found: Int)
  /// A group of the dict has another number of parameters.
  case groupSize(group: Int, expected: Int, found: Int)
  /// State under an id that no group of the dict lists.
  case unknownParameter(id: Int)
  /// A parameter's state lacks a buffer the optimizer needs with the dict's hyper-parameters.
  case missingState(id: Int, key: String)
  /// A state tensor's shape differs from its parameter's (`step` must hold one element).
  case stateShape(id: Int, key: String, expected: [Int], found: [Int])
  /// A group's hyper-parameters are invalid for this optimizer.
  case invalidOptions(group: Int, message: String)

  /// A readable description, as `print` shows it.
  public var description: String {
    switch self {
    case .groupCount(let expected, let found):
      return
        "loaded state dict has a different number of parameter groups (\(found), the optimizer has \(expected))"
    case .groupSize(let group, let expected, let found):
      return
        "loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group \(group): \(found) parameters, the optimizer's has \(expected))"
    case .unknownParameter(let id):
      return "loaded state dict has state for parameter id \(id), which no parameter group lists"
    case .missingState(let id, let key):
      return "loaded state dict lacks '\(key)' in the state of parameter \(id)"
    case .stateShape(let id, let key, let expected, let found):
      return
        "size mismatch for state '\(key)' of parameter \(id): copying a tensor with shape \(shapeText(found)) from checkpoint, the parameter's shape is \(shapeText(expected))"
    case .invalidOptions(let group, let message):
      return "loaded state dict has invalid hyper-parameters in group \(group): \(message)"
    }
  }
}

extension Optimizer {
  /// The state as PyTorch's `state_dict()` lays it out. The tensors are copies: later steps
  /// do not change a saved dict, and loading it elsewhere shares nothing with this optimizer.
  public func stateDict() -> OptimizerStateDict {
    var saved: [Int: StateDict] = [:]
    var groups: [OptimizerStateDict.ParamGroupState] = []
    var id = 0
    for group in paramGroups {
      var ids: [Int] = []
      for p in group.params {
        if let entry = state[ObjectIdentifier(p)], !entry.isEmpty {
          var dict = StateDict()
          if let step = entry.step { dict["step"] = Tensor(step, dtype: .float32) }
          for (key, tensor) in entry.buffers { dict[key] = tensor.copyData() }
          saved[id] = dict
        }
        ids.append(id)
        id += 1
      }
      groups.append(.init(options: group.options, params: ids))
    }
    return OptimizerStateDict(state: saved, paramGroups: groups)
  }

  /// Replaces the hyper-parameters and state with `dict`'s (`load_state_dict`), matching
  /// parameters by position, as PyTorch does. A name a saved group lacks (one added to the
  /// optimizer after the dict was saved) takes the optimizer's default. Checks everything
  /// first and throws without changing anything when the group or parameter counts differ,
  /// a state tensor's shape is not its parameter's, or a buffer the optimizer needs is
  /// missing. State tensors are copied, converted to their parameter's dtype.
  public func loadStateDict(_ dict: OptimizerStateDict) throws {
    guard dict.paramGroups.count == paramGroups.count else {
      throw OptimizerStateError.groupCount(
        expected: paramGroups.count, found: dict.paramGroups.count)
    }
    let options = dict.paramGroups.map { $0.options.filling(from: defaults) }
    var paramsByID: [Int: Tensor] = [:]
    for (index, (group, saved)) in zip(paramGroups, dict.paramGroups).enumerated() {
      guard group.params.count == saved.params.count else {
        throw OptimizerStateError.groupSize(
          group: index, expected: group.params.count, found: saved.params.count)
      }
      if let problem = validate(options[index]) {
        throw OptimizerStateError.invalidOptions(group: index, message: problem)
      }
      for (id, p) in zip(saved.params, group.params) { paramsByID[id] = p }
    }
    var loaded: [ObjectIdentifier: ParamState] = [:]
    for (saved, options) in zip(dict.paramGroups, options) {
      let required = requiredStateKeys(options)
      for id in saved.params {
        guard let entry = dict.state[id], entry.count > 0 else { continue }
        let p = paramsByID[id]!
        for key in required where entry[key] == nil {
          throw OptimizerStateError.missingState(id: id, key: key)
        }
        let restored = ParamState()
        restored.parameter = p
        for (key, tensor) in entry {
          if key == "step" {
            guard tensor.count == 1 else {
              throw OptimizerStateError.stateShape(
                id: id, key: key, expected: [], found: tensor.shape)
            }
            restored.step = tensor.item()
          } else {
            guard tensor.shape == p.shape else {
              throw OptimizerStateError.stateShape(
                id: id, key: key, expected: p.shape, found: tensor.shape)
            }
            restored[key] = tensor.converted(to: p.dtype).copyData()
          }
        }
        loaded[ObjectIdentifier(p)] = restored
      }
    }
    if let stray = dict.state.keys.sorted().first(where: { paramsByID[$0] == nil }) {
      throw OptimizerStateError.unknownParameter(id: stray)
    }
    for index in paramGroups.indices { paramGroups[index].options = options[index] }
    state = loaded
  }
}
