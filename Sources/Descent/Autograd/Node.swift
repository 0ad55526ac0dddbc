/// A node of the backward graph: one recorded op, PyTorch's `grad_fn`.
///
/// `nextFunctions` point at the nodes that produced the op's inputs (nil for inputs that need
/// no gradient). A leaf that requires grad is reached through its `AccumulateGrad` node, which
/// holds the leaf weakly so the graph never keeps a parameter alive.
public final class Node: CustomStringConvertible, @unchecked Sendable {
  /// PyTorch's class name for the node: `AddBackward0`, `MeanBackward0`, `AccumulateGrad`.
  public let name: String
  /// The nodes of the op's inputs, in input order.
  public let nextFunctions: [Node?]
  /// For `AccumulateGrad`: the leaf it accumulates into.
  public private(set) weak var variable: Tensor?

  /// Maps the gradient of the op's output to the gradients of its inputs (nil where an input
  /// needs none). Dropped after backward unless the graph is retained.
  var backwardFunction: ((Tensor) -> [Tensor?])?
  /// Gradient summed here while a backward pass runs.
  var pendingGradient: Tensor?
  /// Set while a backward pass sorts the graph.
  var isVisited = false

  init(name: String, nextFunctions: [Node?], backward: @escaping (Tensor) -> [Tensor?]) {
    self.name = name
    self.nextFunctions = nextFunctions
    self.backwardFunction = backward
  }

  init(accumulatingInto leaf: Tensor) {
    self.name = "AccumulateGrad"
    self.nextFunctions = []
    self.variable = leaf
    self.backwardFunction = nil
  }

  var isAccumulateGrad: Bool { name == "AccumulateGrad" }

  /// `<AddBackward0 object>`, as PyTorch's repr shows a node.
  public var description: String { "<\(name) object>" }
}

/// A tensor saved for backward, with the storage version it had, so that an in-place change
/// made afterwards is caught instead of giving a silently wrong gradient.
///
/// It keeps a detached alias of the tensor (same storage, no `gradFn`), as PyTorch saves the
/// data rather than the variable: an op that saves its own output (`exp`, `tanh`, `softmax`)
/// would otherwise form a cycle output → node → closure → output, and a graph that never runs
/// backward (evaluation without `noGrad`) would never be freed.
struct SavedTensor {
  let tensor: Tensor
  let version: Int
  let op: String

  init(_ tensor: Tensor, op: String) {
    self.tensor = tensor.detach()
    self.version = tensor.storage.version
    self.op = op
  }

  var value: Tensor {
    if tensor.storage.version != version {
      opFailure(
        "backward",
        "one of the variables needed for gradient computation has been modified by an inplace operation: [\(tensor.dtype) \(shapeText(tensor.shape))], saved by \(op), is at version \(tensor.storage.version); expected version \(version) instead. Use an out-of-place operation (x = x + y instead of x += y) before the tensor is used again."
      )
    }
    return tensor
  }
}
