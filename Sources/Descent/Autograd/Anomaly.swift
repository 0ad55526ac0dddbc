import Foundation

/// Anomaly detection, like `torch.autograd.set_detect_anomaly`: inside `detectAnomaly { }`
/// every recorded op checks its output, and every backward step its gradients, for NaN and
/// infinity; the first one found is reported with the op's name and shapes.

/// The first non-finite value found inside `detectAnomaly`.
public struct AnomalyError: Error, CustomStringConvertible, Sendable {
  /// Forward (the op's result) or backward (a gradient the node produced).
  public enum Phase: String, Sendable {
    /// In the result of an op, as it was recorded.
    case forward
    /// In a gradient a backward node produced.
    case backward
  }
  /// The op: its backward node's name, `MulBackward0` for a multiplication.
  public let op: String
  /// Whether the value appeared in the forward pass or in a gradient.
  public let phase: Phase
  /// Shapes of the op's inputs (forward) or of its incoming gradient (backward).
  public let inputShapes: [[Int]]
  /// Shape of the offending tensor.
  public let shape: [Int]
  /// "nan" or "inf".
  public let kind: String
  /// For backward: which of the node's outputs (its inputs' gradients) held the value.
  public let outputIndex: Int?

  /// A readable description, as `print` shows it.
  public var description: String {
    let shapes = inputShapes.map(shapeText).joined(separator: ", ")
    switch phase {
    case .forward:
      return
        "Function '\(op)' produced \(kind) values in its forward result of shape \(shapeText(shape)) (inputs \(shapes)). Check the inputs of this op; a learning rate that is too large is the usual cause of values that blow up."
    case .backward:
      return
        "Function '\(op)' returned \(kind) values in its \(outputIndex ?? 0)th output (gradient of shape \(shapeText(shape)); incoming gradient \(shapes)). A learning rate that is too large is the usual cause."
    }
  }
}

/// Collects the first anomaly of a `detectAnomaly` scope. Shared by the tasks and threads
/// inside the scope, so it locks.
final class AnomalyRecorder: @unchecked Sendable {
  private let lock = NSLock()
  private var first: AnomalyError?

  var anomaly: AnomalyError? { lock.withLock { first } }

  private func note(_ error: AnomalyError) {
    lock.withLock { if first == nil { first = error } }
  }

  func checkForward(_ op: String, _ out: Tensor, _ inputs: [Tensor]) {
    guard let kind = nonFiniteKind(out) else { return }
    note(
      AnomalyError(
        op: op, phase: .forward, inputShapes: inputs.map(\.shape), shape: out.shape, kind: kind,
        outputIndex: nil))
  }

  func checkBackward(_ op: String, _ incoming: Tensor, _ gradients: [Tensor?]) {
    for (index, gradient) in gradients.enumerated() {
      guard let gradient, let kind = nonFiniteKind(gradient) else { continue }
      note(
        AnomalyError(
          op: op, phase: .backward, inputShapes: [incoming.shape], shape: gradient.shape,
          kind: kind, outputIndex: index))
      return
    }
  }
}

/// "nan" or "inf" when a floating tensor holds such a value, else nil.
private func nonFiniteKind(_ tensor: Tensor) -> String? {
  guard tensor.dtype.isFloatingPoint else { return nil }
  let values = tensor.toDoubles()
  if values.contains(where: { $0.isNaN }) { return "nan" }
  if values.contains(where: { $0.isInfinite }) { return "inf" }
  return nil
}

/// Runs `body` with anomaly detection on, then throws the first anomaly it saw, if any
/// (`torch.autograd.detect_anomaly()`). Checking every op costs time: use it to find a bug,
/// not in every run.
@discardableResult
public func detectAnomaly<R>(_ body: () throws -> R) throws -> R {
  let recorder = AnomalyRecorder()
  var state = GradMode.state
  state.anomalies = recorder
  let result = try GradMode.$state.withValue(state) { try body() }
  if let anomaly = recorder.anomaly { throw anomaly }
  return result
}

/// Throws the first anomaly seen so far in the enclosing `detectAnomaly` scope, to stop a
/// training loop at the epoch it happened (nothing outside such a scope).
public func checkAnomaly() throws {
  if let anomaly = GradMode.state.anomalies?.anomaly { throw anomaly }
}

/// A training loss that stopped being a finite number.
public struct DivergenceError: Error, CustomStringConvertible, Sendable {
  /// The epoch whose loss was not finite.
  public let epoch: Int
  /// The loss of that epoch: NaN or an infinity.
  public let loss: Double
  /// The learning rate in use then, when known.
  public let learningRate: Double?

  /// A readable description, as `print` shows it.
  public var description: String {
    let rate = learningRate.map { " (learning rate \($0))" } ?? ""
    return
      "training diverged: the loss became \(loss) at epoch \(epoch)\(rate). The learning rate is the usual cause: try one ten times smaller."
  }
}

/// Throws `DivergenceError` when `loss` is NaN or infinite, naming the epoch and the usual
/// cause, so that a training loop stops at the first bad epoch.
public func ensureFinite(_ loss: Tensor, epoch: Int, learningRate: Double? = nil) throws {
  let value = loss.item()
  guard value.isFinite else {
    throw DivergenceError(epoch: epoch, loss: value, learningRate: learningRate)
  }
}
