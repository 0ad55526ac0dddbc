import Foundation
import Testing

@testable import Descent

// Decoding of Tests/Fixtures/ops.json (format: Tests/Fixtures/README.md) and the tolerant
// comparison of Descent's tensors with PyTorch's values.

/// A tensor recorded by make_op_fixtures.py: shape, dtype and row-major data.
struct OpFixtureTensor: Decodable, Sendable {
  enum Values: Sendable {
    case floating([Double])
    case integer([Int64])
    case boolean([Bool])
  }

  let shape: [Int]
  let dtype: DType
  let values: Values
  let requiresGrad: Bool

  private enum Keys: String, CodingKey { case shape, dtype, data, requires_grad }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    shape = try c.decode([Int].self, forKey: .shape)
    requiresGrad = try c.decodeIfPresent(Bool.self, forKey: .requires_grad) ?? false
    // JSONDecoder reads doubles exactly (the shortest repr of each value round-trips), and
    // int64 data as Int64 so that no value passes through Double.
    switch try c.decode(String.self, forKey: .dtype) {
    case "float32":
      dtype = .float32
      values = .floating(try c.decode([Double].self, forKey: .data))
    case "float64":
      dtype = .float64
      values = .floating(try c.decode([Double].self, forKey: .data))
    case "int64":
      dtype = .int64
      values = .integer(try c.decode([Int64].self, forKey: .data))
    case "bool":
      dtype = .bool
      values = .boolean(try c.decode([Bool].self, forKey: .data))
    case let other:
      throw DecodingError.dataCorruptedError(
        forKey: .dtype, in: c, debugDescription: "unknown dtype \(other)")
    }
  }

  /// A new leaf tensor holding these values, requiring grad when the case says so.
  func makeTensor() -> Tensor {
    switch values {
    case .floating(let v) where dtype == .float32:
      return Tensor(shape: shape, scalars: v.map { Float($0) }, requiresGrad: requiresGrad)
    case .floating(let v):
      return Tensor(shape: shape, scalars: v, requiresGrad: requiresGrad)
    case .integer(let v):
      return Tensor(shape: shape, scalars: v)
    case .boolean(let v):
      return Tensor(shape: shape, scalars: v)
    }
  }
}

/// One value of a case's `args`. Numbers keep Python's int-versus-float distinction (`2` vs
/// `2.0`), which decides PyTorch's type promotion.
enum OpFixtureArg: Sendable, Equatable, CustomStringConvertible {
  case int(Int)
  case float(Double)
  case bool(Bool)
  case ints([Int])
  case string(String)
  case null

  var description: String {
    switch self {
    case .int(let i): return "\(i)"
    case .float(let d): return "\(d) (float)"
    case .bool(let b): return "\(b)"
    case .ints(let list): return "\(list)"
    case .string(let s): return "\"\(s)\""
    case .null: return "null"
    }
  }
}

/// JSONDecoder's view of an argument. It cannot tell `2` from `2.0` (both decode as Int), so
/// every number is read as `.float` here and `OpFixtureFile.load` re-labels the integer
/// literals using JSONSerialization.
private struct DecodedArg: Decodable {
  let value: OpFixtureArg
  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      value = .null
    } else if let b = try? c.decode(Bool.self) {
      value = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      value = .float(d)
    } else if let list = try? c.decode([Int].self) {
      value = .ints(list)
    } else {
      value = .string(try c.decode(String.self))
    }
  }
}

/// Whether a number parsed by JSONSerialization was written with a fraction or exponent. On
/// Linux, Foundation gives an integer literal an integral `objCType` ("i", "q", …), a decimal
/// one "d", or an NSDecimalNumber when it has many digits (whose `doubleValue` is not exact,
/// hence JSONDecoder for the values themselves).
private func isFloatLiteral(_ number: NSNumber) -> Bool {
  if number is NSDecimalNumber { return true }
  let type = String(cString: number.objCType)
  return type == "d" || type == "f"
}

