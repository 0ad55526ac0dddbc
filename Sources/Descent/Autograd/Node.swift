/// A node of the backward graph: one recorded op, PyTorch's `grad_fn`.
///
/// `nextFunctions` point at the nodes that produced the op's inputs (nil for inputs that need
/// no gradient). A leaf that requires grad is reached through its `AccumulateGrad` node, which
/// does not keep the leaf alive.
public final class Node: CustomStringConvertible, @unchecked Sendable {
  /// PyTorch's class name for the node: `AddBackward0`, `MeanBackward0`, `AccumulateGrad`.
  public let name: String
  /// The nodes of the op's inputs, in input order.
  public var nextFunctions: [Node?] {
    (0..<edgeCount).map { edge($0) }
  }
  /// For `AccumulateGrad`: the leaf it accumulates into, while the leaf lives.
  public var variable: Tensor? { leaf }
  /// Held without a reference count, and cleared by the leaf's `deinit`: a `weak` reference
  /// would give every parameter a side table, which makes each retain and release of it take
  /// the runtime's slow path (measured: a third of the time of a small `Linear` step).
  unowned(unsafe) var leaf: Tensor?

  // The first two input edges are stored inline, the rest in an array: almost every op has
  // one or two inputs, and an array per node was a measurable share of a small step.
  let firstEdge: Node?
  let secondEdge: Node?
  let otherEdges: [Node?]
  let edgeCount: Int
  let isAccumulateGrad: Bool

  /// Maps the gradient of the op's output to the gradients of its inputs (nil where an input
  /// needs none). Dropped after backward unless the graph is retained.
  var backwardFunction: BackwardFunction?
  /// Gradient summed here while a backward pass runs.
  var pendingGradient: Tensor?
  /// Set while a backward pass sorts the graph.
  var isVisited = false
  /// Set while a backward pass that computes only some gradients (`grad`, `backward(inputs:)`)
  /// finds which nodes lead to them.
  var isNeeded = false
  /// The node's hooks, made at the first registration: one reference for backward to check.
  var hooks: NodeHooks?
  /// For a node with several outputs (a custom `Function`): each output's shape and dtype, and
  /// the gradients of outputs 1… gathered while a backward pass runs (output 0's is
  /// `pendingGradient`). Outputs 1… reach the node through an `OutputSlot` node each.
  var outputs: [(shape: [Int], dtype: DType)] = []
  var pendingOutputGradients: [Tensor?] = []

  init(name: String, edges: [Node?], backward: BackwardFunction) {
    self.name = name
    self.edgeCount = edges.count
    self.firstEdge = edges.count > 0 ? edges[0] : nil
    self.secondEdge = edges.count > 1 ? edges[1] : nil
    self.otherEdges = edges.count > 2 ? Array(edges[2...]) : []
    self.isAccumulateGrad = false
    self.backwardFunction = backward
  }

  init(name: String, edge: Node?, backward: @escaping (Tensor) -> Tensor?) {
    self.name = name
    self.edgeCount = 1
    self.firstEdge = edge
    self.secondEdge = nil
    self.otherEdges = []
    self.isAccumulateGrad = false
    self.backwardFunction = .one(backward)
  }

  init(
    name: String, edges first: Node?, _ second: Node?,
    backward: @escaping (Tensor) -> (Tensor?, Tensor?)
  ) {
    self.name = name
    self.edgeCount = 2
    self.firstEdge = first
    self.secondEdge = second
    self.otherEdges = []
    self.isAccumulateGrad = false
    self.backwardFunction = .two(backward)
  }

  init(accumulatingInto leaf: Tensor) {
    self.name = "AccumulateGrad"
    self.edgeCount = 0
    self.firstEdge = nil
    self.secondEdge = nil
    self.otherEdges = []
    self.isAccumulateGrad = true
    self.leaf = leaf
    self.backwardFunction = nil
  }

  /// The node of input `index`.
  @inline(__always) func edge(_ index: Int) -> Node? {
    switch index {
    case 0: return firstEdge
    case 1: return secondEdge
    default: return otherEdges[index - 2]
    }
  }

  /// `<AddBackward0 object>`, as PyTorch's repr shows a node.
  public var description: String { "<\(name) object>" }
}

/// A node's backward, by the number of gradients it returns: one- and two-input ops return
/// them without building an array.
enum BackwardFunction {
  case one((Tensor) -> Tensor?)
  case two((Tensor) -> (Tensor?, Tensor?))
  case many((Tensor) -> [Tensor?])
  /// A node with several outputs: one gradient per output (zeros where none arrived).
  case multi(([Tensor]) -> [Tensor?])
}
