#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes of one field: in the input, or (for a quoted field with `""` escapes) in
/// ``CSVParser/scratch``.
enum CSVFieldBytes {
  case span(UnsafePointer<UInt8>, UnsafePointer<UInt8>)
  case scratch
}

/// A field and the row it was in, kept to name it in an error.
struct CSVCell: Sendable, Equatable {
  var row: Int
  var text: String
}

/// What pass 1 learnt about one column.
struct CSVColumnInfo: Sendable {
  /// True while every field so far was a number or missing.
  var isNumeric = true
  /// The first non-numeric field, which made the column text.
  var firstText: CSVCell?
  /// The first missing field of a numeric column.
  var firstMissing: CSVCell?
  /// Missing fields of a numeric column.
  var missingCount = 0
  /// The fields of a text column, once collected.
  var strings: [String]?
}

/// A cursor over a CSV file's bytes (RFC 4180: `""` inside quotes is a quote, quoted fields may
/// hold delimiters and line breaks; lines end in LF, CRLF or CR).
///
/// It works on the raw bytes, without a `String` per field, because that is what makes reading a
/// large numeric file fast; only text fields and error messages become strings.
struct CSVParser {
  let end: UnsafePointer<UInt8>
  let delimiter: UInt8
  /// The file's name, for errors.
  let file: String
  /// The column names once the header is read, for errors.
  var names: [String] = []
  /// The next byte to read.
  var p: UnsafePointer<UInt8>
  /// The physical line of `p`, 1-based.
  var line = 1
  /// The unescaped bytes of the last quoted field that had `""` in it.
  var scratch: [UInt8] = []

  init(start: UnsafePointer<UInt8>, count: Int, delimiter: UInt8, file: String) {
    self.p = start
    self.end = start + count
    self.delimiter = delimiter
    self.file = file
    // A UTF-8 byte order mark says nothing about the data; Excel writes one.
    if count >= 3 && start[0] == 0xEF && start[1] == 0xBB && start[2] == 0xBF { p += 3 }
  }

  /// Spaces and tabs around a number are padding, except the one that is the delimiter.
  @inline(__always) func isBlank(_ byte: UInt8) -> Bool {
    (byte == 0x20 || byte == 0x09) && byte != delimiter
  }

  @inline(__always) func endsField(_ byte: UInt8) -> Bool {
    byte == delimiter || byte == 0x0A || byte == 0x0D
  }

  /// Steps over the line break at `p` (LF, CRLF or a lone CR).
  @inline(__always) mutating func consumeLineBreak() {
    if p.pointee == 0x0D && p + 1 < end && p[1] == 0x0A { p += 1 }
    p += 1
    line += 1
  }

  /// Steps over blank lines; false at the end of the input.
  mutating func skipBlankLines() -> Bool {
    while p < end && (p.pointee == 0x0A || p.pointee == 0x0D) { consumeLineBreak() }
    return p < end
  }

  func columnName(_ index: Int?) -> String? {
    guard let index else { return nil }
    return index < names.count ? names[index] : "#\(index + 1)"
  }

  func error(
    _ kind: CSVError.Kind, _ message: String, line: Int? = nil, column: Int? = nil,
    text: String? = nil
  )
    -> CSVError
  {
    CSVError(
      kind, message, file: file, line: line ?? self.line, column: columnName(column), text: text)
  }

  /// Reads one field, leaving `p` at the byte that ends it (delimiter, CR, LF) or at the end.
  mutating func scanField(column: Int?) throws -> CSVFieldBytes {
    if p < end && p.pointee == UInt8(ascii: "\"") { return try scanQuotedField(column: column) }
    let start = p
    while p < end {
      let byte = p.pointee
      if byte == delimiter || byte == 0x0A || byte == 0x0D { break }
      if byte == 0 { throw nulError(column: column) }
      p += 1
    }
    return .span(start, p)
  }

  func nulError(column: Int?) -> CSVError {
    error(
      .nulByte,
      "a NUL byte: this is not a text CSV file (binary data, or UTF-16 text: save it as UTF-8)",
      column: column)
  }