/// One case: an op, its arguments and inputs, and what PyTorch computed.
struct OpFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let op: String
  fileprivate(set) var args: [String: OpFixtureArg]
  let inputs: [OpFixtureTensor]
  let output: OpFixtureTensor
  let outputIndices: OpFixtureTensor?
  let gradOutput: OpFixtureTensor?
  let grads: [OpFixtureTensor?]

  var testDescription: String { name }

  private enum Keys: String, CodingKey {
    case name, op, args, inputs, output, output_indices, grad_output, grads
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    name = try c.decode(String.self, forKey: .name)
    op = try c.decode(String.self, forKey: .op)
    args = try c.decode([String: DecodedArg].self, forKey: .args).mapValues(\.value)
    inputs = try c.decode([OpFixtureTensor].self, forKey: .inputs)
    output = try c.decode(OpFixtureTensor.self, forKey: .output)
    outputIndices = try c.decodeIfPresent(OpFixtureTensor.self, forKey: .output_indices)
    gradOutput = try c.decodeIfPresent(OpFixtureTensor.self, forKey: .grad_output)
    grads = try c.decode([OpFixtureTensor?].self, forKey: .grads)
  }
}

/// A required argument was missing or of the wrong kind.
struct OpFixtureError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

extension OpFixtureCase {
  private func arg(_ key: String) throws -> OpFixtureArg {
    guard let value = args[key] else { throw OpFixtureError("missing argument '\(key)'") }
    return value
  }
  func has(_ key: String) -> Bool { args[key] != nil && args[key] != .null }

  func int(_ key: String) throws -> Int {
    guard case .int(let i) = try arg(key) else {
      throw OpFixtureError("argument '\(key)' = \(try arg(key)), expected an integer")
    }
    return i
  }
  func int(_ key: String, default value: Int) throws -> Int { has(key) ? try int(key) : value }

  func bool(_ key: String, default value: Bool = false) throws -> Bool {
    guard has(key) else { return value }
    guard case .bool(let b) = try arg(key) else {
      throw OpFixtureError("argument '\(key)' = \(try arg(key)), expected a bool")
    }
    return b
  }

  func ints(_ key: String) throws -> [Int] {
    guard case .ints(let list) = try arg(key) else {
      throw OpFixtureError("argument '\(key)' = \(try arg(key)), expected a list of integers")
    }
    return list
  }

  func string(_ key: String) throws -> String {
    guard case .string(let s) = try arg(key) else {
      throw OpFixtureError("argument '\(key)' = \(try arg(key)), expected a string")
    }
    return s
  }

  /// A number argument as Python wrote it: `(value, isFloat)`.
  func number(_ key: String) throws -> (value: Double, isFloat: Bool) {
    switch try arg(key) {
    case .int(let i): return (Double(i), false)
    case .float(let d): return (d, true)
    case let other: throw OpFixtureError("argument '\(key)' = \(other), expected a number")
    }
  }
  func optionalNumber(_ key: String) throws -> Double? { has(key) ? try number(key).value : nil }
}

/// The whole fixture file.
struct OpFixtureFile: Decodable, Sendable {
  let torch_version: String
  var cases: [OpFixtureCase]

  static let url = url(named: "ops.json")

  /// A fixture file of this format in Tests/Fixtures (ops.json, vocabulary.json).
  static func url(named name: String) -> URL {
    URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/\(name)")
  }

  static func load() throws -> OpFixtureFile { try load(from: url) }

  /// Reads a file of cases. Non-finite floats (vocabulary.json's NaN inputs, a -inf mask
  /// value) are written as the strings "nan", "inf" and "-inf", in data and arguments.
  static func load(from url: URL) throws -> OpFixtureFile {
    let data = try Data(contentsOf: url)
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    var file = try decoder.decode(OpFixtureFile.self, from: data)
    // Second pass, for the int-versus-float label of number arguments only.
    guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
      let raw = root["cases"] as? [[String: Any]], raw.count == file.cases.count
    else { throw OpFixtureError("\(url.lastPathComponent): unexpected layout") }
    for (index, object) in raw.enumerated() {
      guard let args = object["args"] as? [String: Any] else { continue }
      for (key, value) in args {
        guard case .float(let d)? = file.cases[index].args[key], let number = value as? NSNumber,
          !isFloatLiteral(number)
        else { continue }
        guard let whole = Int(exactly: d) else {
          throw OpFixtureError("\(file.cases[index].name): integer argument '\(key)' = \(d)")
        }
        file.cases[index].args[key] = .int(whole)
      }
    }
    return file
  }

