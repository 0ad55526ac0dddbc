#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a CSV file could not be read, or a column of it could not become numbers.
///
/// A CSV file comes from outside the program, so its faults are thrown errors, not traps. Each
/// error says what was wrong and, when known, where: the file, the physical line in it
/// (1-based, as an editor counts them, so a quoted field spanning lines moves the count on), the
/// column's name and the offending text (shortened when long).
///
/// ```swift
/// do {
///   let data = try loadCSV(url, target: "species")
/// } catch let error as CSVError where error.kind == .nonNumeric {
///   print(error)  // CSV "iris.csv", line 7, column "species": "setosa" is not a number …
/// }
/// ```
public struct CSVError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The kind of problem, for code that reacts to some of them.
  public enum Kind: String, Equatable, Sendable, CaseIterable {
    /// No file at the path.
    case fileNotFound
    /// The operating system refused to open or read the file (permissions, a directory…).
    case io
    /// Nothing but blank lines (or nothing at all): not even a header.
    case emptyFile
    /// The header is not UTF-8 text (for example a UTF-16 file).
    case invalidUTF8
    /// A NUL byte: binary data, or text in a wide encoding such as UTF-16.
    case nulByte
    /// Two columns with the same name, so that a name would not say which column it means.
    case duplicateColumn
    /// A quoted field whose closing quote never comes.
    case unterminatedQuote
    /// Text between a closing quote and the next delimiter, as in `"ab"c`.
    case textAfterQuote
    /// A row with more or fewer fields than the header.
    case raggedRow
    /// A field of a column that has to be numeric is neither a number nor a missing value.
    case nonNumeric
    /// A missing value under ``MissingValuePolicy/error``.
    case missingValue
    /// A column name the header does not have.
    case unknownColumn
    /// No data rows (a header only, or every row skipped for a missing value) where some are
    /// needed.
    case noRows
    /// A value that the requested integer dtype cannot hold (a fraction, infinity, out of range).
    case notInteger
    /// A dtype the CSV reader does not produce (bool).
    case unsupportedDType
  }

  /// The kind of problem.
  public let kind: Kind
  /// What was wrong, in words.
  public let message: String
  /// The file (its path, or the name given for in-memory data).
  public let file: String?
  /// The physical line in the file, 1-based, when the problem is on one line.
  public let line: Int?
  /// The column's name, when the problem is in one column.
  public let column: String?
  /// The offending text, shortened to ``maxQuotedLength`` characters.
  public let text: String?

  /// Characters of offending text kept in an error: enough to recognise it, never a whole
  /// megabyte-long field.
  public static let maxQuotedLength = 80

  /// An error with its location.
  public init(
    _ kind: Kind, _ message: String, file: String? = nil, line: Int? = nil, column: String? = nil,
    text: String? = nil
  ) {
    self.kind = kind
    self.message = message
    self.file = file
    self.line = line
    self.column = column
    self.text = text
  }

  /// A readable description, as `print` shows it.
  public var description: String {
    var where_ = [String]()
    if let file { where_.append("\"\(file)\"") }
    if let line { where_.append("line \(line)") }
    if let column { where_.append("column \"\(column)\"") }
    return "CSV " + (where_.isEmpty ? "" : where_.joined(separator: ", ") + ": ") + message
  }
}

extension CSVError {
  /// An error for a failed system call, with the system's text for `errno`.
  static func io(_ operation: String, file: String, errno code: Int32) -> CSVError {
    let reason = String(cString: strerror(code))
    if code == ENOENT {
      return CSVError(.fileNotFound, "no such file (\(operation): \(reason))", file: file)
    }
    return CSVError(.io, "\(operation) failed: \(reason) (errno \(code))", file: file)
  }

  /// The text of `bytes` for a message: invalid UTF-8 shown as U+FFFD, control characters
  /// escaped, and at most ``maxQuotedLength`` characters followed by the full byte count.
  static func quoted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    // Decoding only a bounded prefix keeps a huge field from costing a huge string.
    let prefix = UnsafeBufferPointer(rebasing: bytes.prefix(maxQuotedLength * 4))
    let characters = String(decoding: prefix, as: UTF8.self)
    var shown = ""
    var count = 0
    for character in characters {
      if count == maxQuotedLength { break }
      for scalar in character.unicodeScalars {
        shown +=
          scalar.value < 0x20 || scalar.value == 0x7F
          ? scalar.escaped(asASCII: true) : String(scalar)
      }
      count += 1
    }
    if count < characters.count || prefix.count < bytes.count {
      shown += "… (\(bytes.count) bytes)"
    }
    return shown
  }

  /// ``quoted(_:)`` for an array of bytes.
  static func quoted(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBufferPointer { quoted($0) }
  }
}
