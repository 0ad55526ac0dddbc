// libFuzzer target for `CSVReader.read(data:name:delimiter:missing:)` and the conversions of a
// `CSVTable` to tensors: the reader of untrusted data files.
//
// Each input is read twice, with `,` and with a tab as the delimiter (a tab is also padding
// around numbers unless it is the delimiter, so the two take different paths). For each read:
// - it either succeeds or throws `CSVError` (anything else is a bug);
// - it agrees with a small, slow reference parser written from the format `CSVReader`
//   documents (RFC 4180, blank lines skipped, pandas' missing spellings, numbers as
//   `Double(String)` reads them): the same success or failure, the same error kind and line,
//   and on success the same column names, row count, row lines, per-column numeric/text
//   decision, missing counts, texts, and values bit for bit;
// - a thrown error names the input, a line that exists, and a bounded excerpt of the text;
// - on success every selection behaves: the numeric columns become a `[rowCount, k]` tensor
//   without NaN when missing values are filled; `.skipRow` keeps exactly the complete rows;
//   `.error` throws `missingValue` exactly when a value is missing; a text column throws
//   `nonNumeric`; int64 succeeds or throws `notInteger`; training tensors have matching rows.
//
// A broken invariant calls `fatalError`, which libFuzzer reports as a crash with the input.
import Descent
import Foundation

/// FUZZ_VERBOSE=1 prints each read's outcome (for triage: `FuzzCSV FILES…`).
private let verbose = ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] == "1"
/// FUZZ_CRASH_ON=TEXT stops on an outcome containing TEXT, so that `-minimize_crash=1` can shrink
/// an input while it keeps its outcome (how the regression tests' inputs were made small).
private let crashOn = ProcessInfo.processInfo.environment["FUZZ_CRASH_ON"]

