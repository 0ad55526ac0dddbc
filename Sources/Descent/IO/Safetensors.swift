import Foundation

/// Reads and writes state dicts in the safetensors format, the one PyTorch models are shared in
/// (`safetensors.torch.save_file` / `load_file`).
///
/// ```swift
/// try Safetensors.save(model.stateDict(), to: url, metadata: ["epoch": "12"])
/// let (tensors, metadata) = try Safetensors.load(from: url)
/// try model.loadStateDict(tensors)
/// ```
///
/// Files Descent writes are byte for byte what the Python `safetensors` package writes for the
/// same tensors and metadata (see ``SafetensorsError`` for what reading refuses). Loading maps
/// the format's types onto Descent's:
///
/// | File dtype | Loads as |
/// |---|---|
/// | `F32`, `F16`, `BF16` | `float32` (half types widened exactly) |
/// | `F64` | `float64` |
/// | `I64`, `I32`, `I16`, `I8`, `U32`, `U16`, `U8` | `int64` (exactly) |
/// | `U64` | `int64`, or ``SafetensorsError/Kind/invalidValue`` for a value above `Int64.max` |
/// | `BOOL` | `bool` |
/// | `F8_*`, `F6_*`, `F4`, `C64` | ``SafetensorsError/Kind/unsupportedDType`` |
///
/// Saving writes `float32` as `F32`, `float64` as `F64`, `int64` as `I64` and `bool` as `BOOL`;
/// views are written as contiguous row-major data.
///
/// A loaded ``StateDict`` lists the tensors in the file's data order (for files from Descent or
/// PyTorch: by dtype, then by name), not the order they were saved in; `loadStateDict` matches
/// them by key.
public enum Safetensors {
  /// The largest header accepted, in bytes: the reference implementation's bound, so that a
  /// corrupt length cannot make the reader allocate or parse more.
  public static let maxHeaderSize = 100_000_000

  /// Writes `tensors` and `metadata` to `url`, replacing the file there only once the new one is
  /// complete.
  ///
  /// The data goes to a temporary file in the same directory, is flushed to disk, and is then
  /// renamed over `url`: a crash or error midway leaves the old file (or none) and removes the
  /// temporary one. An existing file keeps its permissions.
  ///
  /// - Throws: ``SafetensorsError`` (`invalidName` for a tensor called `__metadata__`,
  ///   `headerTooLarge`, or `io` when the system refuses a step).
  public static func save(_ tensors: StateDict, to url: URL, metadata: [String: String] = [:])
    throws
  {
    try save(tensors, to: url, metadata: metadata, beforeReplacing: { _ in })
  }

  /// Reads the tensors and `__metadata__` strings of a safetensors file.
  ///
  /// Everything the header says is checked before it is acted on (see ``SafetensorsError/Kind``):
  /// its length against ``maxHeaderSize`` and the file, the JSON, each dtype, shape and byte
  /// range, and that the ranges tile the data area exactly. Memory is allocated only for what
  /// the file really holds. The file is read with positioned reads, not mapped, so a file
  /// truncated by another process while it is read is an error rather than a crash.
  ///
  /// - Throws: ``SafetensorsError``, naming the file and, when known, the tensor and byte offset.
  public static func load(from url: URL) throws -> (tensors: StateDict, metadata: [String: String])
  {
    try readFile(url)
  }

  /// The bytes of a safetensors file holding `tensors` and `metadata` (what ``save(_:to:metadata:)``
  /// writes).
  public static func encode(_ tensors: StateDict, metadata: [String: String] = [:]) throws -> Data {
    try encodeToData(tensors, metadata: metadata)
  }

  /// Reads safetensors bytes held in memory, with the checks of ``load(from:)``.
  public static func decode(_ bytes: Data) throws -> (
    tensors: StateDict, metadata: [String: String]
  ) {
    try bytes.withUnsafeBytes { try decode($0) }
  }

  /// Reads safetensors bytes held in memory, with the checks of ``load(from:)``.
  public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> (
    tensors: StateDict, metadata: [String: String]
  ) {
    try read(SafetensorsSource(memory: bytes))
  }
}

extension Module {
  /// Saves ``stateDict()`` as a safetensors file (see ``Safetensors/save(_:to:metadata:)``).
  public func save(to url: URL, metadata: [String: String] = [:]) throws {
    try Safetensors.save(stateDict(), to: url, metadata: metadata)
  }

  /// Loads a safetensors file into this module's parameters and buffers.
  ///
  /// The file is read and checked in full, then handed to ``loadStateDict(_:strict:)``, so the
  /// module is unchanged when either step throws.
  ///
  /// - Throws: ``SafetensorsError`` when the file cannot be read; ``StateDictError`` when its
  ///   keys (with `strict`) or shapes do not match the module's.
  public func load(from url: URL, strict: Bool = true) throws {
    let (tensors, _) = try Safetensors.load(from: url)
    try loadStateDict(tensors, strict: strict)
  }
}
