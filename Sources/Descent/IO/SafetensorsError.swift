import Foundation

/// Why a safetensors file could not be read or written.
///
/// Reading and writing files is where bad input from outside shows up, so these are thrown
/// errors, not traps. Every error names what was wrong and, when it is known, the file, the
/// tensor and the byte offset in the file. A failed load returns nothing and a failed save
/// leaves the target file as it was.
///
/// ```swift
/// do {
///   let (tensors, _) = try Safetensors.load(from: url)
/// } catch let error as SafetensorsError where error.kind == .unsupportedDType {
///   print(error)  // safetensors: "model.safetensors": tensor "w": dtype F8_E4M3 is not supported …
/// }
/// ```
public struct SafetensorsError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The kind of problem, for code that reacts to some of them.
  public enum Kind: String, Equatable, Sendable, CaseIterable {
    /// Fewer than the 8 bytes that hold the header length.
    case fileTooShort
    /// The header length is over ``Safetensors/maxHeaderSize`` (the reference's bound).
    case headerTooLarge
    /// The header length points past the end of the file.
    case headerBeyondFile
    /// The header, or a string in it, is not valid UTF-8.
    case invalidUTF8
    /// The header is not valid JSON.
    case invalidJSON
    /// Valid JSON of the wrong form: not an object, an entry that is not an object, a missing,
    /// repeated or mistyped field.
    case invalidHeader
    /// Two tensors (or two metadata entries) with the same name.
    case duplicateName
    /// `__metadata__` is not an object of strings.
    case invalidMetadata
    /// A dtype name the format does not define.
    case unknownDType
    /// A dtype the format defines but Descent cannot hold (8-bit and smaller floats, complex).
    case unsupportedDType
    /// A shape that is not a list of non-negative integers, or whose element count overflows.
    case invalidShape
    /// `data_offsets` that are not two integers `[begin, end]` with `begin <= end`.
    case invalidOffsets
    /// The byte range's length differs from shape × dtype size.
    case sizeMismatch
    /// A byte range reaching past the end of the file.
    case offsetOutOfFile
    /// Two byte ranges share bytes.
    case overlappingData
    /// Bytes between two tensors (or before the first) that no tensor covers.
    case gapInData
    /// Bytes after the last tensor, which the reference implementation rejects.
    case trailingBytes
    /// A value the target type cannot hold: a BOOL byte other than 0 or 1, a U64 above
    /// `Int64.max`.
    case invalidValue
    /// A tensor that cannot be saved under its name (`__metadata__` is the header's).
    case invalidName
    /// The operating system refused a file operation (open, read, write, sync, rename).
    case io
  }

  /// The kind of problem.
  public let kind: Kind
  /// What was wrong, in words.
  public let message: String
  /// The file being read or written, when there is one.
  public let path: String?
  /// The tensor (or metadata key) concerned, when there is one.
  public let tensor: String?
  /// The byte offset in the file (or encoded bytes) where the problem was found.
  public let byteOffset: Int?

  /// An error; `path` is usually added later by ``Safetensors/load(from:)`` or ``Safetensors/save(_:to:metadata:)``.
  public init(
    _ kind: Kind, _ message: String, path: String? = nil, tensor: String? = nil,
    byteOffset: Int? = nil
  ) {
    self.kind = kind
    self.message = message
    self.path = path
    self.tensor = tensor
    self.byteOffset = byteOffset
  }

  /// The same error, attributed to a file.
  func at(path: String) -> SafetensorsError {
    SafetensorsError(kind, message, path: path, tensor: tensor, byteOffset: byteOffset)
  }

  /// A readable description, as `print` shows it.
  public var description: String {
    var text = "safetensors: "
    if let path { text += "\"\(path)\": " }
    if let tensor { text += "tensor \"\(tensor)\": " }
    text += message
    if let byteOffset { text += " (at byte \(byteOffset))" }
    return text
  }
}

extension SafetensorsError {
  /// An error for a failed system call, with the system's text for `errno`.
  static func io(_ operation: String, path: String, errno code: Int32) -> SafetensorsError {
    SafetensorsError(
      .io, "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))", path: path)
  }
}
