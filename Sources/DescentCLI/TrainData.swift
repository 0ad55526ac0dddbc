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

  var rows: Int { rawFeatures.shape[0] }

  /// Reads the CSV file and checks that every selected value suits `loss`.
  ///
  /// - Throws: ``CLIError`` naming the file, line and column of the first bad value.
  static func load(path: String, target: String, features: [String]?, loss: LossChoice) throws
    -> TrainingData
  {
    let table = try readCSV(path)
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
    switch loss {
    case .ce:
      classes = try classCount(targets, table: table, path: path, column: target)
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
      file: path, featureNames: names, rawFeatures: x, target: targetTensor, classes: classes)
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
  private static func number(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}
