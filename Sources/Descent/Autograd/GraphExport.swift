/// The backward graph of a tensor as data: what torchviz's `make_dot` draws, kept as nodes and
/// edges so that a DOT file and an SVG layout (DescentPlot's `GraphPlot`) come from one walk.
///
/// Nodes follow torchviz's conventions: the output tensor (green), the leaves that require
/// grad (light blue; named when they appear in `params`), and one grey box per backward node
/// named by its `gradFn` (`AddBackward0`, `AccumulateGrad`, …). Edges point the way data flows
/// in the forward pass: from a leaf to its `AccumulateGrad`, from an input's node to the node
/// of the op that consumed it, and from the last node to the output.
public struct ComputationGraph: Sendable, Equatable {
  /// What a node of the drawing stands for; it picks the fill colour.
  public enum Kind: String, Sendable, Equatable {
    /// A leaf that requires grad and is named in `params` (light blue, name and shape).
    case parameter
    /// A leaf that requires grad but has no name (light blue, shape only).
    case leaf
    /// A backward node (`grad_fn`), drawn grey.
    case operation
    /// The tensor the graph was drawn for (`darkolivegreen1`).
    case output
    /// The base tensor of an output that is a view (`darkolivegreen3`, dotted edge).
    case viewBase
  }

  /// How an edge is drawn.
  public enum EdgeStyle: String, Sendable, Equatable {
    /// An autograd dependency.
    case solid
    /// From a view's base tensor to the view.
    case dotted
  }

  /// One box of the drawing.
  public struct Vertex: Sendable, Equatable, Identifiable {
    /// The node's index in `nodes`, also its DOT id.
    public let id: Int
    /// The text of the box; tensors have two lines, `"W\n ()"`.
    public let label: String
    /// What the box stands for.
    public let kind: Kind
    /// For tensors: the shape; nil for backward nodes.
    public let shape: [Int]?
  }

  /// One arrow, from the producer to the consumer.
  public struct Edge: Sendable, Equatable {
    /// The id of the node the arrow starts at.
    public let from: Int
    /// The id of the node the arrow points to.
    public let to: Int
    /// Solid for autograd edges, dotted from a view's base.
    public let style: EdgeStyle
  }

  /// The nodes, indexed by id. Ids are numbered in the order torchviz's DOT first mentions
  /// them, so `dot()` equals torchviz's output with its `id()`s renumbered the same way.
  public let nodes: [Vertex]
  /// The edges, in the order torchviz emits them.
  public let edges: [Edge]
  /// The ids of the tensors the graph was drawn for.
  public let outputs: [Int]
  /// Node and edge statements in torchviz's order (DOT output only).
  let statements: [Statement]

  enum Statement: Equatable {
    case node(Int)
    case edge(Int)
  }

  /// The graph behind `tensor`, with leaves named from `params`, like torchviz's `make_dot`.
  public init(_ tensor: Tensor, params: [String: Tensor] = [:]) {
    self.init(outputs: [tensor], params: params)
  }

  /// The graph behind several outputs drawn together (torchviz's tuple form).
  public init(outputs tensors: [Tensor], params: [String: Tensor] = [:]) {
    var builder = GraphBuilder(params: params)
    for tensor in tensors { builder.addOutput(tensor, kind: .output) }
    self.nodes = builder.vertices.sorted { $0.id < $1.id }
    self.edges = builder.edges
    self.outputs = builder.outputIDs
    self.statements = builder.statements
  }

