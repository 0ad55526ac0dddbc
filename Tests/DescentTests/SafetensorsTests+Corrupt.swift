import Foundation
import Testing

@testable import Descent

/// A hand-made file that the reader must refuse with `kind`.
struct CorruptSafetensors: Sendable, CustomTestStringConvertible {
  let name: String
  let bytes: [UInt8]
  let kind: SafetensorsError.Kind
  let tensor: String?
  var testDescription: String { name }

  /// `header` after its 8-byte length (the header's own unless `length` is given), then
  /// `dataSize` bytes of data.
  init(
    _ name: String, _ header: String, data dataSize: Int = 0, length: UInt64? = nil,
    _ kind: SafetensorsError.Kind, tensor: String? = nil
  ) {
    self.init(
      name, headerBytes: Array(header.utf8), data: dataSize, length: length, kind, tensor: tensor)
  }

  init(
    _ name: String, headerBytes: [UInt8], data dataSize: Int = 0, length: UInt64? = nil,
    _ kind: SafetensorsError.Kind, tensor: String? = nil
  ) {
    let length = length ?? UInt64(headerBytes.count)
    self.init(
      name,
      raw: withUnsafeBytes(of: length.littleEndian, Array.init) + headerBytes
        + (0..<dataSize).map { UInt8($0 % 251) }, kind, tensor: tensor)
  }

  init(_ name: String, raw: [UInt8], _ kind: SafetensorsError.Kind, tensor: String? = nil) {
    self.name = name
    self.bytes = raw
    self.kind = kind
    self.tensor = tensor
  }
}

/// `"name":{"dtype":…,"shape":…,"data_offsets":…}` with the parts given as JSON text.
private func entry(
  _ name: String, _ dtype: String = #""F32""#, shape: String = "[1]", offsets: String = "[0,4]"
) -> String {
  #""\#(name)":{"dtype":\#(dtype),"shape":\#(shape),"data_offsets":\#(offsets)}"#
}

private let deeplyNested =
  String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)

