import Descent
import Foundation

/// A problem with the command's input (options, data, model file, output folder), reported as
/// one line on standard error.
///
/// `descent` is used from scripts, where one line per problem is what `grep` and a log reader
/// can handle, so every message is kept on one line and names the file, line and column (or
/// the option) it is about.
struct CLIError: Error, CustomStringConvertible {
  let description: String

  init(_ message: String) {
    description = CLIError.oneLine(message)
  }

  /// `message` with line breaks and tabs turned into spaces.
  static func oneLine(_ message: String) -> String {
    String(message.map { $0.isNewline || $0 == "\t" ? " " : $0 })
  }

  /// The library's error as one line; CSV errors get advice that fits the command line rather
  /// than the Swift API.
  static func wrapping(_ error: Error) -> CLIError {
    switch error {
    case let error as CLIError:
      return error
    case let error as CSVError where error.kind == .missingValue:
      let located = CSVError(
        error.kind,
        (error.message.split(separator: ";").first.map(String.init) ?? error.message)
          + "; every selected value must be present: fill in or remove that row",
        file: error.file, line: error.line, column: error.column, text: error.text)
      return CLIError(located.description)
    default:
      return CLIError(String(describing: error))
    }
  }
}

/// Runs `body`, turning any error it throws into a one-line ``CLIError``; a CSV error names
/// `file` as the user wrote it rather than by its absolute path.
func reportingOneLine<T>(file: String? = nil, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as CSVError {
    throw CLIError.wrapping(file.map { error.naming($0) } ?? error)
  } catch {
    throw CLIError.wrapping(error)
  }
}

/// Reads the CSV file at `path` (as given on the command line).
func readCSV(_ path: String) throws -> CSVTable {
  try reportingOneLine(file: path) { try CSVReader.read(URL(fileURLWithPath: path)) }
}

extension CSVError {
  /// The same error, naming the file as `file` (the path as the user wrote it).
  func naming(_ file: String) -> CSVError {
    CSVError(kind, message, file: file, line: line, column: column, text: text)
  }
}