  /// Graphviz DOT text in torchviz's layout: the same graph and node attributes, node ids
  /// numbered from 0 instead of Python object ids.
  public func dot() -> String {
    var lines = [
      "digraph {",
      "\tgraph [size=\"\(Self.graphSize(statementCount: statements.count))\"]",
      "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]",
    ]
    for statement in statements {
      switch statement {
      case .node(let id):
        let node = nodes[id]
        var attributes = "label=\(dotQuote(node.label))"
        if let colour = Self.fillColor(node.kind) { attributes += " fillcolor=\(colour)" }
        lines.append("\t\(id) [\(attributes)]")
      case .edge(let index):
        let edge = edges[index]
        let style = edge.style == .dotted ? " [style=dotted]" : ""
        lines.append("\t\(edge.from) -> \(edge.to)\(style)")
      }
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// torchviz's fill colours (Graphviz colour names); backward nodes keep Graphviz's default
  /// fill for `style=filled`, light grey.
  public static func fillColor(_ kind: Kind) -> String? {
    switch kind {
    case .parameter, .leaf: "lightblue"
    case .output: "darkolivegreen1"
    case .viewBase: "darkolivegreen3"
    case .operation: nil
    }
  }

  /// torchviz's `resize_graph`: 0.15 inch per DOT statement, at least 12 inches.
  static func graphSize(statementCount: Int) -> String {
    // `max(12, n * 0.15)` keeps the int 12 unless the float is larger; Python's `str` of a
    // float and Swift's description agree (shortest round-trip digits, `15.0`).
    let content = Double(statementCount) * 0.15
    let text = content > 12 ? "\(content)" : "12"
    return "\(text),\(text)"
  }
}

/// Graphviz DOT text for the backward graph of `tensor`, like torchviz's `make_dot`.
///
/// Leaves found in `params` are labelled with their name and shape (`"W\n ()"`), other leaves
/// that require grad with their shape only; backward nodes carry their `gradFn` name and the
/// output is green. Node ids are small integers in order of first mention. Descent's nodes
/// keep no saved attributes, so there is no `show_attrs`/`show_saved` counterpart.
public func makeDot(_ tensor: Tensor, params: [String: Tensor] = [:]) -> String {
  ComputationGraph(tensor, params: params).dot()
}

/// DOT text for several outputs in one graph, like `make_dot((a, b))`.
public func makeDot(_ tensors: [Tensor], params: [String: Tensor] = [:]) -> String {
  ComputationGraph(outputs: tensors, params: params).dot()
}

/// torchviz's tensor label: the name (or nothing), a newline, a space and the shape as
/// `(30, 1)`; a 0-d tensor shows `()`.
func graphTensorLabel(name: String, shape: [Int]) -> String {
  "\(name)\n (\(shape.map(String.init).joined(separator: ", ")))"
}

/// Quotes a DOT identifier as Python's `graphviz` package does: plain words and numbers stay
/// bare, keywords and anything else are quoted with unescaped `"` escaped.
func dotQuote(_ text: String) -> String {
  let keywords: Set<String> = ["node", "edge", "graph", "digraph", "subgraph", "strict"]
  if isDotID(text) && !keywords.contains(text.lowercased()) { return text }
  var out = "\""
  var backslashes = 0
  for character in text {
    if character == "\"" && backslashes % 2 == 0 { out.append("\\") }
    backslashes = character == "\\" ? backslashes + 1 : 0
    out.append(character)
  }
  return out + "\""
}

private func isDotID(_ text: String) -> Bool {
  let scalars = Array(text.unicodeScalars)
  guard let first = scalars.first else { return false }
  func isWordStart(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
  }
  func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
  if isWordStart(first) { return scalars.allSatisfy { isWordStart($0) || isDigit($0) } }
  // Numerals: -?(.[0-9]+|[0-9]+(.[0-9]*)?)
  var rest = scalars[...]
  if rest.first == "-" { rest = rest.dropFirst() }
  guard let head = rest.first else { return false }
  if head == "." { return rest.count > 1 && rest.dropFirst().allSatisfy(isDigit) }
  let integer = rest.prefix(while: isDigit)
  guard !integer.isEmpty else { return false }
  let tail = rest.dropFirst(integer.count)
  return tail.isEmpty || (tail.first == "." && tail.dropFirst().allSatisfy(isDigit))
}

/// Walks the graph in exactly torchviz's order (a depth-first recursion from the output's
/// `gradFn`), with an explicit stack so that a graph thousands of ops deep cannot overflow.
private struct GraphBuilder {
  var vertices: [ComputationGraph.Vertex] = []
  var edges: [ComputationGraph.Edge] = []
  var statements: [ComputationGraph.Statement] = []
  var outputIDs: [Int] = []
  private var ids: [ObjectIdentifier: Int] = [:]
  private var seen: Set<ObjectIdentifier> = []
  private let paramNames: [ObjectIdentifier: String]
  // The graph holds nodes and tensors only weakly in places; keep what we label alive.
  private var retained: [AnyObject] = []

  init(params: [String: Tensor]) {
    var names: [ObjectIdentifier: String] = [:]
    // Sorted so that a tensor given under two names always gets the same one.
    for (name, tensor) in params.sorted(by: { $0.key > $1.key }) {
      names[ObjectIdentifier(tensor)] = name
    }
    paramNames = names
  }

  /// The DOT id of an object, given on first mention.
  private mutating func id(_ object: AnyObject) -> Int {
    let key = ObjectIdentifier(object)
    if let id = ids[key] { return id }
    let id = ids.count
    ids[key] = id
    retained.append(object)
    return id
  }

  private mutating func addVertex(
    _ object: AnyObject, label: String, kind: ComputationGraph.Kind, shape: [Int]?
  ) {
    let vertexID = id(object)
    vertices.append(.init(id: vertexID, label: label, kind: kind, shape: shape))
    statements.append(.node(vertexID))
  }

  private mutating func addEdge(
    _ from: AnyObject, _ to: AnyObject, style: ComputationGraph.EdgeStyle = .solid
  ) {
    let edge = ComputationGraph.Edge(from: id(from), to: id(to), style: style)
    statements.append(.edge(edges.count))
    edges.append(edge)
  }

  private func tensorLabel(_ tensor: Tensor) -> String {
    graphTensorLabel(name: paramNames[ObjectIdentifier(tensor)] ?? "", shape: tensor.shape)
  }

  /// torchviz's `add_base_tensor`.
  mutating func addOutput(_ tensor: Tensor, kind: ComputationGraph.Kind) {
    guard seen.insert(ObjectIdentifier(tensor)).inserted else { return }
    addVertex(tensor, label: tensorLabel(tensor), kind: kind, shape: tensor.shape)
    if kind == .output { outputIDs.append(id(tensor)) }
    if let gradFn = tensor.gradFn {
      addNodes(gradFn)
      addEdge(gradFn, tensor)
    }
    if let base = tensor.viewBase {
      addOutput(base, kind: .viewBase)
      addEdge(base, tensor, style: .dotted)
    }
  }

  /// torchviz's recursive `add_nodes`, unrolled: each frame remembers which input it visits next.
  private mutating func addNodes(_ root: Node) {
    var stack: [(node: Node, next: Int)] = []
    func enter(_ node: Node, _ builder: inout GraphBuilder) -> Bool {
      guard builder.seen.insert(ObjectIdentifier(node)).inserted else { return false }
      if node.isAccumulateGrad, let variable = node.variable {
        builder.seen.insert(ObjectIdentifier(variable))
        let kind: ComputationGraph.Kind =
          builder.paramNames[ObjectIdentifier(variable)] == nil ? .leaf : .parameter
        builder.addVertex(
          variable, label: builder.tensorLabel(variable), kind: kind, shape: variable.shape)
        builder.addEdge(variable, node)
      }
      builder.addVertex(node, label: node.name, kind: .operation, shape: nil)
      return true
    }
    if enter(root, &self) { stack.append((root, 0)) }
    while let top = stack.last {
      let inputs = top.node.nextFunctions
      guard top.next < inputs.count else {
        stack.removeLast()
        continue
      }
      stack[stack.count - 1].next += 1
      guard let input = inputs[top.next] else { continue }
      addEdge(input, top.node)
      if enter(input, &self) { stack.append((input, 0)) }
    }
  }
}
