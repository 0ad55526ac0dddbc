import Foundation

/// A training run in one safetensors file: the model, the optimizer's state and
/// hyper-parameters, the scheduler's counters, the epoch and the random generators, so that a
/// run resumed from it continues exactly as if it had never stopped.
///
/// The file is written atomically (temporary file, flush, rename): a crash while saving leaves
/// the previous checkpoint as it was. Loading checks every part before it changes anything.
///
/// ```swift
/// try Checkpoint.save(to: url, model: model, optimizer: optimizer, scheduler: scheduler,
///                     epoch: epoch, generators: ["default": defaultGenerator, "loader": g])
/// let resumed = try Checkpoint.load(from: url, model: model, optimizer: optimizer,
///                                   scheduler: scheduler, generators: […])
/// ```
public struct Checkpoint: Sendable {
  /// The epoch saved with the state (the number of finished epochs, by convention).
  public let epoch: Int
  /// The caller's own metadata.
  public let metadata: [String: String]

  static let format = "descent-checkpoint"
  static let version = "1"

  /// Writes a checkpoint. Tensors go under `model.`, `optimizer.state.<id>.` and
  /// `generator.<name>` keys; hyper-parameters and counters go into the metadata as JSON.
  public static func save(
    to url: URL, model: Module, optimizer: Optimizer? = nil,
    scheduler: (any CheckpointableScheduler)? = nil,
    epoch: Int, generators: [String: Generator] = [:], metadata: [String: String] = [:]
  ) throws {
    var tensors = StateDict()
    for (key, tensor) in model.stateDict() { tensors["model.\(key)"] = tensor }
    var header: [String: String] = [
      "format": format, "version": version, "epoch": String(epoch),
    ]
    if let optimizer {
      let saved = optimizer.stateDict()
      for id in saved.state.keys.sorted() {
        for (key, tensor) in saved.state[id]! { tensors["optimizer.state.\(id).\(key)"] = tensor }
      }
      header["optimizer.type"] = optimizer.typeName
      header["optimizer.param_groups"] = try encodeGroups(saved.paramGroups)
    }
    if let scheduler {
      let saved = scheduler.stateDict()
      header["scheduler.type"] = String(describing: type(of: scheduler))
      header["scheduler.state"] = try json([
        "last_epoch": saved.lastEpoch, "_step_count": saved.stepCount, "base_lrs": saved.baseLrs,
        "_last_lr": saved.lastLr, "values": saved.values,
      ])
    }
    for (name, generator) in generators {
      tensors["generator.\(name)"] = Tensor(
        shape: [generatorStateByteCount], scalars: generator.state().map(Int64.init))
    }
    for (key, value) in metadata { header["user.\(key)"] = value }
    try Safetensors.save(tensors, to: url, metadata: header)
  }

  /// Restores a checkpoint into the given objects and returns its epoch and metadata. Checks
  /// the model's keys and shapes, the optimizer's groups and state, the scheduler's counters
  /// and the generators first; on any error nothing is changed.
  @discardableResult
  public static func load(
    from url: URL, model: Module, optimizer: Optimizer? = nil,
    scheduler: (any CheckpointableScheduler)? = nil,
    generators: [String: Generator] = [:], strict: Bool = true
  ) throws -> Checkpoint {
    let (tensors, header) = try Safetensors.load(from: url)
    func fail(_ message: String) -> CheckpointError {
      CheckpointError(path: url.path, message: message)
    }
    guard header["format"] == format else {
      throw fail(
        "not a Descent checkpoint (metadata 'format' is \(header["format"].map { "'\($0)'" } ?? "missing")); a plain state dict loads with Module.load(from:)"
      )
    }
    guard let epochText = header["epoch"], let epoch = Int(epochText) else {
      throw fail("the metadata field 'epoch' is missing or not an integer")
    }

    // Split the file into its parts.
    var modelDict = StateDict()
    var optimizerState: [Int: StateDict] = [:]
    for (key, tensor) in tensors {
      if key.hasPrefix("model.") {
        modelDict[String(key.dropFirst("model.".count))] = tensor
      } else if key.hasPrefix("optimizer.state.") {
        let rest = key.dropFirst("optimizer.state.".count)
        guard let dot = rest.firstIndex(of: "."), let id = Int(rest[..<dot]) else {
          throw fail("malformed optimizer state key '\(key)'")
        }
        optimizerState[id, default: StateDict()][String(rest[rest.index(after: dot)...])] = tensor
      }
    }

    // Check everything that can be checked without changing anything.
    do {
      try model.checkStateDict(modelDict, strict: strict)
    } catch let error as StateDictError {
      throw fail("the model does not match the checkpoint: \(error)")
    }
    var generatorStates: [(Generator, [UInt8])] = []
    for (name, generator) in generators {
      guard let saved = tensors["generator.\(name)"] else {
        throw fail(
          "the checkpoint holds no generator named '\(name)' (it has: \(tensors.keys.filter { $0.hasPrefix("generator.") }.map { String($0.dropFirst(10)) }.sorted().joined(separator: ", ")))"
        )
      }
      let bytes = saved.toArray(as: Int64.self)
      guard bytes.allSatisfy({ (0...255).contains($0) }) else {
        throw fail("generator '\(name)' state holds values outside 0…255")
      }
      generatorStates.append((generator, bytes.map { UInt8($0) }))
    }
    var optimizerDict: OptimizerStateDict?
    if let optimizer {
      guard header["optimizer.type"] == optimizer.typeName else {
        throw fail(
          "the checkpoint's optimizer is \(header["optimizer.type"] ?? "absent"), not \(optimizer.typeName)"
        )
      }
      guard let text = header["optimizer.param_groups"], let groups = try? decodeGroups(text) else {
        throw fail("the metadata field 'optimizer.param_groups' is missing or malformed")
      }
      optimizerDict = OptimizerStateDict(state: optimizerState, paramGroups: groups)
    }
    var schedulerDict: SchedulerStateDict?
    if let scheduler {
      guard header["scheduler.type"] == String(describing: type(of: scheduler)),
        let text = header["scheduler.state"], let saved = try? decodeScheduler(text)
      else {
        throw fail(
          "the checkpoint's scheduler is \(header["scheduler.type"] ?? "absent"), not \(type(of: scheduler)), or its state is malformed"
        )
      }
      schedulerDict = saved
    }

    // Apply, undoing the parts already applied if a later one refuses.
    let optimizerBefore = optimizer?.stateDict()
    let schedulerBefore = scheduler?.stateDict()
    let generatorsBefore = generatorStates.map { ($0.0, $0.0.state()) }
    do {
      if let optimizer, let optimizerDict { try optimizer.loadStateDict(optimizerDict) }
      if let scheduler, let schedulerDict { try scheduler.loadStateDict(schedulerDict) }
      for (generator, bytes) in generatorStates { try generator.setState(bytes) }
    } catch {
      if let optimizer, let optimizerBefore { try? optimizer.loadStateDict(optimizerBefore) }
      if let scheduler, let schedulerBefore { try? scheduler.loadStateDict(schedulerBefore) }
      for (generator, bytes) in generatorsBefore { try? generator.setState(bytes) }
      throw fail("\(error)")
    }
    try model.loadStateDict(modelDict, strict: strict)

    var user: [String: String] = [:]
    for (key, value) in header where key.hasPrefix("user.") {
      user[String(key.dropFirst(5))] = value
    }
    return Checkpoint(epoch: epoch, metadata: user)
  }
}

