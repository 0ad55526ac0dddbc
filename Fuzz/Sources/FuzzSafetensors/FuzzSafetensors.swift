// libFuzzer target for `Safetensors.decode`: the reader of untrusted model files.
//
// For every input:
// - decoding either succeeds or throws `SafetensorsError` (anything else is a bug), and the
//   `Data` and raw-buffer entry points agree;
// - a thrown error's byte offset lies inside the input, and its description can be built;
// - a success allocates only what the input holds: at most one element per input byte;
// - a success survives a round trip: encoding the tensors and metadata and decoding the result
//   gives the same names, dtypes, shapes, values (bit for bit, any NaN matching any NaN) and
//   metadata, and encoding that again gives the very same bytes (the writer's form is a fixed
//   point).
//
// A broken invariant calls `fatalError`, which libFuzzer reports as a crash with the input.
//
// The known bug (see Fuzz/README.md) is stepped around so that fuzzing can go on past it; set
// FUZZ_KNOWN_BUGS=1 to run into it instead, for instance to check a fix.
import Descent
import Foundation

private let stepAroundKnownBugs = ProcessInfo.processInfo.environment["FUZZ_KNOWN_BUGS"] != "1"
/// FUZZ_VERBOSE=1 prints each input's outcome (for triage: `FuzzSafetensors FILES…`).
private let verbose = ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] == "1"
/// FUZZ_CRASH_ON=TEXT stops on an outcome containing TEXT, so that `-minimize_crash=1` can shrink
/// an input while it keeps its outcome (how the regression tests' inputs were made small).
private let crashOn = ProcessInfo.processInfo.environment["FUZZ_CRASH_ON"]

private func report(_ outcome: @autoclosure () -> String) {
  guard verbose || crashOn != nil else { return }
  let text = outcome()
  if verbose { print("OUTCOME \(text)") }
  if let crashOn, text.contains(crashOn) { fatalError("FUZZ_CRASH_ON: \(text)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if stepAroundKnownBugs && hitsZeroSizeStrideOverflow(bytes) { return 0 }
  let decoded: (tensors: StateDict, metadata: [String: String])
  do {
    decoded = try Safetensors.decode(bytes)
  } catch let error as SafetensorsError {
    report("error \(error.kind)")
    checkError(error, size: size)
    // The `Data` entry point must refuse the same input with the same error.
    do {
      _ = try Safetensors.decode(Data(bytes))
      fatalError(
        "decode(Data) accepted an input that decode(UnsafeRawBufferPointer) refused with \(error)")
    } catch let again as SafetensorsError {
      guard again == error else {
        fatalError("decode(Data) threw \(again), decode(buffer) threw \(error)")
      }
    } catch {
      fatalError("decode(Data) threw \(type(of: error)), not SafetensorsError: \(error)")
    }
    return 0
  } catch {
    fatalError("decode threw \(type(of: error)), not SafetensorsError: \(error)")
  }

  report(
    "ok \(decoded.tensors.count) tensors, \(decoded.metadata.count) metadata: "
      + decoded.tensors.map { "\($0.value.dtype)\($0.value.shape)" }.joined(separator: " "))
  // What was allocated is bounded by what the input holds: each element takes at least a byte.
  var elements = 0
  for (name, tensor) in decoded.tensors {
    guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
      fatalError("tensor \(name): negative dimension in \(tensor.shape)")
    }
    guard tensor.count == tensor.shape.reduce(1, *), tensor.isContiguous else {
      fatalError(
        "tensor \(name): count \(tensor.count) or layout does not match shape \(tensor.shape)")
    }
    elements += tensor.count
  }
  guard elements <= size else { fatalError("decoded \(elements) elements from \(size) bytes") }

  // Round trip through the writer.
  let encoded: Data
  do {
    encoded = try Safetensors.encode(decoded.tensors, metadata: decoded.metadata)
  } catch {
    fatalError("encode of a decoded file threw \(error)")
  }
  let again: (tensors: StateDict, metadata: [String: String])
  do {
    again = try Safetensors.decode(encoded)
  } catch {
    fatalError("decoding what encode wrote threw \(error)")
  }
  checkEqual(decoded, again)
  do {
    let reencoded = try Safetensors.encode(again.tensors, metadata: again.metadata)
    guard reencoded == encoded else {
      fatalError(
        "encode(decode(encode(x))) differs from encode(x): \(reencoded.count) vs \(encoded.count) bytes"
      )
    }
  } catch {
    fatalError("second encode threw \(error)")
  }
  return 0
}

/// Known bug 1: a shape with a zero dimension has no elements, so the reader's element-count
/// check passes, but the dimensions right of the zero may multiply past `Int`
/// (`"shape":[0,4611686018427387904,4]`). `Tensor.contiguousStrides` trapped on it when the
/// tensor was made; since it wraps, decoding succeeds, but `Tensor.isContiguous` (so `dense()`,
/// `toArray`, `Safetensors.encode`) still traps on the tensor decoded.
/// True when the header (read with Foundation's JSON parser) has such a shape.
private func hitsZeroSizeStrideOverflow(_ bytes: UnsafeRawBufferPointer) -> Bool {
  guard bytes.count >= 8 else { return false }
  let length = bytes.loadUnaligned(as: UInt64.self).littleEndian
  guard length <= UInt64(bytes.count - 8) else { return false }
  let header = Data(bytes[8..<8 + Int(length)])
  guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
    return false
  }
  for case let entry as [String: Any] in object.values {
    guard let shape = entry["shape"] as? [Any] else { continue }
    var step = 1
    for dimension in shape.reversed() {
      guard let number = dimension as? NSNumber,
        let value = Int(exactly: number.doubleValue) ?? Int(number.stringValue)
      else { break }
      if value == 0 { break }
      let (product, overflow) = step.multipliedReportingOverflow(by: value)
      if overflow { return shape.contains { ($0 as? NSNumber)?.intValue == 0 } }
      step = product
    }
  }
  return false
}

