/// JSON's grammar for the safetensors header parser: objects, lists, strings with their escapes,
/// numbers and literals, each error with its byte offset in the file.
extension SafetensorsHeaderParser {
  /// Parses `{ "key": value, … }`, calling `member` with the parser at each value.
  mutating func parseObject(
    _ member: (inout SafetensorsHeaderParser, String, Int) throws -> Void
  ) throws {
    try parseElements(closingWith: UInt8(ascii: "}"), in: "an object") { parser in
      let keyOffset = parser.position
      guard parser.peek == UInt8(ascii: "\"") else {
        throw parser.error(
          .invalidJSON, "expected a string key, found \(parser.describe(parser.peek))",
          at: parser.position)
      }
      let key = try parser.parseString()
      parser.skipWhitespace()
      guard parser.peek == UInt8(ascii: ":") else {
        throw parser.error(
          .invalidJSON, "expected ':' after a key, found \(parser.describe(parser.peek))",
          at: parser.position)
      }
      parser.position += 1
      parser.skipWhitespace()
      try member(&parser, key, keyOffset)
    }
  }

  /// Parses the comma-separated elements of an object or a list from its opening bracket to
  /// `close`, calling `element` with the parser at the start of each.
  mutating func parseElements(
    closingWith close: UInt8, in container: String,
    _ element: (inout SafetensorsHeaderParser) throws -> Void
  ) throws {
    position += 1  // "{" or "["
    skipWhitespace()
    if peek == close {
      position += 1
      return
    }
    while true {
      try element(&self)
      skipWhitespace()
      switch peek {
      case UInt8(ascii: ","): position += 1; skipWhitespace()
      case close: position += 1; return
      default:
        throw error(
          .invalidJSON,
          "expected ',' or '\(Character(Unicode.Scalar(close)))' in \(container), found \(describe(peek))",
          at: position)
      }
    }
  }

  /// Skips any JSON value, refusing nesting deeper than `maxDepth`.
  mutating func skipValue(depth: Int) throws {
    guard depth < Self.maxDepth else {
      throw error(.invalidJSON, "values nested more than \(Self.maxDepth) deep", at: position)
    }
    switch peek {
    case UInt8(ascii: "{"):
      try parseObject { parser, _, _ in try parser.skipValue(depth: depth + 1) }
    case UInt8(ascii: "["):
      try parseElements(closingWith: UInt8(ascii: "]"), in: "a list") { parser in
        try parser.skipValue(depth: depth + 1)
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
  mutating func scanNumber() throws -> Range<Int> {
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

  mutating func parseLiteral(_ word: StaticString) throws {
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
  mutating func parseString() throws -> String {
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
  mutating func parseEscape(into output: inout [UInt8]) throws {
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

  mutating func hex4(escapeAt start: Int) throws -> UInt32 {
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

  var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

  mutating func skipWhitespace() {
    while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
      position += 1
    }
  }

  func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }
  func isDigitCharacter(_ character: Character) -> Bool {
    character.isASCII && character.isNumber
  }

  /// What a value starting with `byte` is, for messages.
  func describe(_ byte: UInt8?) -> String {
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

  func describeByte(_ byte: UInt8) -> String {
    byte >= 0x21 && byte < 0x7F
      ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
  }

  func error(
    _ kind: SafetensorsError.Kind, _ message: String, at offset: Int, tensor: String? = nil
  ) -> SafetensorsError {
    SafetensorsError(kind, message, tensor: tensor, byteOffset: base + offset)
  }
}