private let corruptFiles: [CorruptSafetensors] = [
  // Length and header bounds.
  .init("empty file", raw: [], .fileTooShort),
  .init("7 bytes", raw: [8, 0, 0, 0, 0, 0, 0], .fileTooShort),
  .init("header length beyond the file", "{}", length: 100, .headerBeyondFile),
  .init("a header that claims terabytes (2^60)", "{}", length: 1 << 60, .headerTooLarge),
  .init("header length 2^64 - 1", "{}", length: .max, .headerTooLarge),
  .init("one byte over the reference's limit", "{}", length: 100_000_001, .headerTooLarge),
  .init("at the limit but beyond the file", "{}", length: 100_000_000, .headerBeyondFile),
  // UTF-8 and JSON.
  .init(
    "invalid UTF-8 in a name", headerBytes: Array(#"{""#.utf8) + [0xFF] + Array(#"":{}}"#.utf8),
    .invalidUTF8),
  .init(
    "overlong UTF-8 in metadata",
    headerBytes: Array(#"{"__metadata__":{"a":""#.utf8) + [0xC0, 0xAF] + Array(#""}}"#.utf8),
    .invalidUTF8),
  .init(
    "non-ASCII outside a string", headerBytes: [UInt8(ascii: "{"), 0xC3, 0xA9, UInt8(ascii: "}")],
    .invalidJSON),
  .init("empty header", "", .invalidJSON),
  .init("unclosed object", "{", .invalidJSON),
  .init("key without value", #"{"a"}"#, .invalidJSON),
  .init("missing value", #"{"a":}"#, .invalidJSON),
  .init("trailing comma", "{\(entry("a")),}", data: 4, .invalidJSON),
  .init("text after the object", "{} x", .invalidJSON),
  .init("single quotes", "{'a':1}", .invalidJSON),
  .init("bad literal", #"{"__metadata__":nul}"#, .invalidJSON),
  .init("leading zero", entry("a", shape: "[01]").wrappedInBraces, data: 4, .invalidJSON),
  .init("bare minus", entry("a", shape: "[-]").wrappedInBraces, data: 4, .invalidJSON),
  .init(
    "fraction without digits", entry("a", shape: "[1.]").wrappedInBraces, data: 4, .invalidJSON),
  .init("bad escape", #"{"a\x":{}}"#, .invalidJSON),
  .init("lone high surrogate", #"{"\ud800":{}}"#, .invalidJSON),
  .init("lone low surrogate", #"{"\udc00x":{}}"#, .invalidJSON),
  .init("raw control character in a string", "{\"a\u{1}\":{}}", .invalidJSON),
  .init("unterminated string", #"{"abc"#, .invalidJSON),
  .init(
    "nesting 100000 deep in an unknown field", "{\"a\":{\"x\":\(deeplyNested)}}", .invalidJSON,
    tensor: nil),
  // Valid JSON of the wrong form.
  .init("a list", "[1, 2]", .invalidHeader),
  .init("a string", #""{}""#, .invalidHeader),
  .init("a number", "42", .invalidHeader),
  .init("null", "null", .invalidHeader),
  .init("an entry that is a list", #"{"a":[0,4]}"#, .invalidHeader, tensor: "a"),
  .init("an entry that is null", #"{"a":null}"#, .invalidHeader, tensor: "a"),
  .init("no data_offsets", #"{"a":{"dtype":"F32","shape":[1]}}"#, .invalidHeader, tensor: "a"),
  .init(
    "no dtype", #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: 4, .invalidHeader, tensor: "a"),
  .init(
    "dtype twice", #"{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
    data: 4, .invalidHeader, tensor: "a"),
  .init("dtype a number", entry("a", "32").wrappedInBraces, data: 4, .invalidHeader, tensor: "a"),
  // Dtypes.
  .init(
    "unknown dtype", entry("a", #""F33""#).wrappedInBraces, data: 4, .unknownDType, tensor: "a"),
  .init(
    "lowercase dtype", entry("a", #""f32""#).wrappedInBraces, data: 4, .unknownDType, tensor: "a"),
  .init("empty dtype", entry("a", #""""#).wrappedInBraces, data: 4, .unknownDType, tensor: "a"),
  .init(
    "F8_E5M2", entry("a", #""F8_E5M2""#, offsets: "[0,1]").wrappedInBraces, data: 1,
    .unsupportedDType, tensor: "a"),
  .init(
    "F8_E8M0", entry("a", #""F8_E8M0""#, offsets: "[0,1]").wrappedInBraces, data: 1,
    .unsupportedDType, tensor: "a"),
  .init(
    "F4", entry("a", #""F4""#, shape: "[2]", offsets: "[0,1]").wrappedInBraces, data: 1,
    .unsupportedDType, tensor: "a"),
  .init(
    "C64", entry("a", #""C64""#, offsets: "[0,8]").wrappedInBraces, data: 8, .unsupportedDType,
    tensor: "a"),
  // Shapes.
  .init(
    "negative dimension", entry("a", shape: "[-1]").wrappedInBraces, data: 4, .invalidShape,
    tensor: "a"),
  .init(
    "fractional dimension", entry("a", shape: "[1.0]").wrappedInBraces, data: 4, .invalidShape,
    tensor: "a"),
  .init(
    "exponent dimension", entry("a", shape: "[1e0]").wrappedInBraces, data: 4, .invalidShape,
    tensor: "a"),
  .init(
    "string dimension", entry("a", shape: #"["1"]"#).wrappedInBraces, data: 4, .invalidShape,
    tensor: "a"),
  .init(
    "boolean dimension", entry("a", shape: "[true]").wrappedInBraces, data: 4, .invalidShape,
    tensor: "a"),
  .init(
    "nested dimension", entry("a", shape: "[[1]]").wrappedInBraces, data: 4, .invalidShape,
    tensor: "a"),
  .init(
    "shape not a list", entry("a", shape: "1").wrappedInBraces, data: 4, .invalidShape, tensor: "a"),
  .init(
    "dimension beyond Int", entry("a", shape: "[99999999999999999999]").wrappedInBraces, data: 4,
    .invalidShape, tensor: "a"),
  .init(
    "element count overflows", entry("a", shape: "[4294967296,4294967296]").wrappedInBraces,
    data: 4, .invalidShape, tensor: "a"),
  .init(
    "byte count overflows", entry("a", shape: "[4611686018427387904]").wrappedInBraces, data: 4,
    .invalidShape, tensor: "a"),
  // Byte ranges.
  .init(
    "one offset", entry("a", offsets: "[4]").wrappedInBraces, data: 4, .invalidOffsets, tensor: "a"),
  .init(
    "three offsets", entry("a", offsets: "[0,4,8]").wrappedInBraces, data: 4, .invalidOffsets,
    tensor: "a"),
  .init(
    "negative offset", entry("a", offsets: "[-4,0]").wrappedInBraces, data: 4, .invalidOffsets,
    tensor: "a"),
  .init(
    "fractional offset", entry("a", offsets: "[0,4.0]").wrappedInBraces, data: 4, .invalidOffsets,
    tensor: "a"),
  .init(
    "offsets not a list", entry("a", offsets: #""0-4""#).wrappedInBraces, data: 4, .invalidOffsets,
    tensor: "a"),
  .init(
    "end before begin", entry("a", shape: "[0]", offsets: "[4,0]").wrappedInBraces, data: 4,
    .invalidOffsets, tensor: "a"),
  .init(
    "shape × size ≠ byte range", entry("a", shape: "[2]", offsets: "[0,4]").wrappedInBraces,
    data: 4, .sizeMismatch, tensor: "a"),
  .init(
    "range past the end of the file", entry("a", shape: "[2]", offsets: "[0,8]").wrappedInBraces,
    data: 4, .offsetOutOfFile, tensor: "a"),
  .init(
    "a range claiming 4 TB",
    entry("a", shape: "[1099511627776]", offsets: "[0,4398046511104]").wrappedInBraces, data: 4,
    .offsetOutOfFile, tensor: "a"),
  .init(
    "overlapping ranges",
    "{\(entry("a", shape: "[2]", offsets: "[0,8]")),\(entry("b", shape: "[2]", offsets: "[4,12]"))}",
    data: 12, .overlappingData, tensor: "b"),
  .init(
    "one range inside another",
    "{\(entry("a", shape: "[3]", offsets: "[0,12]")),\(entry("b", offsets: "[4,8]"))}", data: 12,
    .overlappingData, tensor: "b"),
  .init(
    "the same range twice", "{\(entry("a")),\(entry("b"))}", data: 4, .overlappingData, tensor: "b"),
  .init(
    "a hole between tensors", "{\(entry("a")),\(entry("b", offsets: "[8,12]"))}", data: 12,
    .gapInData, tensor: "b"),
  .init(
    "a hole before the first tensor", entry("a", offsets: "[4,8]").wrappedInBraces, data: 8,
    .gapInData, tensor: "a"),
  .init("bytes after the last tensor", entry("a").wrappedInBraces, data: 8, .trailingBytes),
  .init("data but no tensors", "{}", data: 4, .trailingBytes),
  // Names and metadata.
  .init(
    "duplicate names", "{\(entry("a")),\(entry("a", offsets: "[4,8]"))}", data: 8, .duplicateName,
    tensor: "a"),
  .init("__metadata__ twice", #"{"__metadata__":{},"__metadata__":{}}"#, .duplicateName),
  .init("metadata value a number", #"{"__metadata__":{"epoch":3}}"#, .invalidMetadata),
  .init("metadata value null", #"{"__metadata__":{"a":null}}"#, .invalidMetadata),
  .init("metadata value a list", #"{"__metadata__":{"a":["x"]}}"#, .invalidMetadata),
  .init("metadata a list", #"{"__metadata__":[]}"#, .invalidMetadata),
  .init("metadata a string", #"{"__metadata__":"pt"}"#, .invalidMetadata),
  .init("metadata key twice", #"{"__metadata__":{"a":"1","a":"2"}}"#, .invalidMetadata),
  // Values.
  .init(
    "a BOOL byte that is not 0 or 1",
    entry("a", #""BOOL""#, shape: "[3]", offsets: "[0,3]").wrappedInBraces, data: 3, .invalidValue,
    tensor: "a"),
]

extension String {
  fileprivate var wrappedInBraces: String { "{\(self)}" }
}

extension SafetensorsTests {
  @Test(arguments: corruptFiles)
  func corruptInputIsRefusedWithATypedError(_ file: CorruptSafetensors) throws {
    let error = #expect(throws: SafetensorsError.self) { try Safetensors.decode(Data(file.bytes)) }
    #expect(error?.kind == file.kind, "\(error.map(String.init(describing:)) ?? "")")
    if let tensor = file.tensor { #expect(error?.tensor == tensor) }
    #expect(error?.path == nil)
  }

  @Test(arguments: corruptFiles)
  func corruptFilesAreRefusedAndLeftAsTheyWere(_ file: CorruptSafetensors) throws {
    try Self.withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("corrupt.safetensors")
      try Data(file.bytes).write(to: url)
      let error = #expect(throws: SafetensorsError.self) { try Safetensors.load(from: url) }
      #expect(error?.kind == file.kind)
      #expect(error?.path == url.path)
      #expect(error?.description.hasPrefix("safetensors: \"\(url.path)\": ") == true)
      #expect(try Data(contentsOf: url) == Data(file.bytes))
    }
  }

  @Test func messagesNameTheProblemTheTensorAndTheByte() throws {
    let header = "{\(entry("w", #""F33""#))}"
    let error = #expect(throws: SafetensorsError.self) {
      try Safetensors.decode(Data(CorruptSafetensors("", header, data: 4, .unknownDType).bytes))
    }
    // The dtype string starts after the 8-byte length and `{"w":{"dtype":`.
    #expect(error?.byteOffset == 8 + 14)
    #expect(
      error?.description.hasPrefix(
        #"safetensors: tensor "w": unknown dtype "F33"; the format defines BOOL, "#) == true)
    let huge = #expect(throws: SafetensorsError.self) {
      try Safetensors.decode(
        Data(CorruptSafetensors("", "{}", length: 1 << 60, .headerTooLarge).bytes))
    }
    #expect(
      huge?.description
        == "safetensors: the header length is 1152921504606846976 bytes, over the limit of 100000000 (the reference implementation's); the file is corrupt or not a safetensors file (at byte 0)"
    )
  }

  @Test func missingFilesAndDirectoriesAreIOErrors() throws {
    try Self.withTemporaryDirectory { directory in
      let missing = #expect(throws: SafetensorsError.self) {
        try Safetensors.load(from: directory.appendingPathComponent("nothing.safetensors"))
      }
      #expect(missing?.kind == .io)
      #expect(missing?.description.contains("No such file or directory") == true)
      let folder = #expect(throws: SafetensorsError.self) { try Safetensors.load(from: directory) }
      #expect(folder?.kind == .io)
    }
  }

  // MARK: Unusual but valid

  @Test func acceptsWhatTheReferenceAccepts() throws {
    let floats: [Float] = [1, 2, 3]
    let data = floats.withUnsafeBytes(Array.init)
    // Header order differs from data order; extra whitespace; unknown fields (nested); null
    // metadata; escaped names; no padding, so the data starts at an odd offset.
    let header = """
      {
        "b": {"data_offsets": [4, 12], "shape": [2], "dtype": "F32", "extra": {"x": [[1, 2.5e-3, true, null, "s"]]}},
        "__metadata__": null,
        "\\u00e9\\ud834\\udd1e\\/": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]},
        "z": {"dtype": "I64", "shape": [0, 5], "data_offsets": [12, 12]}
      }\t\r\n
      """
    let unaligned = header.utf8.count % 2 == 1 ? header : header + " "
    let bytes = CorruptSafetensors("", unaligned, .invalidJSON).bytes + data
    let (tensors, metadata) = try Safetensors.decode(Data(bytes))
    #expect(metadata.isEmpty)
    #expect(tensors.keys == ["é𝄞/", "b", "z"])
    #expect(tensors["é𝄞/"]?.shape == [])
    #expect(tensors["é𝄞/"]?.toFloats() == [1])
    #expect(tensors["b"]?.toFloats() == [2, 3])
    #expect(tensors["z"]?.shape == [0, 5] && tensors["z"]?.dtype == .int64)
  }

  // MARK: Fuzzing

  @Test func everyTruncationIsRefused() throws {
    let bytes = [UInt8](
      try Safetensors.encode(Self.layoutStateDict(), metadata: Self.layoutMetadata))
    for length in 0..<bytes.count {
      #expect(throws: SafetensorsError.self, "length \(length)") {
        try Safetensors.decode(Data(bytes[..<length]))
      }
    }
  }

  @Test func randomCorruptionNeverCrashes() throws {
    let valid = [UInt8](
      try Safetensors.encode(Self.layoutStateDict(), metadata: Self.layoutMetadata))
    var state: UInt64 = 0x5EED
    func next() -> Int {
      // SplitMix64: fixed seed, so a failure repeats.
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
    }
    var refused = 0
    for _ in 0..<3000 {
      var bytes = valid
      for _ in 0..<(1 + next() % 4) {
        let index = next() % bytes.count
        // Mostly the header, where a flip changes meaning; sometimes digits, to move offsets.
        switch next() % 3 {
        case 0: bytes[index] = UInt8(truncatingIfNeeded: next())
        case 1: bytes[index] ^= 1 << UInt8(next() % 8)
        default: bytes[index] = UInt8(ascii: "0") + UInt8(next() % 10)
        }
      }
      do {
        _ = try Safetensors.decode(Data(bytes))
      } catch is SafetensorsError {
        refused += 1
      }
    }
    #expect(refused > 1000)
  }
}