private func checkError(_ error: SafetensorsError, size: Int) {
  if let offset = error.byteOffset, offset < 0 || offset > size {
    fatalError("error offset \(offset) outside the \(size)-byte input: \(error)")
  }
  guard error.kind != .io, error.path == nil else {
    fatalError("an in-memory decode reported a file: \(error)")
  }
  _ = error.description
}

private func checkEqual(
  _ a: (tensors: StateDict, metadata: [String: String]),
  _ b: (tensors: StateDict, metadata: [String: String])
) {
  guard a.metadata == b.metadata else {
    fatalError("metadata changed in a round trip: \(a.metadata) → \(b.metadata)")
  }
  guard a.tensors.count == b.tensors.count, Set(a.tensors.keys) == Set(b.tensors.keys) else {
    fatalError("names changed in a round trip: \(a.tensors.keys) → \(b.tensors.keys)")
  }
  for (name, x) in a.tensors {
    let y = b.tensors[name]!
    guard x.dtype == y.dtype, x.shape == y.shape else {
      fatalError(
        "tensor \(name): \(x.dtype) \(x.shape) became \(y.dtype) \(y.shape) in a round trip")
    }
    let same: Bool
    switch x.dtype {
    case .float32:
      same = zip(x.toArray(as: Float.self), y.toArray(as: Float.self)).allSatisfy {
        $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN)
      }
    case .float64:
      same = zip(x.toArray(as: Double.self), y.toArray(as: Double.self)).allSatisfy {
        $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN)
      }
    case .int64: same = x.toArray(as: Int64.self) == y.toArray(as: Int64.self)
    case .bool: same = x.toArray(as: Bool.self) == y.toArray(as: Bool.self)
    }
    guard same else { fatalError("tensor \(name): values changed in a round trip") }
  }
}