private func report(_ outcome: @autoclosure () -> String) {
  guard verbose || crashOn != nil else { return }
  let text = outcome()
  if verbose { print("OUTCOME \(text)") }
  if let crashOn, text.contains(crashOn) { fatalError("FUZZ_CRASH_ON: \(text)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let input = Data(bytes)
  for delimiter in [UInt8(ascii: ","), UInt8(ascii: "\t")] {
    check(input, bytes, delimiter: delimiter)
  }
  return 0
}

/// Physical lines in the input: line breaks (LF, CRLF or a lone CR) plus one.
private func physicalLines(_ bytes: [UInt8]) -> Int {
  var lines = 1
  for (i, byte) in bytes.enumerated()
  where byte == 0x0A || (byte == 0x0D && !(i + 1 < bytes.count && bytes[i + 1] == 0x0A)) {
    lines += 1
  }
  return lines
}

private func check(_ input: Data, _ bytes: [UInt8], delimiter: UInt8) {
  let name = "fuzz.csv"
  let reference = ReferenceCSV.parse(bytes, delimiter: delimiter)
  let table: CSVTable
  do {
    table = try CSVReader.read(data: input, name: name, delimiter: delimiter)
  } catch let error as CSVError {
    report("\(delimiter) error \(error.kind)")
    guard error.file == name else {
      fatalError("error names \(error.file ?? "no file"), not the input: \(error)")
    }
    if let line = error.line, line < 1 || line > physicalLines(bytes) {
      fatalError("error at line \(line) of a \(physicalLines(bytes))-line input: \(error)")
    }
    if let text = error.text, text.utf8.count > 4096 {
      fatalError(
        "error quotes \(text.utf8.count) bytes of text (kind \(error.kind)); errors shorten what they quote"
      )
    }
    _ = error.description
    switch reference {
    case .failure(let expected):
      guard expected.kind == error.kind, expected.line == error.line else {
        fatalError(
          "reader threw \(error.kind) at line \(error.line ?? -1); reference expects \(expected.kind) at line \(expected.line ?? -1): \(error)"
        )
      }
    case .success:
      fatalError("reader threw \(error) where the reference reads the input")
    }
    return
  } catch {
    fatalError("read threw \(type(of: error)), not CSVError: \(error)")
  }
  guard case .success(let expected) = reference else {
    if case .failure(let failure) = reference {
      fatalError(
        "reader accepted an input the reference refuses with \(failure.kind) at line \(failure.line ?? -1)"
      )
    }
    return
  }
  report(
    "\(delimiter) ok \(table.columns.count) columns (\(table.numericColumns.count) numeric, "
      + "\(table.columns.count { (try? table.missingCount($0)) ?? 0 > 0 }) gappy), \(table.rowCount) rows"
  )
  checkTable(table, expected, lines: physicalLines(bytes))
}

/// Compares the table with the reference's reading, then exercises every selection.
private func checkTable(_ table: CSVTable, _ expected: ReferenceCSV.Table, lines: Int) {
  let n = table.columns.count
  guard table.columns == expected.names else {
    fatalError("columns \(table.columns) but the reference reads \(expected.names)")
  }
  guard n > 0, Set(table.columns).count == n else {
    fatalError("no columns, or repeated names: \(table.columns)")
  }
  guard table.rowCount == expected.rows.count else {
    fatalError("\(table.rowCount) rows but the reference reads \(expected.rows.count)")
  }
  for row in 0..<table.rowCount {
    guard table.line(ofRow: row) == expected.lines[row] else {
      fatalError(
        "row \(row) is on line \(table.line(ofRow: row)); the reference says \(expected.lines[row])"
      )
    }
    guard row == 0 || table.line(ofRow: row) > table.line(ofRow: row - 1),
      table.line(ofRow: row) <= lines
    else {
      fatalError("row \(row) is on line \(table.line(ofRow: row)) of a \(lines)-line input")
    }
  }

  var numeric: [String] = []
  var values: [[Double?]] = []  // per numeric column; nil where missing
  for (j, column) in table.columns.enumerated() {
    let fields = expected.rows.map { ReferenceCSV.classify($0[j], delimiter: expected.delimiter) }
    let isNumeric = fields.allSatisfy { if case .text = $0 { return false } else { return true } }
    guard (try? table.isNumeric(column)) == isNumeric else {
      fatalError(
        "column \(column): isNumeric is \(String(describing: try? table.isNumeric(column))), the reference says \(isNumeric)"
      )
    }
    let strings: [String]
    do { strings = try table.strings(column) } catch {
      fatalError("strings(\(column)) threw \(error)")
    }
    guard strings.count == table.rowCount else {
      fatalError("strings(\(column)) has \(strings.count) of \(table.rowCount) rows")
    }
    if isNumeric {
      numeric.append(column)
      var columnValues: [Double?] = []
      for (row, field) in fields.enumerated() {
        switch field {
        case .missing:
          columnValues.append(nil)
          guard strings[row] == "" else {
            fatalError("column \(column) row \(row): a missing value reads as \"\(strings[row])\"")
          }
        case .number(let value):
          columnValues.append(value)
          guard strings[row] == value.description else {
            fatalError("column \(column) row \(row): \(value) reads as \"\(strings[row])\"")
          }
        case .text: fatalError("unreachable")
        }
      }
      let missing = columnValues.filter { $0 == nil }.count
      guard (try? table.missingCount(column)) == missing else {
        fatalError(
          "column \(column): missingCount \(String(describing: try? table.missingCount(column))), the reference counts \(missing)"
        )
      }
      values.append(columnValues)
    } else {
      let texts = expected.rows.map { String(decoding: $0[j], as: UTF8.self) }
      guard strings == texts else {
        fatalError("column \(column): texts differ from the reference's")
      }
      expectThrows(.nonNumeric, "tensor(column: \(column))") {
        _ = try table.tensor(column: column)
      }
      guard (try? table.missingCount(column)) == 0 else {
        fatalError("text column \(column) counts missing values")
      }
    }
  }
  guard table.numericColumns == numeric else {
    fatalError("numericColumns \(table.numericColumns), the reference's \(numeric)")
  }
  guard !numeric.isEmpty else { return }
  let k = numeric.count
  let rows = table.rowCount

  // Filled: every row, no NaN, the reference's values (bit for bit) and the fill.
  do {
    let x = try table.tensor(columns: numeric, dtype: .float64, missing: .fill(0))
    guard x.shape == [rows, k] else {
      fatalError("filled tensor has shape \(x.shape), expected [\(rows), \(k)]")
    }
    let got = x.toArray(as: Double.self)
    for row in 0..<rows {
      for c in 0..<k {
        let want = values[c][row] ?? 0
        guard got[row * k + c].bitPattern == want.bitPattern else {
          fatalError(
            "column \(numeric[c]) row \(row): \(got[row * k + c]), the reference reads \(want)")
        }
      }
    }
    let y = try table.tensor(columns: numeric, dtype: .float32, missing: .fill(-1))
    guard y.shape == [rows, k] else { fatalError("float32 tensor has shape \(y.shape)") }
    for (index, value) in y.toArray(as: Float.self).enumerated() {
      let want = Float(values[index % k][index / k] ?? -1)
      guard value.bitPattern == want.bitPattern else {
        fatalError("float32 value \(value) at \(index), expected \(want)")
      }
    }
  } catch {
    fatalError("filling missing values threw \(error)")
  }

  // Skipped rows: exactly the complete ones.
  let complete = (0..<rows).filter { row in values.allSatisfy { $0[row] != nil } }
  do {
    let x = try table.tensor(columns: numeric, dtype: .float64, missing: .skipRow)
    guard x.shape == [complete.count, k] else {
      fatalError(".skipRow gave shape \(x.shape), expected [\(complete.count), \(k)]")
    }
    let got = x.toArray(as: Double.self)
    for (i, row) in complete.enumerated() {
      for c in 0..<k where got[i * k + c].bitPattern != values[c][row]!.bitPattern {
        fatalError(".skipRow row \(i) (file row \(row)) column \(numeric[c]) is \(got[i * k + c])")
      }
    }
  } catch {
    fatalError(".skipRow threw \(error)")
  }

  // `.error`: throws exactly when something is missing.
  if complete.count == rows {
    do { _ = try table.tensor(columns: numeric, missing: .error) } catch {
      fatalError(".error threw \(error) with nothing missing")
    }
  } else {
    expectThrows(.missingValue, ".error with missing values") {
      _ = try table.tensor(columns: numeric, missing: .error)
    }
  }

  // Per column: the mean fill, int64, and the column accessor.
  for (c, column) in numeric.enumerated() {
    let present = values[c].compactMap { $0 }
    do {
      let filled = try table.column(column, missing: .fillMean)
      guard filled.count == rows else {
        fatalError("column(\(column), .fillMean) has \(filled.count) values")
      }
    } catch let error as CSVError where error.kind == .missingValue && present.isEmpty && rows > 0 {
      // Nothing to take a mean of.
    } catch {
      fatalError("column(\(column), .fillMean) threw \(error)")
    }
    do {
      let t = try table.tensor(column: column, dtype: .int64, missing: .fill(0))
      guard t.shape == [rows] else { fatalError("int64 column has shape \(t.shape)") }
      for (row, value) in t.toArray(as: Int64.self).enumerated() {
        let want = values[c][row] ?? 0
        guard Double(value) == want.rounded(.towardZero), want.rounded(.towardZero) == want else {
          fatalError("int64 column \(column) row \(row): \(value) from \(want)")
        }
      }
    } catch let error as CSVError where error.kind == .notInteger {
      guard
        present.contains(where: {
          $0.rounded(.towardZero) != $0 || abs($0) >= 9.2233720368547758e18
        })
      else {
        fatalError("int64 refused a column of whole numbers: \(error)")
      }
    } catch {
      fatalError("int64 threw \(error)")
    }
  }
  expectThrows(.unsupportedDType, "bool tensor") {
    _ = try table.tensor(columns: numeric, dtype: .bool, missing: .fill(0))
  }

  // Training tensors: the last numeric column as the target.
  let target = numeric[k - 1]
  do {
    let (x, y, names) = try table.trainingTensors(
      features: Array(numeric.dropLast()), target: target, dtype: .float32, missing: .skipRow)
    guard names == Array(numeric.dropLast()), x.shape == [complete.count, k - 1],
      y.shape == [complete.count]
    else {
      fatalError("training tensors \(x.shape), \(y.shape) for \(complete.count) complete rows")
    }
  } catch let error as CSVError where error.kind == .noRows && complete.isEmpty {
  } catch {
    fatalError("trainingTensors threw \(error)")
  }
  var unknown = "no such column"
  while table.columns.contains(unknown) { unknown += "?" }
  expectThrows(.unknownColumn, "an unknown column") { _ = try table.tensor(columns: [unknown]) }
}

private func expectThrows(_ kind: CSVError.Kind, _ what: String, _ body: () throws -> Void) {
  do {
    try body()
    fatalError("\(what) did not throw \(kind)")
  } catch let error as CSVError {
    guard error.kind == kind else {
      fatalError("\(what) threw \(error.kind), expected \(kind): \(error)")
    }
    _ = error.description
  } catch {
    fatalError("\(what) threw \(type(of: error)), not CSVError: \(error)")
  }
}

/// A slow, direct reading of the format `CSVReader` documents, to compare it with.
enum ReferenceCSV {
  struct Table {
    var delimiter: UInt8
    var names: [String]
    /// Each row's fields, unquoted.
    var rows: [[[UInt8]]]
    /// The physical line each row starts on.
    var lines: [Int]
  }

  struct Failure: Error {
    var kind: CSVError.Kind
    var line: Int?
  }

  enum Field {
    case number(Double)
    case missing
    case text
  }

  static func parse(_ input: [UInt8], delimiter: UInt8) -> Result<Table, Failure> {
    var p = 0
    var line = 1
    let end = input.count
    let lastQuote = input.lastIndex(of: UInt8(ascii: "\"")) ?? -1
    if input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF { p = 3 }
    func isBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }
    func endsField(_ byte: UInt8) -> Bool { byte == delimiter || isBreak(byte) }
    func isBlank(_ byte: UInt8) -> Bool { (byte == 0x20 || byte == 0x09) && byte != delimiter }
    func lineBreak() {
      if input[p] == 0x0D && p + 1 < end && input[p + 1] == 0x0A { p += 1 }
      p += 1
      line += 1
    }
    func skipBlankLines() -> Bool {
      while p < end && isBreak(input[p]) { lineBreak() }
      return p < end
    }
    func field() throws(Failure) -> [UInt8] {
      guard p < end, input[p] == UInt8(ascii: "\"") else {
        let start = p
        while p < end && !endsField(input[p]) {
          if input[p] == 0 { throw Failure(kind: .nulByte, line: line) }
          p += 1
        }
        return Array(input[start..<p])
      }
      let quoteLine = line
      p += 1
      var content: [UInt8] = []
      while true {
        guard p < end else { throw Failure(kind: .unterminatedQuote, line: quoteLine) }
        let byte = input[p]
        if byte == UInt8(ascii: "\"") {
          if p + 1 < end && input[p + 1] == UInt8(ascii: "\"") {
            content.append(byte)
            p += 2
            continue
          }
          p += 1
          break
        }
        // A NUL in a quoted field is reported when a quote follows it somewhere (else the
        // field is unterminated), on its own line.
        if byte == 0 && lastQuote > p { throw Failure(kind: .nulByte, line: line) }
        if byte == 0x0A || (byte == 0x0D && !(p + 1 < end && input[p + 1] == 0x0A)) { line += 1 }
        content.append(byte)
        p += 1
      }
      while p < end && isBlank(input[p]) { p += 1 }
      if p < end && !endsField(input[p]) { throw Failure(kind: .textAfterQuote, line: line) }
      return content
    }

    /// A ragged row; the fields after it are still scanned, so an error in them comes first.
    func countRest(delimiter: UInt8, rowLine: Int) throws(Failure) -> Never {
      while p < end && input[p] == delimiter {
        p += 1
        _ = try field()
      }
      throw Failure(kind: .raggedRow, line: rowLine)
    }

    do throws(Failure) {
      guard skipBlankLines() else { throw Failure(kind: .emptyFile, line: nil) }
      if end - p >= 2
        && ((input[p] == 0xFF && input[p + 1] == 0xFE)
          || (input[p] == 0xFE && input[p + 1] == 0xFF))
      {
        throw Failure(kind: .invalidUTF8, line: line)
      }
      var names: [String] = []
      var seen = Set<String>()
      while true {
        let bytes = try field()
        guard let text = String(validating: bytes, as: UTF8.self) else {
          throw Failure(kind: .invalidUTF8, line: line)
        }
        let name = text.isEmpty ? "Unnamed: \(names.count)" : text
        guard seen.insert(name).inserted else { throw Failure(kind: .duplicateColumn, line: line) }
        names.append(name)
        if p < end && input[p] == delimiter {
          p += 1
          continue
        }
        if p < end { lineBreak() }
        break
      }
      let n = names.count
      var rows: [[[UInt8]]] = []
      var lines: [Int] = []
      while skipBlankLines() {
        let rowLine = line
        var row: [[UInt8]] = []
        for j in 0..<n {
          if j > 0 {
            guard p < end && input[p] == delimiter else {
              try countRest(delimiter: delimiter, rowLine: rowLine)
            }
            p += 1
          }
          row.append(try field())
        }
        if p < end {
          if input[p] == delimiter { try countRest(delimiter: delimiter, rowLine: rowLine) }
          lineBreak()
        }
        rows.append(row)
        lines.append(rowLine)
      }
      return .success(Table(delimiter: delimiter, names: names, rows: rows, lines: lines))
    } catch {
      return .failure(error)
    }
  }

  static let missing: Set<String> = [
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
    "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
  ]

  /// What a field means: blanks around it ignored, pandas' missing spellings, infinity in any
  /// case, and plain decimals with the value `Double(String)` gives.
  static func classify(_ field: [UInt8], delimiter: UInt8) -> Field {
    func isBlank(_ byte: UInt8) -> Bool { (byte == 0x20 || byte == 0x09) && byte != delimiter }
    var lo = 0
    var hi = field.count
    while lo < hi && isBlank(field[lo]) { lo += 1 }
    while hi > lo && isBlank(field[hi - 1]) { hi -= 1 }
    let bytes = Array(field[lo..<hi])
    if bytes.isEmpty { return .missing }
    let text = String(decoding: bytes, as: UTF8.self)
    if String(validating: bytes, as: UTF8.self) != nil && missing.contains(text) { return .missing }
    var body = bytes[...]
    var sign = 1.0
    if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
      sign = first == UInt8(ascii: "-") ? -1 : 1
      body = body.dropFirst()
    }
    let lower = String(
      decoding: body.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    if body.allSatisfy({ $0 < 0x80 }) && (lower == "inf" || lower == "infinity") {
      return .number(sign * .infinity)
    }
    guard isDecimal(body) else { return .text }
    guard let value = Double(text) else {
      fatalError("reference: Double(\"\(text)\") failed on a decimal")
    }
    return .number(value)
  }

  /// `digits[.digits][(e|E)[+-]digits]`, or `.digits…`, with a digit in the mantissa.
  private static func isDecimal(_ body: ArraySlice<UInt8>) -> Bool {
    var i = body.startIndex
    func digits() -> Int {
      let start = i
      while i < body.endIndex && body[i] >= 0x30 && body[i] <= 0x39 { i += 1 }
      return i - start
    }
    var mantissaDigits = digits()
    if i < body.endIndex && body[i] == UInt8(ascii: ".") {
      i += 1
      mantissaDigits += digits()
    }
    guard mantissaDigits > 0 else { return false }
    if i < body.endIndex && (body[i] == UInt8(ascii: "e") || body[i] == UInt8(ascii: "E")) {
      i += 1
      if i < body.endIndex && (body[i] == UInt8(ascii: "+") || body[i] == UInt8(ascii: "-")) {
        i += 1
      }
      guard digits() > 0 else { return false }
    }
    return i == body.endIndex
  }
}
