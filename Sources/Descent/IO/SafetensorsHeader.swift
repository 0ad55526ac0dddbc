/// A strict JSON parser for safetensors headers, shaped by what the header must hold.
///
/// A general JSON decoder would not do: it would let a repeated tensor name replace the first
/// silently, turn `2.0` or `true` into a shape dimension, lose the byte offsets that make error
/// messages useful, and recurse as deep as a hostile header nests. This parser reads only the
/// header's schema, skips unknown entry fields (as the reference does) at a bounded depth, and
/// reports each problem with its byte offset in the file.
struct SafetensorsHeaderParser {
  private let bytes: UnsafeRawBufferPointer
  /// The file offset of `bytes[0]`.
  private let base: Int
  private var position = 0

  /// Deeper nesting in an unknown field is refused rather than recursed into.
  private static let maxDepth = 64

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
    position += 1
    skipWhitespace()
    var values: [Int] = []
    if peek == UInt8(ascii: "]") {
      position += 1
      return values
    }
    while true {
      let start = position
      guard let byte = peek, byte == UInt8(ascii: "-") || isDigit(byte) else {
        try wrongType(
          expected: "a non-negative integer", kind: kind, what: "an element of \(what)",
          tensor: tensor)
      }
      let token = try scanNumber()
      let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[token]), as: UTF8.self)
      guard let value = Int(text), value >= 0 else {
        let reason =
          text.allSatisfy(isDigitCharacter) ? "is too large" : "is not a non-negative integer"
        throw error(
          kind, "\(what) holds \(text.prefix(40)), which \(reason)", at: start, tensor: tensor)
      }
      values.append(value)
      skipWhitespace()
      switch peek {
      case UInt8(ascii: ","): position += 1; skipWhitespace()
      case UInt8(ascii: "]"): position += 1; return values
      default:
        throw error(
          .invalidJSON, "expected ',' or ']' in a list, found \(describe(peek))", at: position)
      }
    }
  }

  /// Throws for a value of the wrong JSON type: `kind` when it is valid JSON, `invalidJSON`
  /// when it is not (so broken JSON is always reported as such).
  private mutating func wrongType(
    expected: String, kind: SafetensorsError.Kind, what: String, tensor: String? = nil
  ) throws -> Never {
    let start = position
    let found = describe(peek)
    try skipValue(depth: 0)
    throw error(kind, "\(what) must be \(expected), found \(found)", at: start, tensor: tensor)
  }

  // MARK: JSON

  /// Parses `{ "key": value, … }`, calling `member` with the parser at each value.
  private mutating func parseObject(
    _ member: (inout SafetensorsHeaderParser, String, Int) throws -> Void
  ) throws {
    position += 1  // "{"
    skipWhitespace()
    if peek == UInt8(ascii: "}") {
      position += 1
      return
    }
    while true {
      let keyOffset = position
      guard peek == UInt8(ascii: "\"") else {
        throw error(.invalidJSON, "expected a string key, found \(describe(peek))", at: position)
      }
      let key = try parseString()
      skipWhitespace()
      guard peek == UInt8(ascii: ":") else {
        throw error(.invalidJSON, "expected ':' after a key, found \(describe(peek))", at: position)
      }
      position += 1
      skipWhitespace()
      try member(&self, key, keyOffset)
      skipWhitespace()
      switch peek {
      case UInt8(ascii: ","): position += 1; skipWhitespace()
      case UInt8(ascii: "}"): position += 1; return
      default:
        throw error(
          .invalidJSON, "expected ',' or '}' in an object, found \(describe(peek))", at: position)
      }
    }
  }

  /// Skips any JSON value, refusing nesting deeper than `maxDepth`.
  private mutating func skipValue(depth: Int) throws {
    guard depth < Self.maxDepth else {
      throw error(.invalidJSON, "values nested more than \(Self.maxDepth) deep", at: position)
    }
    switch peek {
    case UInt8(ascii: "{"):
      try parseObject { parser, _, _ in try parser.skipValue(depth: depth + 1) }
    case UInt8(ascii: "["):
      position += 1
      skipWhitespace()
      if peek == UInt8(ascii: "]") {
        position += 1
        return
      }
      while true {
        try skipValue(depth: depth + 1)
        skipWhitespace()
        switch peek {
        case UInt8(ascii: ","): position += 1; skipWhitespace()
        case UInt8(ascii: "]"): position += 1; return
        default:
          throw error(
            .invalidJSON, "expected ',' or ']' in a list, found \(describe(peek))", at: position)
        }
      }
    case UInt8(ascii: "\""): _ = try parseString()
    case UInt8(ascii: "t"): try parseLiteral("true")
    case UInt8(ascii: "f"): try parseLiteral("false")
    case UInt8(ascii: "n"): try parseLiteral("null")
    case let byte? where byte == UInt8(ascii: "-") || isDigit(byte): _ = try scanNumber()
    default: throw error(.invalidJSON, "expected a value, found \(describe(peek))", at: position)
    }
  }

  /// The byte range of a number token, checked against JSON's grammar.
  private mutating func scanNumber() throws -> Range<Int> {
    let start = position
    func digits() -> Int {
      let first = position
      while let byte = peek, isDigit(byte) { position += 1 }
      return position - first
    }
    if peek == UInt8(ascii: "-") { position += 1 }
    let leadingZero = peek == UInt8(ascii: "0")
    let integerDigits = digits()
    guard integerDigits > 0, !(leadingZero && integerDigits > 1) else {
      throw error(.invalidJSON, "malformed number", at: start)
    }
    if peek == UInt8(ascii: ".") {
      position += 1
      guard digits() > 0 else { throw error(.invalidJSON, "malformed number", at: start) }
    }
    if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
      position += 1
      if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
      guard digits() > 0 else { throw error(.invalidJSON, "malformed number", at: start) }
    }
    return start..<position
  }

  private mutating func parseLiteral(_ word: StaticString) throws {
    let start = position
    let length = word.utf8CodeUnitCount
    guard bytes.count - position >= length,
      word.withUTF8Buffer({ $0.elementsEqual(bytes[position..<position + length]) })
    else {
      throw error(.invalidJSON, "invalid literal; expected \(word)", at: start)
    }
    position += length
  }

  /// A JSON string with its escapes resolved; raw bytes must be valid UTF-8.
  private mutating func parseString() throws -> String {
    let start = position
    position += 1  // opening quote
    var decoded: [UInt8] = []
    var escaped = false
    var run = position
    while true {
      guard let byte = peek else {
        throw error(.invalidJSON, "unterminated string", at: start)
      }
      if byte == UInt8(ascii: "\"") { break }
      if byte < 0x20 {
        throw error(
          .invalidJSON,
          "control character 0x\(String(byte, radix: 16)) in a string must be escaped", at: position
        )
      }
      guard byte == UInt8(ascii: "\\") else {
        position += 1
        continue
      }
      escaped = true
      decoded.append(contentsOf: bytes[run..<position])
      try parseEscape(into: &decoded)
      run = position
    }
    let raw = UnsafeRawBufferPointer(rebasing: bytes[run..<position])
    position += 1  // closing quote
    let text: String?
    if escaped {
      decoded.append(contentsOf: raw)
      text = String(validating: decoded, as: UTF8.self)
    } else {
      text = String(validating: raw, as: UTF8.self)
    }
    guard let text else {
      throw error(.invalidUTF8, "a string in the header is not valid UTF-8", at: start)
    }
    return text
  }

  /// One escape sequence after a backslash, as UTF-8.
  private mutating func parseEscape(into output: inout [UInt8]) throws {
    let start = position
    position += 1  // backslash
    guard let byte = peek else { throw error(.invalidJSON, "unterminated string", at: start) }
    position += 1
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
    case UInt8(ascii: "b"): output.append(0x08)
    case UInt8(ascii: "f"): output.append(0x0C)
    case UInt8(ascii: "n"): output.append(0x0A)
    case UInt8(ascii: "r"): output.append(0x0D)
    case UInt8(ascii: "t"): output.append(0x09)
    case UInt8(ascii: "u"):
      var value = try hex4(escapeAt: start)
      if (0xD800..<0xDC00).contains(value) {
        // A high surrogate must be followed by an escaped low one.
        guard peek == UInt8(ascii: "\\"), position + 1 < bytes.count,
          bytes[position + 1] == UInt8(ascii: "u")
        else { throw error(.invalidJSON, "unpaired surrogate in \\u escape", at: start) }
        position += 2
        let low = try hex4(escapeAt: start)
        guard (0xDC00..<0xE000).contains(low) else {
          throw error(.invalidJSON, "unpaired surrogate in \\u escape", at: start)
        }
        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
      } else if (0xDC00..<0xE000).contains(value) {
        throw error(.invalidJSON, "unpaired surrogate in \\u escape", at: start)
      }
      UTF8.encode(Unicode.Scalar(value)!) { output.append($0) }
    default:
      throw error(.invalidJSON, "invalid escape \\\(describeByte(byte))", at: start)
    }
  }

  private mutating func hex4(escapeAt start: Int) throws -> UInt32 {
    guard bytes.count - position >= 4 else {
      throw error(.invalidJSON, "truncated \\u escape", at: start)
    }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[position]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw error(.invalidJSON, "invalid \\u escape", at: start)
      }
      value = value << 4 | UInt32(digit)
      position += 1
    }
    return value
  }

  // MARK: Helpers

  private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

  private mutating func skipWhitespace() {
    while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
      position += 1
    }
  }

  private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }
  private func isDigitCharacter(_ character: Character) -> Bool {
    character.isASCII && character.isNumber
  }

  /// What a value starting with `byte` is, for messages.
  private func describe(_ byte: UInt8?) -> String {
    switch byte {
    case nil: return "the end of the header"
    case UInt8(ascii: "{"): return "an object"
    case UInt8(ascii: "["): return "a list"
    case UInt8(ascii: "\""): return "a string"
    case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
    case UInt8(ascii: "n"): return "null"
    case let byte? where byte == UInt8(ascii: "-") || isDigit(byte): return "a number"
    case let byte?: return describeByte(byte)
    }
  }

  private func describeByte(_ byte: UInt8) -> String {
    byte >= 0x21 && byte < 0x7F
      ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
  }

  private func error(
    _ kind: SafetensorsError.Kind, _ message: String, at offset: Int, tensor: String? = nil
  ) -> SafetensorsError {
    SafetensorsError(kind, message, tensor: tensor, byteOffset: base + offset)
  }
}