  /// Loaded once; a broken file fails `fixtureLoads` rather than crashing test discovery.
  static let loaded: Result<OpFixtureFile, any Error> = Result { try load() }
}

// MARK: - Running a case

/// Runs one case through `run` (the op applied to fresh leaves made from the case's inputs,
/// returning the output and, for ops that give them, indices) and returns what differed from
/// PyTorch: output, indices, and each input's gradient after `backward(gradient:)` with the
/// recorded upstream gradient. Empty when everything agrees.
func opFixtureProblems(
  _ c: OpFixtureCase, _ run: (OpFixtureCase, [Tensor]) throws -> (output: Tensor, indices: Tensor?)
) -> [String] {
  let inputs = c.inputs.map { $0.makeTensor() }
  let result: (output: Tensor, indices: Tensor?)
  do {
    result = try run(c, inputs)
  } catch {
    return ["\(error)"]
  }
  let output = result.output
  var problems = opFixtureMismatches(output, c.output, "output")
  if let expected = c.outputIndices {
    if let indices = result.indices {
      problems += opFixtureMismatches(indices, expected, "indices")
    } else {
      problems.append("PyTorch returns indices, the Descent call gave none")
    }
  }

  guard let gradOutput = c.gradOutput else {
    if output.requiresGrad && output.dtype.isFloatingPoint
      && c.inputs.contains(where: \.requiresGrad)
    {
      problems.append("output requires grad but PyTorch recorded no gradient")
    }
    return problems
  }
  // backward(gradient:) stops the process on a shape mismatch or a graph-less output.
  guard output.shape == gradOutput.shape else {
    return problems + ["backward skipped: the output's shape differs from grad_output's"]
  }
  guard output.requiresGrad else {
    return problems + ["output does not require grad, PyTorch's does (grad_fn missing)"]
  }
  output.backward(gradient: gradOutput.makeTensor())
  for (index, (input, expected)) in zip(inputs, c.grads).enumerated() {
    switch (input.grad, expected) {
    case (nil, nil): break
    case (let grad?, let expected?):
      problems += opFixtureMismatches(grad, expected, "grad of input \(index)")
    case (nil, _?):
      problems.append("grad of input \(index): nil, PyTorch has one")
    case (_?, nil):
      problems.append("grad of input \(index): set, PyTorch has none")
    }
  }
  return problems
}

// MARK: - Comparison

/// Where `actual` differs from `expected`: dtype, shape, or values (float32 within 1e-5
/// relative + 1e-6 absolute, float64 within 1e-9 relative + 1e-12 absolute, int64 and bool
/// exactly, NaN equal to NaN). Empty when they agree.
func opFixtureMismatches(_ actual: Tensor, _ expected: OpFixtureTensor, _ what: String) -> [String]
{
  if actual.dtype != expected.dtype {
    return ["\(what): dtype \(actual.dtype), PyTorch has \(expected.dtype)"]
  }
  if actual.shape != expected.shape {
    return ["\(what): shape \(actual.shape), PyTorch has \(expected.shape)"]
  }
  var bad: [String] = []
  var count = 0
  func note(_ index: Int, _ got: String, _ want: String) {
    count += 1
    if bad.count < 6 { bad.append("[\(index)] \(got) vs \(want)") }
  }
  switch expected.values {
  case .floating(let want):
    let (relative, absolute) = expected.dtype == .float32 ? (1e-5, 1e-6) : (1e-9, 1e-12)
    for (i, (g, w)) in zip(actual.toDoubles(), want).enumerated() {
      let same =
        g.isNaN ? w.isNaN : Swift.abs(g - w) <= relative * Swift.abs(w) + absolute || g == w
      if !same { note(i, "\(g)", "\(w)") }
    }
  case .integer(let want):
    for (i, (g, w)) in zip(actual.toArray(as: Int64.self), want).enumerated() where g != w {
      note(i, "\(g)", "\(w)")
    }
  case .boolean(let want):
    for (i, (g, w)) in zip(actual.toArray(as: Bool.self), want).enumerated() where g != w {
      note(i, "\(g)", "\(w)")
    }
  }
  guard count > 0 else { return [] }
  let more = count > bad.count ? ", …" : ""
  return [
    "\(what): \(count) of \(actual.count) elements differ (Descent vs PyTorch): "
      + bad.joined(separator: ", ") + more
  ]
}
