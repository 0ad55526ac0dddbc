/// Recording: how an op puts its result in the backward graph. `record` makes the node when
/// gradients are on and an input needs one; `SavedTensor` keeps what backward reads, with the
/// version it had, so that a later in-place change is caught.

/// Records `out = op(inputs)` in the graph when gradients are on and an input needs one.
/// `backward` maps the output's gradient to one gradient per input (nil where not needed).
@inline(__always)
func record(
  _ name: String, _ out: Tensor, _ inputs: [Tensor],
  _ backward: @escaping (Tensor) -> [Tensor?]
) {
  let mode = GradMode.state
  guard mode.gradEnabled else { return }
  var any = false
  for input in inputs where input.requiresGradFlag {
    any = true
    break
  }
  guard any else { return }
  out.gradFn = Node(name: name, edges: inputs.map { $0.gradientEdge }, backward: .many(backward))
  out.requiresGradFlag = true
  mode.anomalies?.checkForward(name, out, inputs)
}

/// The two-input form of `record`, which avoids building an array on the hot path when no
/// input needs a gradient.
@inline(__always)
func record(
  _ name: String, _ out: Tensor, _ a: Tensor, _ b: Tensor,
  _ backward: @escaping (Tensor) -> [Tensor?]
) {
  guard a.requiresGradFlag || b.requiresGradFlag else { return }
  let mode = GradMode.state
  guard mode.gradEnabled else { return }
  out.gradFn = Node(
    name: name, edges: [a.gradientEdge, b.gradientEdge], backward: .many(backward))
  out.requiresGradFlag = true
  mode.anomalies?.checkForward(name, out, [a, b])
}

/// The two-input form whose backward returns its two gradients as a pair.
@inline(__always)
func record(
  _ name: String, _ out: Tensor, _ a: Tensor, _ b: Tensor,
  _ backward: @escaping (Tensor) -> (Tensor?, Tensor?)
) {
  guard a.requiresGradFlag || b.requiresGradFlag else { return }
  let mode = GradMode.state
  guard mode.gradEnabled else { return }
  out.gradFn = Node(name: name, edges: a.gradientEdge, b.gradientEdge, backward: backward)
  out.requiresGradFlag = true
  if let anomalies = mode.anomalies { anomalies.checkForward(name, out, [a, b]) }
}

/// The one-input form of `record`.
@inline(__always)
func record(_ name: String, _ out: Tensor, _ a: Tensor, _ backward: @escaping (Tensor) -> Tensor) {
  guard a.requiresGradFlag else { return }
  let mode = GradMode.state
  guard mode.gradEnabled else { return }
  out.gradFn = Node(name: name, edge: a.gradientEdge, backward: backward)
  out.requiresGradFlag = true
  if let anomalies = mode.anomalies { anomalies.checkForward(name, out, [a]) }
}

/// A tensor saved for backward, with the storage version it had, so that an in-place change
/// made afterwards is caught instead of giving a silently wrong gradient.
///
/// An op's inputs are kept as they are. An op's own output (`exp`, `tanh`, `softmax`) is kept
/// as a detached alias (same storage, no `gradFn`), as PyTorch saves the data rather than the
/// variable: the output itself would form a cycle output → node → closure → output, and a
/// graph that never runs backward (evaluation without `noGrad`) would never be freed. When a
/// backward pass records its own graph (`createGraph`), the saved output is handed back
/// attached to the node that is running, which is the node that made it: its gradient then
/// flows on, as through PyTorch's unpacked saved outputs.
struct SavedTensor {
  let tensor: Tensor
  let version: Int
  let op: String
  let isOutput: Bool

  /// Saves an input of the op.
  init(_ input: Tensor, op: String) {
    self.tensor = input
    self.version = input.storage.version
    self.op = op
    self.isOutput = false
  }

  /// Saves the op's own output, without its place in the graph.
  init(output: Tensor, op: String) {
    self.tensor = output.detach()
    self.version = output.storage.version
    self.op = op
    self.isOutput = true
  }

  var value: Tensor {
    if tensor.storage.version != version {
      opFailure(
        "backward",
        "one of the variables needed for gradient computation has been modified by an inplace operation: [\(tensor.dtype) \(shapeText(tensor.shape))], saved by \(op), is at version \(tensor.storage.version); expected version \(version) instead. Use an out-of-place operation (x = x + y instead of x += y) before the tensor is used again."
      )
    }
    if isOutput, GradMode.isEnabled, let node = GradMode.state.backwardRun?.currentNode {
      return tensor.attached(to: node)
    }
    return tensor
  }
}

extension Tensor {
  /// The same data as a non-leaf whose gradient flows into `node`.
  func attached(to node: Node) -> Tensor {
    let alias = Tensor(
      storage: storage, shape: shape, strides: strides, offset: storageOffset, dtype: dtype)
    alias.gradFn = node
    alias.requiresGradFlag = true
    return alias
  }
}
