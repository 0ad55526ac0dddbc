/// A strict JSON parser for safetensors headers, shaped by what the header must hold.
///
/// A general JSON decoder would not do: it would let a repeated tensor name replace the first
/// silently, turn `2.0` or `true` into a shape dimension, lose the byte offsets that make error
/// messages useful, and recurse as deep as a hostile header nests. This parser reads only the
/// header's schema, skips unknown entry fields (as the reference does) at a bounded depth, and
/// reports each problem with its byte offset in the file.
struct SafetensorsHeaderParser {
  let bytes: UnsafeRawBufferPointer
  /// The file offset of `bytes[0]`.
  let base: Int
  var position = 0

  /// Deeper nesting in an unknown field is refused rather than recursed into.
  static let maxDepth = 64

  init(_ bytes: UnsafeRawBufferPointer, fileOffset: Int) {
    self.bytes = bytes
    self.base = fileOffset
  }

  /// The tensor entries in header order and the `__metadata__` strings.
  mutating func parse() throws -> (entries: [SafetensorsEntry], metadata: [String: String]) {
    skipWhitespace()
    guard peek == UInt8(ascii: "{") else {
      try wrongType(expected: "an object", kind: .invalidHeader, what: "the header")
    }
    var entries: [SafetensorsEntry] = []
    var names = Set<String>()
    var metadata: [String: String]?
    try parseObject { parser, key, keyOffset in
      if key == "__metadata__" {
        guard metadata == nil else {
          throw parser.error(
            .duplicateName, "\"__metadata__\" appears twice in the header", at: keyOffset)
        }
        metadata = try parser.parseMetadata()
      } else {
        guard names.insert(key).inserted else {
          throw parser.error(
            .duplicateName, "the name appears twice in the header", at: keyOffset, tensor: key)
        }
        entries.append(try parser.parseEntry(name: key, at: keyOffset))
      }
    }
    skipWhitespace()
    guard position == bytes.count else {
      throw error(
        .invalidJSON, "unexpected \(describe(peek)) after the header's closing brace", at: position)
    }
    return (entries, metadata ?? [:])
  }

  // MARK: Schema

  private mutating func parseEntry(name: String, at keyOffset: Int) throws -> SafetensorsEntry {
    guard peek == UInt8(ascii: "{") else {
      try wrongType(expected: "an object", kind: .invalidHeader, what: "the entry", tensor: name)
    }
    var dtype: SafetensorsDType?
    var shape: [Int]?
    var offsets: [Int]?
    try parseObject { parser, field, fieldOffset in
      func once<T>(_ value: T?) throws {
        if value != nil {
          throw parser.error(
            .invalidHeader, "field \"\(field)\" appears twice", at: fieldOffset, tensor: name)
        }
      }
      switch field {
      case "dtype":
        try once(dtype)
        guard parser.peek == UInt8(ascii: "\"") else {
          try parser.wrongType(
            expected: "a string", kind: .invalidHeader, what: "\"dtype\"", tensor: name)
        }
        let start = parser.position
        let text = try parser.parseString()
        guard let known = SafetensorsDType(rawValue: text) else {
          let names = SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
          throw parser.error(
            .unknownDType, "unknown dtype \"\(text)\"; the format defines \(names)", at: start,
            tensor: name)
        }
        dtype = known
      case "shape":
        try once(shape)
        shape = try parser.parseIntegers(kind: .invalidShape, what: "\"shape\"", tensor: name)
      case "data_offsets":
        try once(offsets)
        let start = parser.position
        let pair = try parser.parseIntegers(
          kind: .invalidOffsets, what: "\"data_offsets\"", tensor: name)
        guard pair.count == 2 else {
          throw parser.error(
            .invalidOffsets,
            "\"data_offsets\" must be [begin, end], found \(pair.count) number\(pair.count == 1 ? "" : "s")",
            at: start, tensor: name)
        }
        offsets = pair
      default:
        // The reference ignores fields it does not know; so does Descent.
        try parser.skipValue(depth: 2)
      }
    }
    for (field, present) in [
      ("dtype", dtype != nil), ("shape", shape != nil), ("data_offsets", offsets != nil),
    ] where !present {
      throw error(
        .invalidHeader, "the entry has no \"\(field)\" field", at: keyOffset, tensor: name)
    }
    return SafetensorsEntry(
      name: name, dtype: dtype!, shape: shape!, begin: offsets![0], end: offsets![1],
      headerOffset: base + keyOffset)
  }

  private mutating func parseMetadata() throws -> [String: String] {
    if peek == UInt8(ascii: "n") {
      try parseLiteral("null")  // the reference reads `null` as "no metadata"
      return [:]
    }
    guard peek == UInt8(ascii: "{") else {
      try wrongType(
        expected: "an object of strings", kind: .invalidMetadata, what: "\"__metadata__\"")
    }
    var metadata: [String: String] = [:]
    try parseObject { parser, key, keyOffset in
      guard parser.peek == UInt8(ascii: "\"") else {
        try parser.wrongType(
          expected: "a string", kind: .invalidMetadata, what: "the value of metadata key \"\(key)\""
        )
      }
      let value = try parser.parseString()
      guard metadata.updateValue(value, forKey: key) == nil else {
        throw parser.error(.invalidMetadata, "metadata key \"\(key)\" appears twice", at: keyOffset)
      }
    }
    return metadata
  }

  /// A JSON array of non-negative integers that fit in `Int`.
  private mutating func parseIntegers(kind: SafetensorsError.Kind, what: String, tensor: String)
    throws -> [Int]
  {
    guard peek == UInt8(ascii: "[") else {
      try wrongType(
        expected: "a list of non-negative integers", kind: kind, what: what, tensor: tensor)
    }
    var values: [Int] = []
    try parseElements(closingWith: UInt8(ascii: "]"), in: "a list") { parser in
      let start = parser.position
      guard let byte = parser.peek, byte == UInt8(ascii: "-") || parser.isDigit(byte) else {
        try parser.wrongType(
          expected: "a non-negative integer", kind: kind, what: "an element of \(what)",
          tensor: tensor)
      }
      let token = try parser.scanNumber()
      let text = String(
        decoding: UnsafeRawBufferPointer(rebasing: parser.bytes[token]), as: UTF8.self)
      guard let value = Int(text), value >= 0 else {
        let reason =
          text.allSatisfy(parser.isDigitCharacter)
          ? "is too large" : "is not a non-negative integer"
        throw parser.error(
          kind, "\(what) holds \(text.prefix(40)), which \(reason)", at: start, tensor: tensor)
      }
      values.append(value)
    }
    return values
  }

  /// Throws for a value of the wrong JSON type: `kind` when it is valid JSON, `invalidJSON`
  /// when it is not (so broken JSON is always reported as such).
  mutating func wrongType(
    expected: String, kind: SafetensorsError.Kind, what: String, tensor: String? = nil
  ) throws -> Never {
    let start = position
    let found = describe(peek)
    try skipValue(depth: 0)
    throw error(kind, "\(what) must be \(expected), found \(found)", at: start, tensor: tensor)
  }
}
