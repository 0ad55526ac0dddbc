import Descent
import Foundation

/// The training set read from `--data`: raw features, the target in the form the loss takes,
/// and what the target says about the task (the number of classes for `ce`).
struct TrainingData {
  let file: String
  let featureNames: [String]
  /// `[N, F]` float64, as the file has them.
  let rawFeatures: Tensor
  /// `[N]` class indices (int64) for `ce`; `[N, 1]` float32 for every other loss.
  let target: Tensor
  /// The number of classes for `ce`.
  let classes: Int?
  /// The target column as the file has it, for metrics in float64 (as scikit-learn takes it).
  let rawTarget: [Double]
  /// The 1-based line of each row in the file, for messages.
  let lines: [Int]

  var rows: Int { rawFeatures.shape[0] }

  /// The rows at `indices`, in that order.
  func subset(_ indices: [Int]) -> TrainingData {
    let width = featureNames.count
    let values = rawFeatures.toDoubles()
    var picked: [Double] = []
    picked.reserveCapacity(indices.count * width)
    for row in indices { picked += values[(row * width)..<((row + 1) * width)] }
    let targets = indices.map { rawTarget[$0] }
    let targetTensor =
      target.dtype == .int64
      ? Tensor(shape: [indices.count], scalars: targets.map { Int64($0) })
      : Tensor(shape: [indices.count, 1], scalars: targets.map { Float($0) })
    return TrainingData(
      file: file, featureNames: featureNames,
      rawFeatures: Tensor(shape: [indices.count, width], scalars: picked), target: targetTensor,
      classes: classes, rawTarget: targets, lines: indices.map { lines[$0] })
  }

  /// Reads the CSV file and checks that every selected value suits `loss`. Held-out data
  /// passes the training data as `training`: its classes must be among those trained on.
  ///
  /// - Throws: ``CLIError`` naming the file, line and column of the first bad value.
  static func load(
    path: String, target: String, features: [String]?, loss: LossChoice,
    training: TrainingData? = nil
  ) throws -> TrainingData {
    try load(
      table: try readCSV(path), path: path, target: target, features: features, loss: loss,
      training: training)
  }

  /// ``load(path:target:features:loss:training:)`` of a table already read.
  static func load(
    table: CSVTable, path: String, target: String, features: [String]?, loss: LossChoice,
    training: TrainingData? = nil
  ) throws -> TrainingData {
    let (x, y, names) = try reportingOneLine(file: path) {
      try table.trainingTensors(
        features: features, target: target, dtype: .float64, targetDType: .float64)
    }
    guard !names.isEmpty else {
      throw CLIError(
        "CSV \"\(path)\": no feature columns: the file has only the target \"\(target)\"")
    }
    let values = x.toDoubles()
    let width = names.count
    if let flat = values.firstIndex(where: { !$0.isFinite }) {
      throw notFinite(table, path, row: flat / width, column: names[flat % width], values[flat])
    }
    let targets = y.toDoubles()
    if let row = targets.firstIndex(where: { !$0.isFinite }) {
      throw notFinite(table, path, row: row, column: target, targets[row])
    }
    var classes: Int?
    let targetTensor: Tensor
    if let training, loss.isClassification {
      try checkSeen(targets, table: table, path: path, column: target, training: training)
    }
    switch loss {
    case .ce:
      classes =
        try training?.classes ?? classCount(targets, table: table, path: path, column: target)
      targetTensor = Tensor(shape: [targets.count], scalars: targets.map { Int64($0) })
    case .bce, .bceLogits:
      if let row = targets.firstIndex(where: { $0 != 0 && $0 != 1 }) {
        throw CLIError(
          "CSV \"\(path)\", line \(table.line(ofRow: row)), column \"\(target)\": \(number(targets[row])) is not a class; --loss \(loss.rawValue) needs targets 0 and 1 (use --loss ce for more classes)"
        )
      }
      targetTensor = Tensor(shape: [targets.count, 1], scalars: targets.map { Float($0) })
    case .mse, .l1, .huber:
      targetTensor = Tensor(shape: [targets.count, 1], scalars: targets.map { Float($0) })
    }
    return TrainingData(
      file: path, featureNames: names, rawFeatures: x, target: targetTensor, classes: classes,
      rawTarget: targets, lines: (0..<targets.count).map { table.line(ofRow: $0) })
  }

  /// Held-out targets must be classes the training rows have: a model never trained on a
  /// class cannot predict it, and its scores would say nothing.
  private static func checkSeen(
    _ targets: [Double], table: CSVTable, path: String, column: String, training: TrainingData
  ) throws {
    let seen = Set(training.rawTarget)
    for (row, value) in targets.enumerated() where !seen.contains(value) {
      let known = seen.sorted().map(number).joined(separator: ", ")
      throw CLIError(
        "CSV \"\(path)\", line \(table.line(ofRow: row)), column \"\(column)\": class \(number(value)) does not occur in the training rows of \"\(training.file)\" (classes \(known)); a model cannot learn a class it never saw"
      )
    }
  }

  /// The error for an infinite value, which the CSV reader accepts but training cannot use.
  private static func notFinite(
    _ table: CSVTable, _ path: String, row: Int, column: String, _ value: Double
  ) -> CLIError {
    CLIError(
      "CSV \"\(path)\", line \(table.line(ofRow: row)), column \"\(column)\": \(value) is not a finite number; training needs finite values"
    )
  }

  /// K for class indices 0…K−1; throws unless every value is such an index and every class
  /// occurs (a class without samples is almost always a wrong column or a mislabelled file).
  private static func classCount(_ targets: [Double], table: CSVTable, path: String, column: String)
    throws -> Int
  {
    let place = "CSV \"\(path)\""
    for (row, value) in targets.enumerated()
    where value < 0 || value.rounded(.towardZero) != value || value > 1e9 {
      throw CLIError(
        "\(place), line \(table.line(ofRow: row)), column \"\(column)\": \(number(value)) is not a class index; --loss ce needs whole numbers 0, 1, …, K−1 in the target column"
      )
    }
    let present = Set(targets.map { Int($0) })
    let count = (present.max() ?? 0) + 1
    guard count >= 2 else {
      throw CLIError(
        "\(place), column \"\(column)\": every row has class 0; --loss ce needs at least two classes"
      )
    }
    let missingCount = count - present.count
    guard missingCount == 0 else {
      // Found by counting up from 0; stops after a few, so a huge label costs nothing.
      var missing: [Int] = []
      var candidate = 0
      while missing.count < 5 && candidate < count {
        if !present.contains(candidate) { missing.append(candidate) }
        candidate += 1
      }
      var shown = missing.map(String.init).joined(separator: ", ")
      if missingCount > missing.count { shown += " and \(missingCount - missing.count) more" }
      let noun = missingCount == 1 ? "class \(shown) is" : "classes \(shown) are"
      throw CLIError(
        "\(place), column \"\(column)\": the classes run from 0 to \(count - 1) but \(noun) missing; --loss ce needs every class 0…K−1 present"
      )
    }
    return count
  }

  /// A value as the file most likely wrote it: `3` rather than `3.0`.
  static func number(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}