/// A scheduler whose counters a checkpoint can hold: `LRScheduler` and `ReduceLROnPlateau`.
public protocol CheckpointableScheduler: AnyObject {
  /// The scheduler's counters and settings, as PyTorch's `state_dict()`.
  func stateDict() -> SchedulerStateDict
  /// Restores counters saved by `stateDict()`; throws, changing nothing, on a mismatch.
  func loadStateDict(_ dict: SchedulerStateDict) throws
}

extension LRScheduler: CheckpointableScheduler {}
extension ReduceLROnPlateau: CheckpointableScheduler {}

/// Why a checkpoint could not be loaded; nothing was changed.
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
  /// The checkpoint file.
  public let path: String
  /// What was wrong with it.
  public let message: String
  /// A readable description, as `print` shows it.
  public var description: String { "\(path): \(message)" }
}

// MARK: JSON for the metadata

private func json(_ value: Any) throws -> String {
  String(
    decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]),
    as: UTF8.self)
}

/// A saved group as PyTorch's `param_groups` entry: `params` (the ids) beside the
/// hyper-parameters under their names.
private enum GroupEntry: Codable {
  case ids([Int])
  case value(HyperValue)

  init(from decoder: Decoder) throws {
    self = .value(try HyperValue(from: decoder))
  }

  func encode(to encoder: Encoder) throws {
    switch self {
    case .ids(let ids): try ids.encode(to: encoder)
    case .value(let value): try value.encode(to: encoder)
    }
  }
}

private func encodeGroups(_ groups: [OptimizerStateDict.ParamGroupState]) throws -> String {
  let entries = groups.map { group in
    var entry = ["params": GroupEntry.ids(group.params)]
    for name in group.options.names { entry[name] = .value(group.options[name]!) }
    return entry
  }
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  return String(decoding: try encoder.encode(entries), as: UTF8.self)
}

private func decodeGroups(_ text: String) throws -> [OptimizerStateDict.ParamGroupState] {
  let entries = try JSONDecoder().decode([[String: GroupEntry]].self, from: Data(text.utf8))
  return try entries.map { entry in
    guard case .value(.numbers(let ids))? = entry["params"],
      ids.allSatisfy({ Int(exactly: $0) != nil })
    else { throw CocoaError(.coderReadCorrupt) }
    var options = HyperParameters()
    for (name, value) in entry.sorted(by: { $0.key < $1.key }) where name != "params" {
      if case .value(let value) = value { options[name] = value }
    }
    return OptimizerStateDict.ParamGroupState(options: options, params: ids.map { Int($0) })
  }
}

private func decodeScheduler(_ text: String) throws -> SchedulerStateDict {
  guard let entry = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
    let lastEpoch = entry["last_epoch"] as? Int, let stepCount = entry["_step_count"] as? Int,
    let baseLrs = entry["base_lrs"] as? [NSNumber], let lastLr = entry["_last_lr"] as? [NSNumber],
    let values = entry["values"] as? [String: NSNumber]
  else { throw CocoaError(.coderReadCorrupt) }
  return SchedulerStateDict(
    lastEpoch: lastEpoch, stepCount: stepCount, baseLrs: baseLrs.map(\.doubleValue),
    lastLr: lastLr.map(\.doubleValue), values: values.mapValues(\.doubleValue))
}
