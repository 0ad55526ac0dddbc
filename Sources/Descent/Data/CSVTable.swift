/// What selecting columns does with a missing value: an empty field or a missing spelling
/// such as `NA` or `NaN` (see ``CSVReader``).
public enum MissingValuePolicy: Sendable, Equatable {
  /// Throw ``CSVError`` naming the first missing value (its line and column). The default: a
  /// gap in training data is better found than silently filled.
  case error
  /// Leave out every row that misses a value in one of the selected columns, like pandas'
  /// `dropna(subset=columns)`.
  case skipRow
  /// Put this value in place of each missing one.
  case fill(Double)
  /// Put the mean of the column's present values in place of each missing one (pandas'
  /// `fillna(df.mean())`).
  case fillMean
}

/// A CSV file read into memory: its column names and, for each column, numbers or text.
///
/// A column is numeric when every field in it is a number or missing; otherwise it is text, and
/// selecting it as numbers throws, naming its first non-numeric field. Read one with
/// ``CSVReader``; turn columns into tensors with ``tensor(columns:dtype:missing:)`` or, for
/// training data, ``trainingTensors(features:target:dtype:targetDType:missing:)``.
///
/// ```swift
/// let table = try CSVReader.read(URL(fileURLWithPath: "iris.csv"))
/// let x = try table.tensor(columns: ["sepal_length", "sepal_width"])  // [150, 2], float32
/// ```
public struct CSVTable: Sendable {
  /// The file the table was read from (or the name given for in-memory data).
  public let file: String
  /// The column names, in the file's order.
  public let columns: [String]
  /// The number of data rows (the header and blank lines not counted).
  public let rowCount: Int
  /// The missing-value policy selections use unless they are given one.
  public let missingPolicy: MissingValuePolicy

  let values: CSVValues
  let info: [CSVColumnInfo]
  let lineOfRow: [Int]?
  let firstLine: Int
  let indexOfColumn: [String: Int]

  init(file: String, columns: [String], rows: CSVRows, missing: MissingValuePolicy) {
    self.file = file
    self.columns = columns
    self.rowCount = rows.rowCount
    self.missingPolicy = missing
    self.values = rows.values
    self.info = rows.columns
    self.lineOfRow = rows.lineOfRow
    self.firstLine = rows.firstLine
    self.indexOfColumn = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
  }

  /// The names of the numeric columns, in the file's order.
  public var numericColumns: [String] {
    columns.indices.filter { info[$0].isNumeric }.map { columns[$0] }
  }

  /// True when every field of the column is a number or missing.
  public func isNumeric(_ name: String) throws -> Bool { info[try index(of: name)].isNumeric }

  /// How many values of a numeric column are missing (0 for a text column).
  public func missingCount(_ name: String) throws -> Int {
    let column = info[try index(of: name)]
    return column.isNumeric ? column.missingCount : 0
  }

  /// The physical line of the file (1-based) that data row `row` (0-based) starts on.
  public func line(ofRow row: Int) -> Int {
    precondition(
      row >= 0 && row < rowCount,
      "CSVTable.line(ofRow:): row \(row) is out of range for \(rowCount) rows")
    return lineOfRow?[row] ?? firstLine + row
  }

  /// The values of one numeric column, missing values treated by `missing` (by default the
  /// table's ``missingPolicy``); `.skipRow` leaves them out.
  public func column(_ name: String, missing: MissingValuePolicy? = nil) throws -> [Double] {
    let selection = try select([name], missing: missing ?? missingPolicy)
    return [Double](unsafeUninitializedCapacity: selection.count) { buffer, initialized in
      gather(selection, into: buffer.baseAddress!) { $0 }
      initialized = selection.count
    }
  }

  /// The fields of a column as text. A text column gives them as they were written (quotes
  /// removed, invalid UTF-8 shown as U+FFFD); a numeric one gives each number in Swift's
  /// shortest form (`1.50` reads back as `"1.5"`) and an empty string where a value is missing.
  public func strings(_ name: String) throws -> [String] {
    let j = try index(of: name)
    if let strings = info[j].strings { return strings }
    let n = columns.count
    return (0..<rowCount).map { row in
      let value = values.pointer[row * n + j]
      return value.isNaN ? "" : value.description
    }
  }

