import Foundation
import Testing

@testable import Descent

/// Saving and loading safetensors files: round trips, files PyTorch wrote
/// (Tests/Fixtures/safetensors, made by make_safetensors_fixtures.py), byte identity with the
/// Python writer, and saves that fail without changing anything. Corrupt input is in
/// SafetensorsTests+Corrupt.swift, modules in SafetensorsTests+Modules.swift.
@Suite struct SafetensorsTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/safetensors")

  static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

  /// A fresh directory, removed after `body`.
  static func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("descent-safetensors-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
  }

  /// Same shape, dtype and bits (any NaN equals any NaN).
  static func expectSame(
    _ actual: Tensor?, _ expected: Tensor, _ name: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let actual else {
      Issue.record("missing tensor \(name)", sourceLocation: sourceLocation)
      return
    }
    #expect(actual.shape == expected.shape, "\(name)", sourceLocation: sourceLocation)
    #expect(actual.dtype == expected.dtype, "\(name)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape, actual.dtype == expected.dtype else { return }
    switch expected.dtype {
    case .float32:
      let a = actual.toArray(as: Float.self), e = expected.toArray(as: Float.self)
      #expect(
        zip(a, e).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
        "\(name): \(a) vs \(e)", sourceLocation: sourceLocation)
    case .float64:
      let a = actual.toArray(as: Double.self), e = expected.toArray(as: Double.self)
      #expect(
        zip(a, e).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
        "\(name): \(a) vs \(e)", sourceLocation: sourceLocation)
    case .int64:
      #expect(
        actual.toArray(as: Int64.self) == expected.toArray(as: Int64.self), "\(name)",
        sourceLocation: sourceLocation)
    case .bool:
      #expect(
        actual.toArray(as: Bool.self) == expected.toArray(as: Bool.self), "\(name)",
        sourceLocation: sourceLocation)
    }
  }

  /// Every Descent dtype, 0-d, empty and multi-dimensional, with edge values.
  static func everyDType() -> StateDict {
    [
      "f32": Tensor(
        shape: [2, 3],
        scalars: [Float(1.5), -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude]),
      "f64": Tensor(shape: [3], scalars: [0.1, -.greatestFiniteMagnitude, .leastNonzeroMagnitude]),
      "i64": Tensor(shape: [2, 2], scalars: [Int64.min, Int64.max, 0, -1]),
      "bool": Tensor(shape: [1, 3], scalars: [true, false, true]),
      "f32.scalar": Tensor(shape: [], scalars: [Float(-7.25)]),
      "i64.scalar": Tensor(shape: [], scalars: [Int64(42)]),
      "bool.scalar": Tensor(shape: [], scalars: [true]),
      "f64.empty": Tensor(shape: [0], scalars: [Double]()),
      "i64.empty": Tensor(shape: [2, 0, 3], scalars: [Int64]()),
      "bool.empty": Tensor(shape: [0, 1], scalars: [Bool]()),
      "f32.big": Tensor(shape: [4, 5, 6], scalars: (0..<120).map { Float($0) * 0.5 - 17 }),
    ]
  }

  // MARK: Round trips

  @Test func everyDTypeRoundTripsThroughAFile() throws {
    let dict = Self.everyDType()
    try Self.withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("all.safetensors")
      try Safetensors.save(dict, to: url, metadata: ["epoch": "3"])
      let (loaded, metadata) = try Safetensors.load(from: url)
      #expect(Set(loaded.keys) == Set(dict.keys))
      for (name, tensor) in dict { Self.expectSame(loaded[name], tensor, name) }
      #expect(metadata == ["epoch": "3"])
      // The file is what `encode` produces.
      #expect(try Data(contentsOf: url) == Safetensors.encode(dict, metadata: ["epoch": "3"]))
    }
  }

  @Test func everyDTypeRoundTripsInMemory() throws {
    let dict = Self.everyDType()
    let (loaded, metadata) = try Safetensors.decode(Safetensors.encode(dict))
    for (name, tensor) in dict { Self.expectSame(loaded[name], tensor, name) }
    #expect(metadata.isEmpty)
  }

  @Test func emptyStateDictIsTheReferenceBytes() throws {
    // The reference implementation's own test: `{}` padded to 8 bytes.
    let bytes = try Safetensors.encode(StateDict())
    #expect([UInt8](bytes) == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
    let (loaded, metadata) = try Safetensors.decode(bytes)
    #expect(loaded.count == 0 && metadata.isEmpty)
  }

  @Test func metadataRoundTrips() throws {
    let metadata = [
      "format": "pt", "": "empty key", "empty value": "",
      "quote\"back\\slash": "line\nfeed\ttab\r\u{1}\u{1F}",
      "unicode ünï ☃ 𝄞": "emoji 🙂 and \u{7F}", "json": "{\"lr\": 0.001, \"betas\": [0.9, 0.999]}",
    ]
    let dict: StateDict = ["w": Tensor([1, 2])]
    let (_, loaded) = try Safetensors.decode(Safetensors.encode(dict, metadata: metadata))
    #expect(loaded == metadata)
    // Keys in byte order, so that the file does not depend on dictionary order.
    let header = try Self.headerText(
      Safetensors.encode(["w": Tensor([1])], metadata: ["b": "2", "a": "1", "C": "0"]))
    #expect(header.hasPrefix(#"{"__metadata__":{"C":"0","a":"1","b":"2"},"w":"#))
  }

  @Test func viewsAreWrittenContiguous() throws {
    let base = Tensor.arange(12, dtype: .float32).reshaped(3, 4)
    let dict: StateDict = [
      "transposed": base.T, "row": base[1], "column": base[.all, 2],
    ]
    let (loaded, _) = try Safetensors.decode(Safetensors.encode(dict))
    for (name, tensor) in dict {
      Self.expectSame(loaded[name], tensor.dense(), name)
      #expect(loaded[name]?.isContiguous == true)
    }
    #expect(loaded["transposed"]?.toFloats() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
    #expect(loaded["column"]?.toFloats() == [2, 6, 10])
  }

  @Test func loadedTensorsOwnTheirMemory() throws {
    let source = Tensor([1, 2, 3])
    var bytes = try Safetensors.encode(["x": source])
    let (loaded, _) = try Safetensors.decode(bytes)
    bytes.resetBytes(in: 0..<bytes.count)  // the loaded tensor must not be a view of these
    source.fill_(0)
    #expect(loaded["x"]?.toFloats() == [1, 2, 3])
  }

  // MARK: Files PyTorch wrote

  @Test func loadsEveryDTypePyTorchWrote() throws {
    let (tensors, metadata) = try Safetensors.load(from: Self.fixture("torch_dtypes.safetensors"))
    #expect(metadata == ["format": "pt", "made_by": "make_safetensors_fixtures.py"])
    // Data order: the writer's dtype order (widest first), then names.
    #expect(
      tensors.keys == [
        "u64", "i64", "f64", "empty", "f32", "scalar", "u32", "empty_i32", "i32", "bf16", "f16",
        "u16",
        "i16", "i8", "u8", "bool",
      ])
    let expected: StateDict = [
      "f32": Tensor(
        shape: [2, 3], scalars: [Float(1.5), -2.25, -0.0, Float(1e-40 as Double), .infinity, .nan]),
      "f64": Tensor(shape: [3], scalars: [0.1, -1e300, .leastNonzeroMagnitude]),  // 5e-324
      "i64": Tensor(shape: [4], scalars: [Int64.min, Int64.max, 0, -1]),
      "bool": Tensor(shape: [1, 3], scalars: [true, false, true]),
      // Half types widen exactly to float32: extremes, subnormals, -0, infinities, NaN.
      "f16": Tensor(
        shape: [10],
        scalars: [
          Float(1), -2.5, 65504, 0x1p-24, 0x1p-14, -0.0, .infinity, -.infinity, .nan,
          0.333251953125,
        ]),
      "bf16": Tensor(
        shape: [6],
        scalars: [Float(1), -3.140625, (2 - 0x1p-7) * 0x1p127, 0x1p-133, .infinity, .nan]),
      // Every integer type widens to int64.
      "i32": Tensor(shape: [3], scalars: [Int64(Int32.min), Int64(Int32.max), 7]),
      "i16": Tensor(shape: [2], scalars: [Int64(-32768), 32767]),
      "i8": Tensor(shape: [2], scalars: [Int64(-128), 127]),
      "u8": Tensor(shape: [1, 3], scalars: [Int64(0), 255, 7]),
      "u16": Tensor(shape: [2], scalars: [Int64(65535), 1]),
      "u32": Tensor(shape: [2], scalars: [Int64(4_294_967_295), 2]),
      "u64": Tensor(shape: [2], scalars: [Int64.max, 0]),
      "scalar": Tensor(shape: [], scalars: [Float(2.5)]),
      "empty": Tensor(shape: [0, 4], scalars: [Float]()),
      "empty_i32": Tensor(shape: [2, 0], scalars: [Int64]()),
    ]
    #expect(tensors.count == expected.count)
    for (name, tensor) in expected { Self.expectSame(tensors[name], tensor, name) }
    // The half-precision signs survive: -0 and the NaN's quietness are bit-exact.
    #expect(tensors["f16"]?.toArray(as: Float.self)[5].sign == .minus)
  }

  @Test func aPyTorchModelLoadsAndComputesTheSameOutput() throws {
    let url = Self.fixture("torch_model.safetensors")
    let (_, metadata) = try Safetensors.load(from: url)
    let decoder = JSONDecoder()
    let input = try decoder.decode([[Double]].self, from: Data(metadata["input"]!.utf8))
    let output = try decoder.decode([[Double]].self, from: Data(metadata["output"]!.utf8))
    let net = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
    try net.load(from: url)
    let result = net(Tensor(input)).toDoubles()
    let expected = output.flatMap { $0 }
    #expect(input.count == 2 && output.count == 2 && output.allSatisfy { $0.count == 2 })
    #expect(result.count == expected.count)
    for (actual, expected) in zip(result, expected) {
      #expect(abs(actual - expected) < 1e-6, "\(result) vs \(output)")
    }
  }

  @Test func refusesU64AboveInt64Max() throws {
    let error = #expect(throws: SafetensorsError.self) {
      try Safetensors.load(from: Self.fixture("torch_u64_overflow.safetensors"))
    }
    #expect(error?.kind == .invalidValue)
    #expect(error?.tensor == "big")
    #expect(error?.description.contains("9223372036854775808") == true)
    #expect(error?.byteOffset == 112 - 8)  // the second element, the file's last 8 bytes
  }

  @Test func refusesFloat8WithAClearMessage() throws {
    let error = #expect(throws: SafetensorsError.self) {
      try Safetensors.load(from: Self.fixture("torch_f8.safetensors"))
    }
    #expect(error?.kind == .unsupportedDType)
    #expect(error?.tensor == "w")
    #expect(error?.description.contains("F8_E4M3 is not supported") == true)
    #expect(error?.path?.hasSuffix("torch_f8.safetensors") == true)
  }

  // MARK: Byte identity with the Python writer

  /// `layout_state_dict()` of make_safetensors_fixtures.py.
  static func layoutStateDict() -> StateDict {
    [
      "layer.weight": Tensor([[0.5, -1.0, 1.5], [-2.0, 2.5, -3.0]]),
      "layer.bias": Tensor([0.25, -0.25]),
      "scale": Tensor(0.1, dtype: .float64),
      "steps": Tensor(shape: [3], scalars: [Int64.min, 0, Int64.max]),
      "mask": Tensor(shape: [2, 2], scalars: [true, false, false, true]),
      "empty": Tensor(shape: [0, 3], scalars: [Float]()),
      "ünï.name": Tensor([2.0], dtype: .float64),
    ]
  }
  static let layoutMetadata = ["note": "tab\tquote\" backslash\\ newline\n bell\u{7} é ☃"]

  static func headerText(_ bytes: Data) throws -> String {
    let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    return String(decoding: bytes.dropFirst(8).prefix(length), as: UTF8.self)
  }

  @Test func encodingIsByteIdenticalToThePythonWriter() throws {
    let bytes = try Safetensors.encode(Self.layoutStateDict(), metadata: Self.layoutMetadata)
    // The documented order: metadata first; tensors by dtype (I64, F64, F32, BOOL), then by
    // name; offsets packed; strings escaped as serde_json does; spaces to a multiple of 8.
    let expectedHeader =
      #"{"__metadata__":{"note":"tab\tquote\" backslash\\ newline\n bell\u0007 é ☃"},"#
      + #""steps":{"dtype":"I64","shape":[3],"data_offsets":[0,24]},"#
      + #""scale":{"dtype":"F64","shape":[],"data_offsets":[24,32]},"#
      + #""ünï.name":{"dtype":"F64","shape":[1],"data_offsets":[32,40]},"#
      + #""empty":{"dtype":"F32","shape":[0,3],"data_offsets":[40,40]},"#
      + #""layer.bias":{"dtype":"F32","shape":[2],"data_offsets":[40,48]},"#
      + #""layer.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[48,72]},"#
      + #""mask":{"dtype":"BOOL","shape":[2,2],"data_offsets":[72,76]}}"# + "      "
    #expect(try Self.headerText(bytes) == expectedHeader)
    #expect(bytes.count == 8 + expectedHeader.utf8.count + 76)
    let reference = try Data(contentsOf: Self.fixture("descent_layout.safetensors"))
    #expect(bytes == reference)
  }

  // MARK: Saving changes nothing when it fails

  static func temporaryFiles(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
      $0.hasSuffix(".tmp")
    }
  }

  @Test func aFailedSaveLeavesThePreviousFileAndNoTemporaryFile() throws {
    try Self.withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("model.safetensors")
      try Safetensors.save(["old": Tensor([1, 2])], to: url)
      let before = try Data(contentsOf: url)
      struct Interrupted: Error {}
      var sawTemporary = false
      #expect(throws: Interrupted.self) {
        try Safetensors.save(["new": Tensor([3, 4, 5])], to: url, metadata: [:]) { temporary in
          // The new file is complete and synced at this point, next to the target.
          sawTemporary = FileManager.default.fileExists(atPath: temporary)
          #expect(temporary.hasPrefix(directory.path + "/."))
          throw Interrupted()
        }
      }
      #expect(sawTemporary)
      #expect(try Data(contentsOf: url) == before)
      #expect(try Self.temporaryFiles(in: directory).isEmpty)
    }
  }

  @Test func savingIntoADirectoryThatIsGoneFailsCleanly() throws {
    try Self.withTemporaryDirectory { directory in
      let gone = directory.appendingPathComponent("gone")
      try FileManager.default.createDirectory(at: gone, withIntermediateDirectories: false)
      let url = gone.appendingPathComponent("model.safetensors")
      // The directory disappears after the data is written, before the rename.
      let error = #expect(throws: SafetensorsError.self) {
        try Safetensors.save(["w": Tensor([1])], to: url, metadata: [:]) { temporary in
          try FileManager.default.removeItem(atPath: temporary)
          try FileManager.default.removeItem(at: gone)
        }
      }
      #expect(error?.kind == .io)
      #expect(error?.path == url.path)
      // And one that never existed.
      let missing = directory.appendingPathComponent("missing/model.safetensors")
      let second = #expect(throws: SafetensorsError.self) {
        try Safetensors.save(["w": Tensor([1])], to: missing)
      }
      #expect(second?.kind == .io)
      #expect(second?.description.contains("No such file or directory") == true)
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
  }

  @Test func savingOverADirectoryFailsAndRemovesTheTemporaryFile() throws {
    try Self.withTemporaryDirectory { directory in
      let target = directory.appendingPathComponent("taken.safetensors")
      try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
      let error = #expect(throws: SafetensorsError.self) {
        try Safetensors.save(["w": Tensor([1])], to: target)
      }
      #expect(error?.kind == .io)
      #expect(try Self.temporaryFiles(in: directory).isEmpty)
      var isDirectory: ObjCBool = false
      #expect(
        FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory)
          && isDirectory.boolValue)
    }
  }

  @Test func aTensorNamedMetadataIsRefusedBeforeTheDiskIsTouched() throws {
    try Self.withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("model.safetensors")
      try Safetensors.save(["old": Tensor([1])], to: url)
      let before = try Data(contentsOf: url)
      let error = #expect(throws: SafetensorsError.self) {
        try Safetensors.save(["__metadata__": Tensor([1])], to: url)
      }
      #expect(error?.kind == .invalidName)
      #expect(try Data(contentsOf: url) == before)
      #expect(
        try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"]
      )
    }
  }

  @Test func replacingAFileKeepsItsPermissions() throws {
    try Self.withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("model.safetensors")
      try Safetensors.save(["w": Tensor([1])], to: url)
      try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: url.path)
      try Safetensors.save(["w": Tensor([2])], to: url)
      let permissions =
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
      #expect(permissions == 0o640)
      #expect(try Safetensors.load(from: url).tensors["w"]?.toFloats() == [2])
    }
  }
}
