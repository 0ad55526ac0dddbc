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

  // The first two input edges are stored inline: almost every op has one or two inputs, and an
  // array per node was a measurable share of a small step. A node of more inputs keeps the
  // array it was given, all of it (no copy of its tail), and reads inputs 2… from it.
  let firstEdge: Node?
  let secondEdge: Node?
  let allEdges: [Node?]
  let edgeCount: Int
  let isAccumulateGrad: Bool

  // The fields a backward pass reads and writes at every node are `@exclusivity(unchecked)`,
  // as `Tensor`'s autograd fields are: plain reads and writes, never an access held across
  // another, which would otherwise each pay a dynamic exclusivity check.

  /// Maps the gradient of the op's output to the gradients of its inputs (nil where an input
  /// needs none). Dropped after backward unless the graph is retained.
  @exclusivity(unchecked) var backwardFunction: BackwardFunction?
  /// Gradient summed here while a backward pass runs.
  @exclusivity(unchecked) var pendingGradient: Tensor?
  /// Set while a backward pass sorts the graph.
  @exclusivity(unchecked) var isVisited = false
  /// Set while a backward pass that computes only some gradients (`grad`, `backward(inputs:)`)
  /// finds which nodes lead to them.
  @exclusivity(unchecked) var isNeeded = false
  /// The node's hooks, made at the first registration: one reference for backward to check.
  @exclusivity(unchecked) var hooks: NodeHooks?
  /// For a node with several outputs (a custom `Function`, a recurrent layer): its outputs and
  /// the gradients they gather. Behind one optional reference, since almost no node has them
  /// and every node is made and freed at every step.
  @exclusivity(unchecked) var multiOutput: MultiOutput?

  /// Each output's shape and dtype (empty for a node with one output).
  var outputs: [(shape: [Int], dtype: DType)] {
    get { multiOutput?.outputs ?? [] }
    set { madeMultiOutput.outputs = newValue }
    _modify { yield &madeMultiOutput.outputs }
  }
  /// The gradients of outputs 1… gathered while a backward pass runs (output 0's is
  /// `pendingGradient`). Outputs 1… reach the node through an `OutputSlot` node each.
  var pendingOutputGradients: [Tensor?] {
    get { multiOutput?.pendingGradients ?? [] }
    set { madeMultiOutput.pendingGradients = newValue }
    _modify { yield &madeMultiOutput.pendingGradients }
  }

  private var madeMultiOutput: MultiOutput {
    if let multiOutput { return multiOutput }
    let made = MultiOutput()
    multiOutput = made
    return made
  }

  /// The one initialiser that sets the stored edges; the others say how many and of what kind.
  private init(
    name: String, edgeCount: Int, first: Node?, second: Node?, all: [Node?] = [],
    backward: BackwardFunction?, accumulatingInto leaf: Tensor? = nil
  ) {
    self.name = name
    self.edgeCount = edgeCount
    self.firstEdge = first
    self.secondEdge = second
    self.allEdges = all
    self.isAccumulateGrad = leaf != nil
    self.leaf = leaf
    self.backwardFunction = backward
  }

  convenience init(name: String, edges: [Node?], backward: BackwardFunction) {
    self.init(
      name: name, edgeCount: edges.count, first: edges.count > 0 ? edges[0] : nil,
      second: edges.count > 1 ? edges[1] : nil, all: edges.count > 2 ? edges : [],
      backward: backward)
  }

  convenience init(name: String, edge: Node?, backward: @escaping (Tensor) -> Tensor?) {
    self.init(name: name, edgeCount: 1, first: edge, second: nil, backward: .one(backward))
  }

  convenience init(
    name: String, edges first: Node?, _ second: Node?,
    backward: @escaping (Tensor) -> (Tensor?, Tensor?)
  ) {
    self.init(name: name, edgeCount: 2, first: first, second: second, backward: .two(backward))
  }

  convenience init(accumulatingInto leaf: Tensor) {
    self.init(
      name: "AccumulateGrad", edgeCount: 0, first: nil, second: nil, backward: nil,
      accumulatingInto: leaf)
  }

  /// The node of input `index`.
  @inline(__always) func edge(_ index: Int) -> Node? {
    switch index {
    case 0: return firstEdge
    case 1: return secondEdge
    default: return allEdges[index]
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

/// The outputs of a node with several, and the gradients their slots gather.
final class MultiOutput {
  var outputs: [(shape: [Int], dtype: DType)] = []
  var pendingGradients: [Tensor?] = []
}