  /// The column's position, or an error listing the names there are.
  func index(of name: String) throws -> Int {
    if let index = indexOfColumn[name] { return index }
    var message = "no column named \"\(name)\""
    let trimmed = name.trimmingBlanks.lowercased()
    if let near = columns.first(where: { $0.trimmingBlanks.lowercased() == trimmed }) {
      message += "; did you mean \"\(near)\"? (names are matched exactly, spaces and case included)"
    }
    let shown = columns.prefix(50).map { "\"\($0)\"" }.joined(separator: ", ")
    message += ". The columns are: \(shown)"
    if columns.count > 50 { message += " and \(columns.count - 50) more" }
    throw CSVError(.unknownColumn, message, file: file, column: name, text: name)
  }
}

extension String {
  /// Without the spaces and tabs at either end, to suggest a name that differs only by them.
  fileprivate var trimmingBlanks: String {
    var scalars = Substring(self)
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(scalars)
  }
}

/// Columns chosen from a table, with the rows to keep and the value for each missing one.
struct CSVSelection {
  /// Positions of the chosen columns.
  var columns: [Int]
  /// The rows to keep, or nil for all of them.
  var rows: [Int]?
  /// For each chosen column, what a missing value becomes (nil: none is missing).
  var fills: [Double?]
  var rowCount: Int
  var count: Int { rowCount * columns.count }
}

extension CSVTable {
  /// Resolves `names`, checks that those columns are numeric, and applies the missing-value
  /// policy to them alone: a text or gappy column that is not selected does not matter.
  func select(_ names: [String], missing policy: MissingValuePolicy) throws -> CSVSelection {
    let indices = try names.map { try index(of: $0) }
    for j in indices where !info[j].isNumeric {
      let cell = info[j].firstText!
      throw CSVError(
        .nonNumeric,
        "\"\(cell.text)\" is not a number, so the column cannot be read as numbers (a missing value is written as an empty field or NA)",
        file: file, line: line(ofRow: cell.row), column: columns[j], text: cell.text)
    }
    var selection = CSVSelection(
      columns: indices, rows: nil, fills: Array(repeating: nil, count: indices.count),
      rowCount: rowCount)
    let gappy = indices.indices.filter { info[indices[$0]].missingCount > 0 }
    if gappy.isEmpty { return selection }
    switch policy {
    case .error:
      // The first missing value in file order, so that fixing errors goes top to bottom.
      let first = gappy.min {
        info[indices[$0]].firstMissing!.row < info[indices[$1]].firstMissing!.row
      }!
      let cell = info[indices[first]].firstMissing!
      let shown = cell.text.isEmpty ? "an empty field" : "\"\(cell.text)\""
      throw CSVError(
        .missingValue,
        "missing value (\(shown)); choose a policy for missing values: .skipRow, .fill(value) or .fillMean",
        file: file, line: line(ofRow: cell.row), column: columns[indices[first]], text: cell.text)
    case .skipRow:
      let n = columns.count
      let checked = gappy.map { indices[$0] }
      let base = values.pointer
      let kept = (0..<rowCount).filter { row in !checked.contains { base[row * n + $0].isNaN } }
      selection.rows = kept
      selection.rowCount = kept.count
    case .fill(let value):
      for k in gappy { selection.fills[k] = value }
    case .fillMean:
      for k in gappy { selection.fills[k] = try mean(of: indices[k]) }
    }
    return selection
  }

  /// The mean of a column's present values.
  private func mean(of j: Int) throws -> Double {
    let n = columns.count
    var sum = 0.0
    var count = 0
    for row in 0..<rowCount {
      let value = values.pointer[row * n + j]
      if !value.isNaN {
        sum += value
        count += 1
      }
    }
    guard count > 0 else {
      throw CSVError(
        .missingValue, "every value of the column is missing, so it has no mean to fill them with",
        file: file, column: columns[j])
    }
    return sum / Double(count)
  }

  /// Writes the selection row by row into `out`, converted by `convert`.
  func gather<T>(
    _ selection: CSVSelection, into out: UnsafeMutablePointer<T>, _ convert: (Double) -> T
  ) {
    let n = columns.count
    let k = selection.columns.count
    let base = values.pointer
    var target = out
    func copy(_ row: Int) {
      let source = base + row * n
      for (position, j) in selection.columns.enumerated() {
        let value = source[j]
        target[position] = convert(value.isNaN ? selection.fills[position] ?? value : value)
      }
      target += k
    }
    if let rows = selection.rows {
      for row in rows { copy(row) }
    } else {
      for row in 0..<rowCount { copy(row) }
    }
  }
}
