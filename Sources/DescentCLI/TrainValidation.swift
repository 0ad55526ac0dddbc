import ArgumentParser
import Descent
import Foundation

/// `--val-split`, `--val-data` and `--early-stopping` of `descent train`: rows the model never
/// trains on, scored after every epoch.
struct ValidationOptions: ParsableArguments {
  @Option(
    name: .customLong("val-split"), parsing: .unconditional,
    help: ArgumentHelp(
      "Hold out this share of the rows for validation, drawn with --seed (stratified by class for classification), e.g. 0.2.",
      valueName: "share"))
  var valSplit: Double?

  @Option(
    name: .customLong("val-data"),
    help: ArgumentHelp(
      "A CSV file of validation rows, with the training file's columns.", valueName: "file"))
  var valData: String?

  @Option(
    name: .customLong("early-stopping"), parsing: .unconditional,
    help: ArgumentHelp(
      "Stop after this many epochs without a lower validation loss, keeping the best weights.",
      valueName: "n"))
  var earlyStopping: Int?

  var holdsOut: Bool { valSplit != nil || valData != nil }

  /// Throws what argument-parser cannot check: one line naming the option.
  func check() throws {
    if valSplit != nil && valData != nil {
      throw CLIError("--val-split and --val-data: give one of them, not both")
    }
    if let valSplit, !(valSplit > 0 && valSplit < 1) {
      throw CLIError(
        "--val-split \(valSplit): the share of rows held out must lie between 0 and 1, e.g. 0.2")
    }
    if let earlyStopping {
      guard earlyStopping >= 1 else {
        throw CLIError(
          "--early-stopping \(earlyStopping): wait at least 1 epoch without improvement")
      }
      guard holdsOut else {
        throw CLIError(
          "--early-stopping needs held-out rows to watch: add --val-split 0.2 or --val-data FILE")
      }
    }
  }

  /// The settings kept in summary.json and checked on --resume.
  var settings: [(String, String)] {
    var fields: [(String, String)] = []
    if let valSplit { fields.append(("val_split", number(valSplit))) }
    if let valData { fields.append(("val_data", jsonString(valData))) }
    if let earlyStopping { fields.append(("early_stopping", String(earlyStopping))) }
    return fields
  }

  /// The training rows and the validation rows: `data` split by `--val-split`, or `data` and
  /// the rows of `--val-data` (with the same columns, and only classes `data` has).
  func split(
    _ data: TrainingData, target: String, features: [String]?, loss: LossChoice, seed: Int
  ) throws -> (training: TrainingData, validation: TrainingData?) {
    if let valSplit {
      let (training, validation) = try splitRows(data, share: valSplit, loss: loss, seed: seed)
      return (data.subset(training), data.subset(validation))
    }
    guard let valData else { return (data, nil) }
    let table = try readCSV(valData)
    let used = Set(data.featureNames + [target])
    if let absent = (data.featureNames + [target]).first(where: { !table.columns.contains($0) }) {
      throw CLIError(
        "--val-data \"\(valData)\": the column \"\(absent)\" of \"\(data.file)\" is missing; validation rows need the training file's columns"
      )
    }
    // Without --features every column but the target is a feature, so another column in the
    // validation file means the two files do not describe the same thing.
    if features == nil, let extra = table.columns.first(where: { !used.contains($0) }) {
      throw CLIError(
        "--val-data \"\(valData)\": the column \"\(extra)\" is not in \"\(data.file)\"; validation rows need the training file's columns"
      )
    }
    guard table.rowCount > 0 else {
      throw CLIError("--val-data \"\(valData)\": the file has no rows to validate on")
    }
    let validation = try TrainingData.load(
      table: table, path: valData, target: target, features: data.featureNames, loss: loss,
      training: data)
    return (data, validation)
  }

