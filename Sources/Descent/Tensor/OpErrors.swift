import Foundation

// Math errors: PyTorch's RuntimeError for a shape mismatch, an index out of range, a wrong
// dtype. By default they stop the program with a message that names the op and the shapes,
// the Swift way for programmer errors. Inside `withOpErrors { }` they are recorded instead:
// the failing op returns a poisoned placeholder, later ops pass the poison along without
// computing, backward and optimizer steps change nothing, and the scope throws the first
// error at its end, so that a notebook, a server or a hyper-parameter search survives.
//
// Inside the library, code that validates throws `OpError`; each public op runs its body
// through `Tensor.op(…)`, the one boundary that stops or records.

/// A math error in an op, as PyTorch's RuntimeError: which op, PyTorch's message, and the
/// shapes of the op's tensor inputs.
public struct OpError: Error, CustomStringConvertible, Sendable {
  /// The op, as PyTorch names it (`add`, `matmul`, `cross_entropy`).
  public let op: String
  /// PyTorch's message, with the shapes and a fix.
  public let message: String
  /// The shapes of the op's tensor inputs, when the op had any.
  public internal(set) var shapes: [[Int]]

  init(_ op: String, _ message: String, shapes: [[Int]] = []) {
    self.op = op
    self.message = message
    self.shapes = shapes
  }

  /// `op: message`, as the stop message reads.
  public var description: String { "\(op): \(message)" }
}

/// Runs `body`, turning math errors into a thrown `OpError` instead of a stop.
///
/// Inside the scope an op that would stop records the first error and returns a poisoned
/// placeholder (a 0-d NaN tensor); every later op given a poisoned tensor returns poison
/// without computing; `backward()` and `Optimizer.step()` do nothing once an error was
/// recorded. When `body` returns, the first error is thrown. Scopes nest: an error belongs to
/// the innermost one. Errors that `body` throws itself propagate, unless an op error came first.
///
/// ```swift
/// do {
///   try withOpErrors {
///     optimizer.zeroGrad()
///     let loss = criterion(model(x), y)   // a batch of the wrong shape: recorded, not fatal
///     loss.backward()                     // does nothing
///     optimizer.step()                    // does nothing; the model is untouched
///   }
/// } catch let error as OpError {
///   print("skipped a bad batch:", error)
/// }
/// ```
public func withOpErrors<R>(_ body: () throws -> R) throws -> R {
  let scope = OpErrorScope()
  let result: R
  do {
    var state = GradMode.state
    state.opErrors = scope
    result = try GradMode.$state.withValue(state) { try body() }
  } catch {
    if let recorded = scope.firstError { throw recorded }
    throw error
  }
  if let recorded = scope.firstError { throw recorded }
  return result
}

/// The errors of one `withOpErrors` scope. Shared by the tasks inside it, so it locks.
final class OpErrorScope: @unchecked Sendable {
  /// The innermost scope here; it lives in `GradMode.state`, the one task-local an op reads.
  static var current: OpErrorScope? { GradMode.state.opErrors }
  private let lock = NSLock()
  private var first: OpError?

  var firstError: OpError? { lock.withLock { first } }

  /// Records `error` if it is the scope's first.
  func record(_ error: OpError) { lock.withLock { if first == nil { first = error } } }

  /// True inside a scope that has recorded an error: backward and optimizer steps skip.
  static var hasFailed: Bool { current?.firstError != nil }
}

/// Stops the program with a message in PyTorch's style: the op, what was wrong, how to fix it.
/// For the checks that no scope can recover from (a broken invariant, a setting that is not
/// an op); ops throw `OpError` instead.
@inline(never)
func opFailure(_ op: String, _ message: String, file: StaticString = #file, line: UInt = #line)
  -> Never
{
  fatalError("\(op): \(message)", file: file, line: line)
}

/// Shape as PyTorch prints it in messages: `[3, 4]`.
func shapeText(_ shape: [Int]) -> String {
  "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

extension Tensor {
  /// A placeholder for the result of an op that failed inside `withOpErrors`: 0-d, NaN.
  static func poisoned(_ dtype: DType = .float32) -> Tensor {
    let type: DType = dtype.isFloatingPoint ? dtype : .float32
    let value = Tensor(shape: [], scalars: [Double.nan], dtype: type)
    return Tensor(storage: value.storage, shape: [], strides: [], dtype: type, poisoned: true)
  }

  /// What an op does with an error: stops, or inside `withOpErrors` records it (with the
  /// shapes of `inputs`) and returns poison.
  @inline(never)
  static func failed(_ error: OpError, inputs: [Tensor]) -> Tensor {
    var error = error
    if error.shapes.isEmpty { error.shapes = inputs.map(\.shape) }
    guard let scope = OpErrorScope.current else { opFailure(error.op, error.message) }
    scope.record(error)
    return poisoned(inputs.first?.dtype ?? .float32)
  }

  /// The boundary of a one-input op: poison in, poison out; an error stops or is recorded.
  @inline(__always)
  static func op(_ a: Tensor, _ body: () throws(OpError) -> Tensor) -> Tensor {
    if a.isPoisoned { return poisoned(a.dtype) }
    do { return try body() } catch { return failed(error, inputs: [a]) }
  }

  /// The boundary of a two-input op.
  @inline(__always)
  static func op(_ a: Tensor, _ b: Tensor, _ body: () throws(OpError) -> Tensor) -> Tensor {
    if a.isPoisoned || b.isPoisoned { return poisoned(a.dtype) }
    do { return try body() } catch { return failed(error, inputs: [a, b]) }
  }

  /// The boundary of an op with two inputs and an optional third (a bias, a weight).
  @inline(__always)
  static func op(
    _ a: Tensor, _ b: Tensor, _ c: Tensor?, _ body: () throws(OpError) -> Tensor
  ) -> Tensor {
    if a.isPoisoned || b.isPoisoned || c?.isPoisoned == true { return poisoned(a.dtype) }
    do { return try body() } catch {
      return failed(error, inputs: c.map { [a, b, $0] } ?? [a, b])
    }
  }

  /// The boundary of an op with any number of inputs.
  static func op(_ inputs: [Tensor], _ body: () throws(OpError) -> Tensor) -> Tensor {
    if inputs.contains(where: \.isPoisoned) { return poisoned(inputs.first?.dtype ?? .float32) }
    do { return try body() } catch { return failed(error, inputs: inputs) }
  }

  /// The boundary of an op whose result is not one tensor (a pair, a list, a number):
  /// `placeholder` is what it returns when poisoned or failed inside `withOpErrors`.
  static func op<R>(
    _ inputs: [Tensor], placeholder: @autoclosure () -> R, _ body: () throws(OpError) -> R
  ) -> R {
    if inputs.contains(where: \.isPoisoned) { return placeholder() }
    do { return try body() } catch {
      _ = failed(error, inputs: inputs)
      return placeholder()
    }
  }
}

/// Runs checks shared with the ops in a context that is not an op (a layer's initialiser):
/// an error stops, whatever the scope.
func stopping<R>(_ body: () throws(OpError) -> R) -> R {
  do { return try body() } catch { opFailure(error.op, error.message) }
}
