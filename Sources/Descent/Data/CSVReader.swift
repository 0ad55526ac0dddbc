import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a CSV file with a header line into a ``CSVTable`` (`pandas.read_csv` for numeric data).
///
/// The format is RFC 4180's: fields separated by `delimiter`, lines ended by LF, CRLF or CR (the
/// last one optional), fields in double quotes may hold delimiters, line breaks and `""` for a
/// quote. A UTF-8 byte order mark is skipped, and so are blank lines, as pandas does.
///
/// Each column is numeric when every field of it is a number or missing, and text otherwise:
/// only the columns a program selects (``CSVTable/tensor(columns:dtype:missing:)``) have to be
/// numeric, so a file may carry names, dates or ids beside the numbers.
///
/// - A number is a plain decimal (`1`, `-0`, `.5`, `5.`, `+3`, `1e-3`, `2.5E+10`) or `inf`,
///   `infinity` in any letter case, signed: what `pandas.read_csv` reads as floats. Its value is
///   the correctly rounded one, the same as `Double(String)`'s. Spaces and tabs around a number
///   are ignored (pandas' number parsing ignores them too); a text field is kept as it is.
/// - A missing value is an empty field or one of pandas' default missing spellings: `NA`,
///   `NaN`, `nan`, `null`, `NULL`, `None`, `N/A`, `n/a`, `#N/A`, `<NA>` and a few more.
///   `policy` decides what becomes of it when a column is selected.
/// - Hexadecimal, thousands separators (`1,000` unquoted is two fields) and decimal commas are
///   text.
///
/// The whole file is read into memory once and parsed in place, at well over 100 MB/s for a
/// numeric file in a release build.
public enum CSVReader {
  /// Reads the CSV file at `url`.
  ///
  /// - Parameters:
  ///   - url: The file to read.
  ///   - delimiter: The byte between fields: `,` by default, `;` or a tab for other dialects.
  ///   - missing: What selecting a column does with its missing values; a selection can
  ///     override it.
  /// - Throws: ``CSVError``, for a missing or unreadable file, an empty one, a malformed header
  ///   or row.
  public static func read(
    _ url: URL, delimiter: UInt8 = UInt8(ascii: ","), missing: MissingValuePolicy = .error
  ) throws -> CSVTable {
    guard url.isFileURL else {
      throw CSVError(
        .io, "only a file on this machine can be read; download it first", file: url.absoluteString)
    }
    let path = url.path
    return try withFileBytes(path) { bytes in
      try read(bytes: bytes, name: path, delimiter: delimiter, missing: missing)
    }
  }

  /// Reads CSV text held in memory; `name` stands for the file in errors.
  public static func read(
    data: Data, name: String = "data", delimiter: UInt8 = UInt8(ascii: ","),
    missing: MissingValuePolicy = .error
  ) throws -> CSVTable {
    try data.withUnsafeBytes { raw in
      try read(
        bytes: raw.bindMemory(to: UInt8.self), name: name, delimiter: delimiter, missing: missing)
    }
  }

  /// Reads CSV text held in memory; `name` stands for the file in errors.
  public static func read(
    string: String, name: String = "string", delimiter: UInt8 = UInt8(ascii: ","),
    missing: MissingValuePolicy = .error
  ) throws -> CSVTable {
    var text = string
    return try text.withUTF8 {
      try read(bytes: $0, name: name, delimiter: delimiter, missing: missing)
    }
  }

  /// Reads CSV bytes.
  static func read(
    bytes: UnsafeBufferPointer<UInt8>, name: String, delimiter: UInt8, missing: MissingValuePolicy
  ) throws -> CSVTable {
    let forbidden: [UInt8] = [0, 0x0A, 0x0D, UInt8(ascii: "\"")]
    if delimiter >= 0x80 || forbidden.contains(delimiter) {
      opFailure(
        "CSVReader.read",
        "the delimiter must be an ASCII byte other than a quote, a line break or NUL, but got \(delimiter)"
      )
    }
    guard let start = bytes.baseAddress, !bytes.isEmpty else {
      throw CSVError(
        .emptyFile, "the file is empty: a header line with the column names is needed", file: name)
    }
    var parser = CSVParser(start: start, count: bytes.count, delimiter: delimiter, file: name)
    let columns = try parser.readHeader()
    let dataStart = parser.p
    let dataLine = parser.line
    var rows = try parser.readRows()
    let late = rows.columns.indices.filter {
      !rows.columns[$0].isNumeric && rows.columns[$0].strings == nil
    }
    if !late.isEmpty {
      parser.p = dataStart
      parser.line = dataLine
      try parser.collectTexts(late, into: &rows)
    }
    return CSVTable(file: name, columns: columns, rows: rows, missing: missing)
  }

  /// Runs `body` on the whole content of the file at `path`, read in one go.
  ///
  /// Reading (rather than mapping) the file means a file that shrinks meanwhile gives a short
  /// read, not a crash.
  /// The largest CSV file read into memory: larger input (or a stream that never ends) gets an
  /// error instead of exhausting memory.
  static let maxFileBytes = 8 << 30

  static func withFileBytes<R>(_ path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R)
    throws -> R
  {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw CSVError.io("open", file: path, errno: errno) }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw CSVError.io("stat", file: path, errno: errno) }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      throw CSVError(.io, "this is a directory, not a CSV file", file: path)
    }
    if (info.st_mode & S_IFMT) == S_IFCHR {
      // /dev/zero and friends never end; a CSV file is a regular file or a pipe.
      throw CSVError(.io, "this is a device, not a CSV file", file: path)
    }
    guard Int(info.st_size) <= maxFileBytes else {
      throw CSVError(
        .io,
        "the file is larger than \(maxFileBytes >> 30) GiB, the most Descent reads into memory",
        file: path)
    }
    // The size is a hint only (pipes and some special files report 0); the loop grows as needed.
    var capacity = max(Int(info.st_size), 0) + 1
    guard var buffer = malloc(capacity) else {
      fatalError("Descent: out of memory reading \(path)")
    }
    defer { free(buffer) }
    var count = 0
    while true {
      if count == capacity {
        guard capacity < maxFileBytes else {
          throw CSVError(
            .io,
            "the file is larger than \(maxFileBytes >> 30) GiB, the most Descent reads into memory",
            file: path)
        }
        capacity = Swift.min(capacity * 2, maxFileBytes + 1)
        guard let grown = realloc(buffer, capacity) else {
          fatalError("Descent: out of memory reading \(path)")
        }
        buffer = grown
      }
      let result = systemRead(descriptor, buffer + count, min(capacity - count, 1 << 30))
      if result < 0 {
        if errno == EINTR { continue }
        throw CSVError.io("read", file: path, errno: errno)
      }
      if result == 0 { break }
      count += result
    }
    return try body(
      UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: count))
  }
}

/// The C library's `read`, out of reach of `CSVReader.read`'s overloads.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int
{
  read(descriptor, buffer, count)
}