  /// Row indices for training and for validation, each in file order. The held-out rows are
  /// `ceil(share × rows)`, as scikit-learn's `train_test_split` counts them, chosen by a
  /// permutation of a generator seeded with `seed` (the global generator, which initialises the
  /// model, is left alone). For classification each class gives its share (largest remainders,
  /// ties to the lower class), and keeps at least one row for training.
  private func splitRows(_ data: TrainingData, share: Double, loss: LossChoice, seed: Int) throws
    -> ([Int], [Int])
  {
    let rows = data.rows
    let heldOut = min(rows, Int((share * Double(rows)).rounded(.up)))
    let generator = Generator(seed: UInt64(seed))
    var groups: [[Int]]
    if loss.isClassification {
      var byClass: [Double: [Int]] = [:]
      for (row, value) in data.rawTarget.enumerated() { byClass[value, default: []].append(row) }
      groups = byClass.keys.sorted().map { byClass[$0]! }
      if let single = byClass.keys.sorted().first(where: { byClass[$0]!.count < 2 }) {
        throw CLIError(
          "--val-split \(number(share)): class \(TrainingData.number(single)) of \"\(data.file)\" has only 1 row, too few to stratify; every class needs a row for training and one for validation"
        )
      }
    } else {
      groups = [Array(0..<rows)]
    }
    let counts = allocate(heldOut, among: groups.map(\.count), of: rows)
    var validation: [Int] = []
    for (group, count) in zip(groups, counts) where count > 0 {
      let order = Tensor.randperm(group.count, generator: generator).toArray(as: Int64.self)
      validation += order.prefix(count).map { group[Int($0)] }
    }
    let training = Set(0..<rows).subtracting(validation).sorted()
    guard !validation.isEmpty, !training.isEmpty else {
      let side = validation.isEmpty ? "validation" : "training"
      throw CLIError(
        "--val-split \(number(share)): \"\(data.file)\" has \(rows) row\(rows == 1 ? "" : "s"), and holding out \(validation.count) leaves none for \(side); give more rows, or use --val-data FILE"
      )
    }
    return (training, validation.sorted())
  }

  /// `total` held-out rows shared among groups in proportion to their sizes: the floors, then
  /// one more to the largest remainders; never a whole group (each keeps a training row).
  private func allocate(_ total: Int, among sizes: [Int], of rows: Int) -> [Int] {
    guard sizes.count > 1 else { return [total] }
    let exact = sizes.map { Double($0) * Double(total) / Double(rows) }
    var counts = zip(exact, sizes).map { min(Int($0.0), $0.1 - 1) }
    var left = total - counts.reduce(0, +)
    let order = sizes.indices.sorted {
      exact[$0] - exact[$0].rounded(.down) > exact[$1] - exact[$1].rounded(.down)
    }
    for index in order where left > 0 && counts[index] < sizes[index] - 1 {
      counts[index] += 1
      left -= 1
    }
    return counts
  }
}

/// Early stopping on the validation loss: the best weights so far, and the epochs since.
final class EarlyStopping {
  let patience: Int
  private(set) var bestLoss = Double.infinity
  private(set) var bestEpoch = 0
  private(set) var bestWeights: StateDict?
  private(set) var epochsWithoutImprovement = 0

  init(patience: Int) { self.patience = patience }

  /// Notes the validation loss of `epoch`; true when training should stop.
  func update(epoch: Int, loss: Double, model: Module) -> Bool {
    if loss < bestLoss {
      bestLoss = loss
      bestEpoch = epoch
      bestWeights = noGrad { StateDict(model.stateDict().map { ($0.key, $0.value.clone()) }) }
      epochsWithoutImprovement = 0
    } else {
      epochsWithoutImprovement += 1
    }
    return epochsWithoutImprovement >= patience
  }

  /// Restores the best state found in a resumed run's history and checkpoint.
  func restore(epoch: Int, loss: Double, weights: StateDict, after epochs: Int) {
    bestLoss = loss
    bestEpoch = epoch
    bestWeights = weights
    epochsWithoutImprovement = epochs - epoch
  }
}
