#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The numbers of a table, row-major (`rows × columns`), NaN where a value is missing.
///
/// A growable block of plain memory: appending millions of values through it is cheaper than
/// through an `Array`, and the table keeps it without a copy. Immutable once the table is built.
final class CSVValues: @unchecked Sendable {
  private(set) var pointer: UnsafeMutablePointer<Double>
  private(set) var capacity: Int
  var count = 0

  init(capacity: Int) {
    self.capacity = max(capacity, 16)
    guard let memory = malloc(self.capacity * MemoryLayout<Double>.stride) else {
      fatalError("Descent: out of memory reading a CSV file (\(self.capacity) values)")
    }
    pointer = memory.assumingMemoryBound(to: Double.self)
  }

  deinit { free(pointer) }

  /// Makes room for `extra` more values.
  func reserve(_ extra: Int) {
    guard count + extra > capacity else { return }
    let newCapacity = max(capacity * 2, count + extra)
    guard let memory = realloc(pointer, newCapacity * MemoryLayout<Double>.stride) else {
      fatalError("Descent: out of memory reading a CSV file (\(newCapacity) values)")
    }
    pointer = memory.assumingMemoryBound(to: Double.self)
    capacity = newCapacity
  }
}

/// What reading the rows gives.
struct CSVRows {
  var values: CSVValues
  var columns: [CSVColumnInfo]
  var rowCount = 0
  /// The physical line of each row, only when rows and lines stopped matching one to one
  /// (blank lines, line breaks in quotes); otherwise row `r` is on line `firstLine + r`.
  var lineOfRow: [Int]?
  var firstLine = 0
}

extension CSVParser {
  /// Pass 1: reads every row after the header. Numbers are parsed straight from the bytes; a
  /// column turns to text at its first field that is neither a number nor missing.
  ///
  /// The texts of a column that turns to text in its first row are kept at once; one that turns
  /// later needs the texts before that row too, which ``collectTexts(_:into:)`` reads afterwards.
  mutating func readRows() throws -> CSVRows {
    let n = names.count
    // Room for about as many rows as the first line's length suggests, bounded by what the
    // bytes can hold (each row has at least n bytes): never more than the input justifies.
    let remaining = end - p
    let guess = remaining / max(lineLength(), 1) + 16
    let capacity = min(guess + guess / 8, remaining / n + 1)
    var rows = CSVRows(
      values: CSVValues(capacity: capacity * n),
      columns: Array(repeating: CSVColumnInfo(), count: n))
    rows.firstLine = line
    // 0: numeric, 1: text kept, 2: text read later. Plain memory keeps the inner loop lean.
    var kinds = [UInt8](repeating: 0, count: n)
    let values = rows.values
    let end = self.end
    let delimiter = self.delimiter
    @inline(__always) func isBlank(_ byte: UInt8) -> Bool {
      (byte == 0x20 || byte == 0x09) && byte != delimiter
    }
    @inline(__always) func endsField(_ byte: UInt8) -> Bool {
      byte == delimiter || byte == 0x0A || byte == 0x0D
    }
    try kinds.withUnsafeMutableBufferPointer { kinds in
      var row = 0
      while skipBlankLines() {
        let rowLine = line
        if rows.lineOfRow == nil && rowLine != rows.firstLine + row {
          rows.lineOfRow = (0..<row).map { rows.firstLine + $0 }
        }
        rows.lineOfRow?.append(rowLine)
        values.reserve(n)
        let out = values.pointer + values.count
        // The cursor lives in a local so that it stays in a register; `p` is synced around the
        // calls that need it.
        var cursor = p
        for j in 0..<n {
          if j > 0 {
            guard cursor < end && cursor.pointee == delimiter else {
              p = cursor
              throw try raggedRow(line: rowLine, got: j)
            }
            cursor += 1
          }
          if kinds[j] == 0 {
            // The common case: a plain number ended by a delimiter or a line break.
            var q = cursor
            while q < end && isBlank(q.pointee) { q += 1 }
            if q < end && q.pointee != UInt8(ascii: "\""),
              let (value, stop) = CSVNumber.parsePrefix(q, end)
            {
              var r = stop
              while r < end && isBlank(r.pointee) { r += 1 }
              if r == end || endsField(r.pointee) {
                out[j] = value
                cursor = r
                continue
              }
            }
          }
          p = cursor
          out[j] = try slowField(j, row: row, kinds: kinds, rows: &rows)
          cursor = p
        }
        p = cursor
        if p < end {
          if p.pointee == delimiter { throw try raggedRow(line: rowLine, got: n) }
          consumeLineBreak()
        }
        values.count += n
        row += 1
      }
      rows.rowCount = row
    }
    return rows
  }

  /// A field the fast path did not take: quoted, padded oddly, missing, text, or in a text
  /// column. Returns the value to store (NaN for missing and text) and notes what it saw.
  @inline(never)
  private mutating func slowField(
    _ j: Int, row: Int, kinds: UnsafeMutableBufferPointer<UInt8>, rows: inout CSVRows
  ) throws -> Double {
    let field = try scanField(column: j)
    if kinds[j] != 0 {
      if kinds[j] == 1 { rows.columns[j].strings!.append(string(field)) }
      return .nan
    }
    switch withBytes(field, { CSVNumber.parseField($0, delimiter: delimiter) }) {
    case .number(let value):
      return value
    case .missing:
      if rows.columns[j].firstMissing == nil {
        rows.columns[j].firstMissing = CSVCell(
          row: row, text: withBytes(field) { CSVError.quoted($0) })
      }
      rows.columns[j].missingCount += 1
    case .text:
      rows.columns[j].isNumeric = false
      rows.columns[j].firstText = CSVCell(row: row, text: withBytes(field) { CSVError.quoted($0) })
      if row == 0 {
        kinds[j] = 1
        rows.columns[j].strings = [string(field)]
      } else {
        kinds[j] = 2
      }
    }
    return .nan
  }

  /// Bytes up to the next line break, for guessing the row count.
  private func lineLength() -> Int {
    guard p < end, let found = memchr(p, 0x0A, end - p) else { return end - p }
    return UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - p + 1
  }

  /// Pass 2, for columns that turned to text after their first row: reads every row again (the
  /// structure is known to be sound by now) and keeps those columns' fields as text.
  mutating func collectTexts(_ wanted: [Int], into rows: inout CSVRows) throws {
    var texts = [Int: [String]]()
    for j in wanted {
      texts[j] = []
      texts[j]!.reserveCapacity(rows.rowCount)
    }
    let n = names.count
    var keep = [Bool](repeating: false, count: n)
    for j in wanted { keep[j] = true }
    while skipBlankLines() {
      for j in 0..<n {
        if j > 0 { p += 1 }  // the delimiter, checked in pass 1
        let field = try scanField(column: j)
        if keep[j] { texts[j]!.append(string(field)) }
      }
      if p < end { consumeLineBreak() }
    }
    for (j, strings) in texts { rows.columns[j].strings = strings }
  }
}
