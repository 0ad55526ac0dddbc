import ArgumentParser
import Descent
import Foundation

/// `--checkpoint`, `--checkpoint-every` and `--resume` of `descent train`: a run saved as it
/// goes continues later, in one process or in an MPI job, exactly as if it had never stopped.
struct CheckpointOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Save the training state into this file after every --checkpoint-every epochs (replaced atomically), to continue with --resume.",
      valueName: "file"))
  var checkpoint: String?

  @Option(
    name: .customLong("checkpoint-every"), parsing: .unconditional,
    help: ArgumentHelp("Epochs between checkpoints (default: 1).", valueName: "n"))
  var checkpointEvery: Int?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Continue the run saved in this checkpoint: the same options, up to --epochs in all.",
      valueName: "file"))
  var resume: String?

  /// Throws what argument-parser cannot check: one line naming the option.
  func check() throws {
    if let every = checkpointEvery {
      guard checkpoint != nil else {
        throw CLIError("--checkpoint-every needs --checkpoint FILE, the file to save into")
      }
      guard every >= 1 else {
        throw CLIError("--checkpoint-every \(every): save at least every 1 epoch")
      }
    }
    if let checkpoint { try checkWritableFile(checkpoint, option: "--checkpoint") }
    if let resume, !FileManager.default.fileExists(atPath: resume) {
      throw CLIError("--resume \"\(resume)\": no such file")
    }
  }

  /// True when the state after `epoch` is to be saved.
  func savesAfter(epoch: Int, of epochs: Int) -> Bool {
    checkpoint != nil && (epoch % (checkpointEvery ?? 1) == 0 || epoch == epochs)
  }
}

/// The training state in a checkpoint file: the model, the optimizer, the global generator
/// (the shuffles), the finished epochs and their history, and the settings they were made
/// with, which a resumed run must repeat.
enum TrainingState {
  /// Writes the state after `history.count` epochs.
  static func save(
    to path: String, model: Module, optimizer: Optimizer,
    scheduler: (any CheckpointableScheduler)?, earlyStopping: EarlyStopping?,
    history: [EpochRecord], settings: [(String, String)], ranks: Int
  ) throws {
    var metadata = ["history": encode(history), "ranks": String(ranks)]
    for (key, value) in settings { metadata["setting.\(key)"] = value }
    if let earlyStopping, let weights = earlyStopping.bestWeights {
      metadata["best"] = BestWeights.encode(epoch: earlyStopping.bestEpoch, weights)
    }
    try reportingOneLine {
      try Checkpoint.save(
        to: URL(fileURLWithPath: path), model: model, optimizer: optimizer, scheduler: scheduler,
        epoch: history.count, generators: ["default": defaultGenerator], metadata: metadata)
    }
  }

  /// Restores the state saved at `path` into `model`, `optimizer` and the global generator and
  /// returns the history of the finished epochs.
  ///
  /// - Throws: ``CLIError`` naming the first setting that differs from this run's, a different
  ///   number of processes, a run that is already `epochs` long, or what the file lacks.
  static func load(
    from path: String, model: Module, optimizer: Optimizer,
    scheduler: (any CheckpointableScheduler)?, earlyStopping: EarlyStopping?,
    settings: [(String, String)], ranks: Int, epochs: Int
  ) throws -> [EpochRecord] {
    let place = "--resume \"\(path)\""
    let header: [String: String]
    do {
      header = try Safetensors.load(from: URL(fileURLWithPath: path)).1
    } catch {
      throw CLIError("\(place): \(error)")
    }
    guard header["format"] == "descent-checkpoint", let saved = header["user.history"] else {
      throw CLIError("\(place): not a checkpoint written by descent train --checkpoint")
    }
    for (key, value) in settings where header["user.setting.\(key)"] != value {
      throw CLIError(
        "\(place): the run was saved with \(key) \(header["user.setting.\(key)"] ?? "unset"), this one has \(value); resume with the same options"
      )
    }
    if let savedRanks = header["user.ranks"], savedRanks != String(ranks) {
      throw CLIError(
        "\(place): the run was saved by \(savedRanks) process\(savedRanks == "1" ? "" : "es"), this one has \(ranks); resume with as many (mpirun -np \(savedRanks)), since the batches depend on it"
      )
    }
    guard let history = decode(saved) else {
      throw CLIError("\(place): the saved history is malformed")
    }
    guard history.count < epochs else {
      throw CLIError(
        "\(place): the run has already trained \(history.count) epochs; give --epochs above \(history.count) to train more"
      )
    }
    if let earlyStopping, let text = header["user.best"] {
      guard let decoded = BestWeights.decode(text, like: model.stateDict()),
        (1...history.count).contains(decoded.0), let loss = history[decoded.0 - 1].validation?.loss
      else { throw CLIError("\(place): the saved best weights are malformed") }
      earlyStopping.restore(
        epoch: decoded.0, loss: loss, weights: decoded.1, after: history.count)
    }
    _ = try reportingOneLine {
      try Checkpoint.load(
        from: URL(fileURLWithPath: path), model: model, optimizer: optimizer,
        scheduler: scheduler, generators: ["default": defaultGenerator])
    }
    return history
  }

  /// `loss accuracy validation lr` per epoch, one line each, in Swift's exact (round-trip)
  /// form; `-` for what the run does not record.
  private static func encode(_ history: [EpochRecord]) -> String {
    history.map { record in
      [
        "\(record.loss)", record.accuracy.map { "\($0)" } ?? "-",
        record.validation?.encoded ?? "-", record.learningRate.map { "\($0)" } ?? "-",
      ].joined(separator: " ")
    }.joined(separator: "\n")
  }

  private static func decode(_ text: String) -> [EpochRecord]? {
    var history: [EpochRecord] = []
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      guard fields.count == 4, let loss = Double(fields[0]) else { return nil }
      var record = EpochRecord(loss: loss, accuracy: nil)
      if fields[1] != "-" {
        guard let accuracy = Double(fields[1]) else { return nil }
        record.accuracy = accuracy
      }
      if fields[2] != "-" {
        guard let scores = ValidationScores(encoded: fields[2])
        else { return nil }
        record.validation = scores
      }
      if fields[3] != "-" {
        guard let rate = Double(fields[3]) else { return nil }
        record.learningRate = rate
      }
      history.append(record)
    }
    return history
  }
}

/// The weights early stopping keeps, in a checkpoint's metadata: `epoch`, then one line per
/// tensor, `key value value …`, each float32 in its exact shortest form.
enum BestWeights {
  static func encode(epoch: Int, _ weights: StateDict) -> String {
    ([String(epoch)]
      + weights.map { key, tensor in
        ([key] + tensor.toFloats().map { "\($0)" }).joined(separator: " ")
      }).joined(separator: "\n")
  }

  /// The weights, shaped as `template`'s tensors; nil unless every tensor is there in full.
  static func decode(_ text: String, like template: StateDict) -> (Int, StateDict)? {
    var lines = text.split(separator: "\n")[...]
    guard let first = lines.popFirst(), let epoch = Int(first) else { return nil }
    var weights = StateDict()
    for line in lines {
      let fields = line.split(separator: " ")
      guard let key = fields.first.map(String.init), let model = template[key] else { return nil }
      let values = fields.dropFirst().compactMap { Float($0) }
      guard values.count == fields.count - 1, values.count == model.shape.reduce(1, *) else {
        return nil
      }
      weights[key] = Tensor(shape: model.shape, scalars: values)
    }
    guard weights.count == template.count else { return nil }
    return (epoch, weights)
  }
}
