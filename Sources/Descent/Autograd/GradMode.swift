/// Whether ops record the backward graph. Task-local, so `noGrad` in one thread or task never
/// switches gradients off in another.
///
/// Grad mode and anomaly detection share one task-local value, so that the hot path reads a
/// single task-local per op.
enum GradMode {
  struct State: Sendable {
    var gradEnabled = true
    /// The rarely set scopes, behind one reference: every op reads (copies) this state, and
    /// one optional reference copies as cheaply as a flag.
    var scopes: Scopes?

    /// Set inside `detectAnomaly { }`: where recorded ops report non-finite values.
    var anomalies: AnomalyRecorder? {
      get { scopes?.anomalies }
      set { scopes = Scopes(newValue, opErrors, backwardRun) }
    }
    /// Set inside `withOpErrors { }`: where ops record errors instead of stopping.
    var opErrors: OpErrorScope? {
      get { scopes?.opErrors }
      set { scopes = Scopes(anomalies, newValue, backwardRun) }
    }
    /// Set while a backward pass with hooks runs: where `queueBackwardCallback` puts its
    /// callbacks.
    var backwardRun: BackwardRun? {
      get { scopes?.backwardRun }
      set { scopes = Scopes(anomalies, opErrors, newValue) }
    }
  }

  /// The scopes a state is in; immutable, replaced when one is entered.
  final class Scopes: Sendable {
    let anomalies: AnomalyRecorder?
    let opErrors: OpErrorScope?
    let backwardRun: BackwardRun?

    init(_ anomalies: AnomalyRecorder?, _ opErrors: OpErrorScope?, _ backwardRun: BackwardRun?) {
      self.anomalies = anomalies
      self.opErrors = opErrors
      self.backwardRun = backwardRun
    }
  }

  @TaskLocal static var state = State()

  static var isEnabled: Bool { state.gradEnabled }

  /// Runs `body` with gradient recording switched on or off.
  static func with<R>(gradEnabled: Bool, _ body: () throws -> R) rethrows -> R {
    var next = state
    next.gradEnabled = gradEnabled
    return try $state.withValue(next) { try body() }
  }

  /// Runs `body` as a backward pass: recording as `gradEnabled` says, and collecting callbacks
  /// in `run` when one is given. One task-local change for both, since it happens at every
  /// backward.
  static func with<R>(backwardRun run: BackwardRun?, gradEnabled: Bool, _ body: () throws -> R)
    rethrows -> R
  {
    var next = state
    next.gradEnabled = gradEnabled
    if let run { next.backwardRun = run }
    return try $state.withValue(next) { try body() }
  }
}

/// Runs `body` without recording the backward graph, like `with torch.no_grad():`.
///
/// Use it for parameter updates (`W -= lr * W.grad!`) and for evaluation.
@discardableResult
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
  try GradMode.with(gradEnabled: false, body)
}

/// Runs `body` with the backward graph recorded, even inside `noGrad` (`torch.enable_grad()`).
@discardableResult
public func enableGrad<R>(_ body: () throws -> R) rethrows -> R {
  try GradMode.with(gradEnabled: true, body)
}

/// True when ops record the graph here (`torch.is_grad_enabled()`).
public var isGradEnabled: Bool { GradMode.isEnabled }

extension Tensor {
  /// Whether gradients flow to this tensor: set on leaves; true for results of ops on such
  /// tensors while gradients are recorded.
  public var requiresGrad: Bool {
    get { requiresGradFlag }
    set {
      guard gradFn == nil else {
        opFailure(
          "requiresGrad",
          "you can only change requires_grad flags of leaf variables; this tensor was made by \(gradFn!.name). Use detach() to get a leaf."
        )
      }
      if newValue && !dtype.isFloatingPoint {
        opFailure(
          "requiresGrad",
          "only Tensors of floating point dtype can require gradients (got \(dtype), shape \(shapeText(shape))). Convert first: t.to(.float32)."
        )
      }
      requiresGradFlag = newValue
    }
  }

  /// True for tensors made by the user rather than by a recorded op (PyTorch's `is_leaf`).
  public var isLeaf: Bool { gradFn == nil }

  /// Sets `requiresGrad` and returns self, like `requires_grad_()`. As in PyTorch, asking a
  /// tensor made by a recorded op to require grad is allowed (it already does); only turning
  /// it off stops.
  @discardableResult
  public func requiresGrad_(_ flag: Bool = true) -> Tensor {
    if flag && gradFn != nil { return self }
    requiresGrad = flag
    return self
  }

  /// The same data, cut from the graph (shares storage), like `detach()`.
  public func detach() -> Tensor {
    Tensor(storage: storage, shape: shape, strides: strides, offset: storageOffset, dtype: dtype)
  }

  /// The node a consumer of this tensor links to: its `gradFn`, or for a leaf that requires
  /// grad its `AccumulateGrad` node.
  var gradientEdge: Node? {
    if let gradFn { return gradFn }
    guard requiresGradFlag else { return nil }
    if let accumulateNode { return accumulateNode }
    let node = Node(accumulatingInto: self)
    accumulateNode = node
    return node
  }
}
