/// The safetensors file format, as Hugging Face's reference implementation defines it:
///
/// ```text
/// [8 bytes]  N, the header length, unsigned little-endian
/// [N bytes]  UTF-8 JSON: {"__metadata__": {"key": "value", …},
///                         "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …}
/// [rest]     the tensors' bytes, row-major and little-endian; offsets count from here
/// ```
///
/// Descent writes the layout the reference writer produces, so that a file is byte for byte what
/// `safetensors.torch.save_file` writes for the same tensors and metadata:
/// - tensors sorted by dtype, widest first in the reference's dtype order (`I64`, `F64`, `F32`,
///   `BOOL`), then by name (byte order of the UTF-8), packed without gaps, so that every
///   tensor starts at a multiple of its element size;
/// - the header is compact JSON: `__metadata__` first (its keys sorted; omitted when empty),
///   then the tensors in data order, each `{"dtype":…,"shape":[…],"data_offsets":[b,e]}`;
///   strings escaped as serde_json does (`\"`, `\\`, `\n`-style short forms, `\u00XX` for other
///   control characters, everything else raw UTF-8);
/// - the header is padded with spaces to a multiple of 8 bytes.
enum SafetensorsDType: String, CaseIterable, Sendable {
  // In the reference's order, which the writer sorts by (descending).
  case bool = "BOOL"
  case f4 = "F4"
  case f6e2m3 = "F6_E2M3"
  case f6e3m2 = "F6_E3M2"
  case u8 = "U8"
  case i8 = "I8"
  case f8e5m2 = "F8_E5M2"
  case f8e4m3 = "F8_E4M3"
  case f8e8m0 = "F8_E8M0"
  case i16 = "I16"
  case u16 = "U16"
  case f16 = "F16"
  case bf16 = "BF16"
  case i32 = "I32"
  case u32 = "U32"
  case f32 = "F32"
  case c64 = "C64"
  case f64 = "F64"
  case i64 = "I64"
  case u64 = "U64"

  /// The position in the reference's dtype order.
  var rank: Int { Self.ranks[self]! }
  private static let ranks: [SafetensorsDType: Int] = Dictionary(
    uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

  /// Bytes per element, for the dtypes Descent reads.
  var size: Int {
    switch self {
    case .bool, .u8, .i8, .f4, .f6e2m3, .f6e3m2, .f8e5m2, .f8e4m3, .f8e8m0: return 1
    case .i16, .u16, .f16, .bf16: return 2
    case .i32, .u32, .f32: return 4
    case .f64, .i64, .u64, .c64: return 8
    }
  }

  /// The Descent dtype a tensor of this type loads as, or nil when Descent has none that holds
  /// its values.
  var loadsAs: DType? {
    switch self {
    case .bool: return .bool
    case .f16, .bf16, .f32: return .float32
    case .f64: return .float64
    case .u8, .i8, .i16, .u16, .i32, .u32, .i64, .u64: return .int64
    case .f4, .f6e2m3, .f6e3m2, .f8e5m2, .f8e4m3, .f8e8m0, .c64: return nil
    }
  }

  /// The type Descent writes a tensor of `dtype` as (its own types map one to one).
  init(_ dtype: DType) {
    switch dtype {
    case .bool: self = .bool
    case .int64: self = .i64
    case .float32: self = .f32
    case .float64: self = .f64
    }
  }
}

/// One tensor as the header describes it. Offsets are relative to the data area.
struct SafetensorsEntry: Sendable {
  let name: String
  let dtype: SafetensorsDType
  let shape: [Int]
  let begin: Int
  let end: Int
  /// Where the entry's name is in the file, for messages.
  let headerOffset: Int

  /// The element count, once ``SafetensorsLayout/validate(_:dataSize:)`` has checked it.
  var count: Int { shape.reduce(1, *) }
}

/// The checks that make a parsed header safe to act on.
enum SafetensorsLayout {
  /// Checks every entry against its dtype and the data area, the way the reference implementation
  /// requires, and returns the entries in data order.
  ///
  /// After this, each entry's byte range lies inside `0..<dataSize`, has exactly
  /// `count × size` bytes, and the ranges tile the data area without overlap or gap, so reading
  /// them cannot go out of bounds and the bytes allocated never exceed the file's size.
  static func validate(_ entries: [SafetensorsEntry], dataSize: Int) throws -> [SafetensorsEntry] {
    for entry in entries {
      func fail(_ kind: SafetensorsError.Kind, _ message: String) -> SafetensorsError {
        SafetensorsError(kind, message, tensor: entry.name, byteOffset: entry.headerOffset)
      }
      guard entry.dtype.loadsAs != nil else {
        let remedy =
          entry.dtype == .c64
          ? "save its real and imaginary parts as two F32 tensors"
          : "convert it to F32, F16 or BF16 before saving"
        throw fail(
          .unsupportedDType,
          "dtype \(entry.dtype.rawValue) is not supported: Descent has no type that holds its values; \(remedy)"
        )
      }
      var count = 1
      for size in entry.shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else {
          throw fail(
            .invalidShape, "shape \(shapeText(entry.shape)) has more elements than can be counted")
        }
        count = product
      }
      let (byteCount, overflow) = count.multipliedReportingOverflow(by: entry.dtype.size)
      guard !overflow else {
        throw fail(
          .invalidShape,
          "shape \(shapeText(entry.shape)) of \(entry.dtype.rawValue) needs more bytes than can be counted"
        )
      }
      guard entry.begin <= entry.end else {
        throw fail(
          .invalidOffsets, "data_offsets [\(entry.begin), \(entry.end)] end before they begin")
      }
      guard entry.end - entry.begin == byteCount else {
        throw fail(
          .sizeMismatch,
          "shape \(shapeText(entry.shape)) of \(entry.dtype.rawValue) needs \(byteCount) bytes but data_offsets [\(entry.begin), \(entry.end)] hold \(entry.end - entry.begin)"
        )
      }
      guard entry.end <= dataSize else {
        throw fail(
          .offsetOutOfFile,
          "data_offsets [\(entry.begin), \(entry.end)] reach past the end of the data area, which holds \(dataSize) bytes"
        )
      }
    }
    // Data order; equal ranges (empty tensors at one offset) keep header order.
    let ordered = entries.enumerated().sorted {
      ($0.element.begin, $0.element.end, $0.offset) < ($1.element.begin, $1.element.end, $1.offset)
    }.map(\.element)
    var covered = 0
    var previous: SafetensorsEntry?
    for entry in ordered {
      if entry.begin < covered, let previous {
        throw SafetensorsError(
          .overlappingData,
          "bytes [\(entry.begin), \(entry.end)) overlap those of tensor \"\(previous.name)\" [\(previous.begin), \(previous.end))",
          tensor: entry.name, byteOffset: entry.headerOffset)
      }
      if entry.begin > covered {
        let after =
          previous.map { "after tensor \"\($0.name)\"" } ?? "at the start of the data area"
        throw SafetensorsError(
          .gapInData,
          "bytes [\(covered), \(entry.begin)) \(after) belong to no tensor; the format requires the tensors to cover the data area without holes",
          tensor: entry.name, byteOffset: entry.headerOffset)
      }
      covered = entry.end
      previous = entry
    }
    if covered < dataSize {
      throw SafetensorsError(
        .trailingBytes,
        "the data area holds \(dataSize) bytes but the tensors cover only \(covered); the format requires them to cover it exactly",
        byteOffset: nil)
    }
    return ordered
  }
}
