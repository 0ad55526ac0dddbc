import Foundation
import Testing

@testable import Descent

/// Modules saved and loaded as safetensors, and the files check_descent_safetensors.py reads.
extension SafetensorsTests {
  // MARK: Modules

  @Test func moduleSaveAndLoadRoundTrip() throws {
    try Self.withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("net.safetensors")
      let source = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
      try source.save(to: url, metadata: ["epoch": "1"])
      let target = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
      try target.load(from: url)
      for (name, tensor) in source.stateDict() {
        Self.expectSame(target.stateDict()[name], tensor, name)
      }
    }
  }

  @Test func moduleLoadOfAMismatchedOrCorruptFileChangesNothing() throws {
    try Self.withTemporaryDirectory { directory in
      let net = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
      let before = net.stateDict().map { ($0.key, $0.value.toFloats()) }
      func unchanged() -> Bool {
        zip(net.stateDict(), before).allSatisfy { $0.key == $1.0 && $0.value.toFloats() == $1.1 }
      }
      // Right keys, one wrong shape: all the other tensors would fit, yet none is copied.
      let wrongShape = directory.appendingPathComponent("shape.safetensors")
      var dict = StateDict(net.stateDict().map { ($0.key, $0.value.dense() * 0 + 9) })
      dict["2.bias"] = Tensor([1, 2, 3])
      try Safetensors.save(dict, to: wrongShape)
      let error = #expect(throws: StateDictError.self) { try net.load(from: wrongShape) }
      #expect(error?.shapeMismatches.map(\.key) == ["2.bias"])
      #expect(unchanged())
      // A missing key.
      let missing = directory.appendingPathComponent("missing.safetensors")
      dict["2.bias"] = nil
      try Safetensors.save(dict, to: missing)
      #expect(throws: StateDictError.self) { try net.load(from: missing) }
      #expect(unchanged())
      // A file cut short.
      let truncated = directory.appendingPathComponent("truncated.safetensors")
      try Safetensors.encode(net.stateDict()).dropLast(4).write(to: truncated)
      let corrupt = #expect(throws: SafetensorsError.self) { try net.load(from: truncated) }
      #expect(corrupt?.kind == .offsetOutOfFile)
      #expect(unchanged())
      // Non-strict loading accepts the missing key and copies the rest.
      try net.load(from: missing, strict: false)
      #expect(net.stateDict()["0.weight"]?.toFloats().allSatisfy { $0 == 9 } == true)
    }
  }

  // MARK: Files for check_descent_safetensors.py

  /// Writes the files that Tests/Fixtures/check_descent_safetensors.py loads into PyTorch, when
  /// DESCENT_SAFETENSORS_EXPORT names a directory (the tests themselves never need Python).
  @Test(
    .enabled(
      if: ProcessInfo.processInfo.environment["DESCENT_SAFETENSORS_EXPORT"] != nil,
      "writes files for check_descent_safetensors.py only when DESCENT_SAFETENSORS_EXPORT names a directory"
    ))
  func exportFilesForPyTorch() throws {
    let directory = URL(
      fileURLWithPath: ProcessInfo.processInfo.environment["DESCENT_SAFETENSORS_EXPORT"]!)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
    try Safetensors.save(
      Self.layoutStateDict(), to: url("descent_layout.safetensors"), metadata: Self.layoutMetadata)
    // PyTorch → Descent → PyTorch: the model, and every dtype (widened as Descent loads them).
    let (model, modelMetadata) = try Safetensors.load(from: Self.fixture("torch_model.safetensors"))
    let net = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
    try net.loadStateDict(model)
    try net.save(to: url("descent_model.safetensors"), metadata: modelMetadata)
    let (dtypes, dtypesMetadata) = try Safetensors.load(
      from: Self.fixture("torch_dtypes.safetensors"))
    try Safetensors.save(dtypes, to: url("descent_dtypes.safetensors"), metadata: dtypesMetadata)
    let base = Tensor.arange(12, dtype: .float32).reshaped(3, 4)
    try Safetensors.save(
      ["transposed": base.T, "row": base[1], "column": base[.all, 2]],
      to: url("descent_views.safetensors"))
  }
}