  private mutating func scanQuotedField(column: Int?) throws -> CSVFieldBytes {
    let quoteLine = line
    let contentStart = p + 1
    var q = contentStart
    var inScratch = false
    while true {
      guard let found = memchr(q, Int32(UInt8(ascii: "\"")), end - q) else {
        throw error(
          .unterminatedQuote,
          "a quoted field starts here and its closing quote never comes (the file ends first)",
          line: quoteLine, column: column)
      }
      let quote = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
      // Line breaks inside quotes are data, but they still move the line count on.
      var r = q
      while r < quote {
        let byte = r.pointee
        if byte == 0x0A || (byte == 0x0D && !(r + 1 < end && r[1] == 0x0A)) {
          line += 1
        } else if byte == 0 {
          throw nulError(column: column)
        }
        r += 1
      }
      if quote + 1 < end && quote[1] == UInt8(ascii: "\"") {
        // `""`: one quote of data. Only now is a copy needed.
        if !inScratch {
          scratch.removeAll(keepingCapacity: true)
          inScratch = true
        }
        scratch.append(contentsOf: UnsafeBufferPointer(start: q, count: quote + 1 - q))
        q = quote + 2
        continue
      }
      if inScratch { scratch.append(contentsOf: UnsafeBufferPointer(start: q, count: quote - q)) }
      p = quote + 1
      while p < end && isBlank(p.pointee) { p += 1 }
      if p < end && !endsField(p.pointee) {
        var stop = p
        while stop < end && !endsField(stop.pointee) { stop += 1 }
        throw error(
          .textAfterQuote,
          "text after the closing quote of a field: \(CSVError.quoted(UnsafeBufferPointer(start: p, count: stop - p))) (a quote inside a quoted field is written \"\")",
          column: column)
      }
      return inScratch ? .scratch : .span(contentStart, quote)
    }
  }

  /// Runs `body` on a field's bytes.
  @inline(__always)
  func withBytes<R>(_ field: CSVFieldBytes, _ body: (UnsafeBufferPointer<UInt8>) throws -> R)
    rethrows -> R
  {
    switch field {
    case .span(let start, let stop):
      return try body(UnsafeBufferPointer(start: start, count: stop - start))
    case .scratch: return try scratch.withUnsafeBufferPointer(body)
    }
  }

  /// The field's text, invalid UTF-8 shown as U+FFFD.
  func string(_ field: CSVFieldBytes) -> String {
    withBytes(field) { String(decoding: $0, as: UTF8.self) }
  }

  /// Reads the header: the names of the columns. Empty names become `Unnamed: i` (0-based), as
  /// in pandas, since a CSV written with an unnamed index column starts with one.
  mutating func readHeader() throws -> [String] {
    guard skipBlankLines() else {
      throw CSVError(
        .emptyFile, "the file is empty: a header line with the column names is needed", file: file)
    }
    if end - p >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)) {
      throw error(
        .invalidUTF8,
        "the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8")
    }
    var names = [String]()
    var firstSeen = [String: Int]()
    while true {
      let index = names.count
      let field = try scanField(column: index)
      let name = try withBytes(field) { bytes -> String in
        guard let text = String(validating: bytes, as: UTF8.self) else {
          throw error(
            .invalidUTF8,
            "the name of column \(index + 1) is not valid UTF-8: \(CSVError.quoted(bytes)); save the file as UTF-8",
            text: CSVError.quoted(bytes))
        }
        return text.isEmpty ? "Unnamed: \(index)" : text
      }
      if let earlier = firstSeen[name] {
        let shown = CSVError.quoted(Array(name.utf8))  // a name can be as long as a line
        throw error(
          .duplicateColumn,
          "columns \(earlier + 1) and \(index + 1) are both named \"\(shown)\", so the name would not say which one is meant; rename one",
          text: shown)
      }
      firstSeen[name] = index
      names.append(name)
      if p < end && p.pointee == delimiter {
        p += 1
        continue
      }
      if p < end { consumeLineBreak() }
      self.names = names
      return names
    }
  }

  /// The error for a row with `got` fields where the header has `names.count`. `p` is where
  /// the row's fields stopped; for too many, the rest are counted first.
  mutating func raggedRow(line rowLine: Int, got: Int) throws -> CSVError {
    var count = got
    while p < end && p.pointee == delimiter {
      p += 1
      _ = try scanField(column: nil)
      count += 1
    }
    let expected = names.count
    let advice =
      count > expected
      ? "a delimiter inside a value needs the value in double quotes"
      : "a missing value still needs its delimiter, as in 1,,3"
    return error(
      .raggedRow,
      "the row has \(count) field\(count == 1 ? "" : "s") but the header has \(expected) (\(advice))",
      line: rowLine)
  }
}
