import Foundation

extension CSVTable {
  /// The chosen columns as a `[rows, columns.count]` tensor, in the order given.
  ///
  /// - Parameters:
  ///   - names: Names from ``columns``; each must be a numeric column.
  ///   - dtype: `.float32` (the default, as `torch.tensor(df.values, dtype=torch.float32)`),
  ///     `.float64`, or `.int64` (each value must then be a whole number, as class indices are).
  ///   - missing: Overrides the table's ``missingPolicy``; `.skipRow` drops the rows that miss a
  ///     value in any of these columns.
  /// - Throws: ``CSVError``: an unknown name, a non-numeric column, a missing value under
  ///   `.error`, a value the integer dtype cannot hold.
  public func tensor(
    columns names: [String], dtype: DType = .float32, missing: MissingValuePolicy? = nil
  )
    throws -> Tensor
  {
    let selection = try select(names, missing: missing ?? missingPolicy)
    return try makeTensor(selection, shape: [selection.rowCount, names.count], dtype: dtype)
  }

  /// One numeric column as a `[rows]` tensor (see ``tensor(columns:dtype:missing:)``).
  public func tensor(
    column name: String, dtype: DType = .float32, missing: MissingValuePolicy? = nil
  )
    throws -> Tensor
  {
    let selection = try select([name], missing: missing ?? missingPolicy)
    return try makeTensor(selection, shape: [selection.rowCount], dtype: dtype)
  }

  /// Features and target for supervised training, from the same rows.
  ///
  /// - Parameters:
  ///   - features: The feature columns in order, or nil for every column but the target (then
  ///     every one of them must be numeric: a text column is an error, not silently left out,
  ///     since a column with one typo in it would be text too).
  ///   - target: The target column: class indices (give `targetDType: .int64` for
  ///     `crossEntropyLoss`) or values to regress.
  ///   - dtype: The features' dtype.
  ///   - targetDType: The target's dtype; by default `dtype`.
  ///   - missing: Overrides the table's ``missingPolicy``. `.skipRow` drops a row that misses
  ///     any feature or the target, from both tensors.
  /// - Returns: Features `[rows, features]`, target `[rows]` and the feature names in order.
  /// - Throws: ``CSVError``, also when no row is left (training needs data) or when the target is
  ///   also named as a feature.
  public func trainingTensors(
    features: [String]? = nil, target: String, dtype: DType = .float32, targetDType: DType? = nil,
    missing: MissingValuePolicy? = nil
  ) throws -> (features: Tensor, target: Tensor, featureNames: [String]) {
    _ = try index(of: target)
    let featureNames = features ?? columns.filter { $0 != target }
    if featureNames.contains(target) {
      throw CSVError(
        .duplicateColumn,
        "the target column is also a feature, which would give the model the answer; leave it out of the features",
        file: file, column: target, text: target)
    }
    let selection = try select(featureNames + [target], missing: missing ?? missingPolicy)
    guard selection.rowCount > 0 else {
      let reason =
        rowCount == 0
        ? "the file has a header but no data rows"
        : "every one of the \(rowCount) rows misses a value and .skipRow left out all of them"
      throw CSVError(.noRows, "no rows to train on: \(reason)", file: file)
    }
    let k = featureNames.count
    var featureSelection = selection
    featureSelection.columns.removeLast()
    featureSelection.fills.removeLast()
    var targetSelection = selection
    targetSelection.columns = [selection.columns[k]]
    targetSelection.fills = [selection.fills[k]]
    let x = try makeTensor(featureSelection, shape: [selection.rowCount, k], dtype: dtype)
    let y = try makeTensor(
      targetSelection, shape: [selection.rowCount], dtype: targetDType ?? dtype)
    return (x, y, featureNames)
  }

  /// A new tensor of `shape` holding the selection.
  private func makeTensor(_ selection: CSVSelection, shape: [Int], dtype: DType) throws -> Tensor {
    let tensor: Tensor
    switch dtype {
    case .float32:
      tensor = Tensor(uninitializedShape: shape, dtype: dtype)
      gather(selection, into: tensor.pointer(Float.self)) { Float($0) }
    case .float64:
      tensor = Tensor(uninitializedShape: shape, dtype: dtype)
      gather(selection, into: tensor.pointer(Double.self)) { $0 }
    case .int64:
      try checkIntegers(selection)
      tensor = Tensor(uninitializedShape: shape, dtype: dtype)
      gather(selection, into: tensor.pointer(Int64.self)) { Int64($0) }
    case .bool:
      throw CSVError(
        .unsupportedDType,
        "CSV columns become float32, float64 or int64 tensors, not \(dtype); compare the values to make a bool tensor",
        file: file)
    }
    return tensor
  }

  /// Throws unless every selected value is a whole number within Int64's range.
  private func checkIntegers(_ selection: CSVSelection) throws {
    for (position, j) in selection.columns.enumerated() {
      if let fill = selection.fills[position], !Self.isInt64(fill) {
        throw CSVError(
          .notInteger,
          "the fill value \(fill) for missing values is not a whole number, so it cannot be int64",
          file: file, column: columns[j])
      }
    }
    let n = columns.count
    let base = values.pointer
    func check(_ row: Int) throws {
      for j in selection.columns {
        let value = base[row * n + j]
        if !value.isNaN && !Self.isInt64(value) {
          throw CSVError(
            .notInteger,
            "\(value) is not a whole number within Int64's range, so the column cannot be int64 (use a float dtype)",
            file: file, line: line(ofRow: row), column: columns[j], text: value.description)
        }
      }
    }
    if let rows = selection.rows {
      for row in rows { try check(row) }
    } else {
      for row in 0..<rowCount { try check(row) }
    }
  }

  private static func isInt64(_ value: Double) -> Bool {
    value.rounded(.towardZero) == value && value >= -9.2233720368547758e18
      && value < 9.2233720368547758e18
  }
}

/// Reads a CSV file with a header into tensors for training: the features and the target,
/// chosen by column name (the common first step of a PyTorch script, done with pandas there).
///
/// ```swift
/// let (x, y, names) = try loadCSV(url, target: "species", targetDType: .int64)
/// // x: [150, 4] float32, y: [150] int64, names: the four feature columns
/// ```
///
/// - Parameters:
///   - url: The CSV file.
///   - features: The feature columns in order, or nil for every column but the target.
///   - target: The target column.
///   - dtype: The features' dtype.
///   - targetDType: The target's dtype; by default `dtype`. Class indices for
///     `crossEntropyLoss` need `.int64`.
///   - delimiter: The byte between fields.
///   - missing: What to do with missing values in the selected columns.
/// - Throws: ``CSVError`` (see ``CSVReader`` and
///   ``CSVTable/trainingTensors(features:target:dtype:targetDType:missing:)``).
public func loadCSV(
  _ url: URL, features: [String]? = nil, target: String, dtype: DType = .float32,
  targetDType: DType? = nil,
  delimiter: UInt8 = UInt8(ascii: ","), missing: MissingValuePolicy = .error
) throws -> (features: Tensor, target: Tensor, featureNames: [String]) {
  let table = try CSVReader.read(url, delimiter: delimiter, missing: missing)
  return try table.trainingTensors(
    features: features, target: target, dtype: dtype, targetDType: targetDType)
}
