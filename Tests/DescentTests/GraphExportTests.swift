import Foundation
import Testing

@testable import Descent

/// `makeDot` against the DOT torchviz writes for the same graphs (Tests/Fixtures/graphs.json,
/// made by make_graph_fixtures.py), and the graph model behind it.
@Suite struct GraphExportTests {
  struct Fixture: Decodable {
    struct Case: Decodable {
      let name: String
      let dot: String
    }
    let cases: [Case]
  }

  static let fixture: [String: String] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/graphs.json")
    guard let data = try? Data(contentsOf: url),
      let decoded = try? JSONDecoder().decode(Fixture.self, from: data)
    else { return [:] }
    return Dictionary(uniqueKeysWithValues: decoded.cases.map { ($0.name, $0.dot) })
  }()

  /// Replaces torchviz's `id()`s (runs of digits that start a statement or follow `-> `) by
  /// their order of first mention, which is how Descent numbers nodes.
  static func normalised(_ dot: String) -> String {
    var numbering: [Substring: Int] = [:]
    func number(_ id: Substring) -> String {
      if let known = numbering[id] { return String(known) }
      numbering[id] = numbering.count
      return String(numbering.count - 1)
    }
    var lines: [String] = []
    for line in dot.split(separator: "\n", omittingEmptySubsequences: false) {
      guard line.hasPrefix("\t"), let first = line.dropFirst().first, first.isNumber else {
        lines.append(String(line))
        continue
      }
      let body = line.dropFirst()
      let head = body.prefix(while: \.isNumber)
      var rest = body.dropFirst(head.count)
      var out = "\t" + number(head)
      if rest.hasPrefix(" -> ") {
        rest = rest.dropFirst(4)
        let target = rest.prefix(while: \.isNumber)
        out += " -> " + number(target)
        rest = rest.dropFirst(target.count)
      }
      lines.append(out + rest)
    }
    return lines.joined(separator: "\n")
  }

  struct R4 {
    let X = Tensor([-5, 5, 0, 2, -2])
    let Y = Tensor([-6.7, 10.3, -3.3, 5.0, -5.3])
    let W = Tensor(1.0, requiresGrad: true)
    let B = Tensor(1.0, requiresGrad: true)
    var params: [String: Tensor] { ["W": W, "B": B] }
  }

  /// Descent's DOT for each fixture case, built the way the generator builds it.
  static func descentDot(_ name: String) -> String? {
    let r4 = R4()
    let prediction = r4.W * r4.X + r4.B
    let loss = ((prediction - r4.Y) ** 2).mean()
    switch name {
    case "r4_prediction": return makeDot(prediction, params: r4.params)
    case "r4_loss": return makeDot(loss, params: r4.params)
    case "r4_loss_unnamed": return makeDot(loss)
    case "r4_both_outputs": return makeDot([prediction, loss], params: r4.params)
    case "shared_input": return makeDot((r4.W * r4.W + r4.W).sum(), params: ["W": r4.W])
    case "view_output": return makeDot((r4.W * r4.X).reshaped([5, 1]), params: ["W": r4.W])
    case "leaf_output": return makeDot(r4.W, params: ["W": r4.W])
    case "long_chain":
      var t = r4.W
      for _ in 0..<60 { t = t * 1.01 }
      return makeDot(t, params: ["W": r4.W])
    default: return linearDot(name)
    }
  }

  /// The `nn.Linear` cases: the values do not matter, only the graph.
  static func linearDot(_ name: String) -> String? {
    switch name {
    case "linear_mse":
      let model = Linear(1, 1)
      let x = Tensor((1...30).map(Double.init)).reshaped(30, 1)
      let loss = MSELoss()(model(x), 2 * x)
      return makeDot(loss, params: Dictionary(uniqueKeysWithValues: model.namedParameters()))
    case "linear_relu_linear":
      let (fc1, fc2) = (Linear(1, 4), Linear(4, 1))
      let out = fc2(relu(fc1(Tensor.randn([2, 1]))))
      var params: [String: Tensor] = [:]
      for (key, value) in fc1.namedParameters() { params["fc1.\(key)"] = value }
      for (key, value) in fc2.namedParameters() { params["fc2.\(key)"] = value }
      return makeDot(out, params: params)
    case "linear_no_bias":
      let layer = Linear(3, 2, bias: false)
      let input = Tensor.randn([4, 3], requiresGrad: true)
      return makeDot(layer(input).sum(), params: ["weight": layer.weight, "input": input])
    default: return nil
    }
  }

  @Test func fixtureIsPresent() {
    #expect(Self.fixture.count == 11)
  }

  @Test(arguments: [
    "r4_prediction", "r4_loss", "r4_loss_unnamed", "r4_both_outputs", "shared_input",
    "view_output", "leaf_output", "long_chain", "linear_mse", "linear_relu_linear",
    "linear_no_bias",
  ])
  func matchesTorchviz(_ name: String) throws {
    let expected = try #require(Self.fixture[name])
    let ours = try #require(Self.descentDot(name))
    #expect(ours == Self.normalised(expected))
  }

  @Test func r4LossDotReadsLikeTorchviz() {
    let r4 = R4()
    let loss = (((r4.W * r4.X + r4.B) - r4.Y) ** 2).mean()
    let dot = makeDot(loss, params: r4.params)
    #expect(dot.hasPrefix("digraph {\n\tgraph [size=\"12,12\"]\n"))
    #expect(dot.contains("\t0 [label=\"\n ()\" fillcolor=darkolivegreen1]"))
    #expect(dot.contains("[label=\"W\n ()\" fillcolor=lightblue]"))
    #expect(dot.contains("[label=\"B\n ()\" fillcolor=lightblue]"))
    for op in ["MeanBackward0", "PowBackward0", "SubBackward0", "AddBackward0", "MulBackward0"] {
      #expect(dot.contains("[label=\(op)]"))
    }
    #expect(dot.hasSuffix("}\n"))
  }

  @Test func graphModelOfR4Loss() {
    let r4 = R4()
    let loss = (((r4.W * r4.X + r4.B) - r4.Y) ** 2).mean()
    let graph = ComputationGraph(loss, params: r4.params)
    #expect(graph.nodes.map(\.id) == Array(graph.nodes.indices))
    #expect(graph.outputs == [0])
    #expect(graph.nodes[0].kind == .output)
    #expect(graph.nodes[0].shape == [])
    let parameters = graph.nodes.filter { $0.kind == .parameter }.map(\.label).sorted()
    #expect(parameters == ["B\n ()", "W\n ()"])
    // Mean, Pow, Sub, Add, Mul and one AccumulateGrad per parameter.
    #expect(graph.nodes.filter { $0.kind == .operation }.count == 7)
    #expect(graph.edges.count == graph.nodes.count - 1)  // a tree here
    // Every edge runs from producer to consumer: nothing flows out of the output.
    #expect(!graph.edges.contains { $0.from == 0 })
  }

  @Test func unnamedLeavesShowTheirShape() {
    let x = Tensor.zeros([30, 1], requiresGrad: true)
    let graph = ComputationGraph((x * 2).sum())
    let leaf = graph.nodes.first { $0.kind == .leaf }
    #expect(leaf?.label == "\n (30, 1)")
    #expect(leaf?.shape == [30, 1])
  }

  @Test func namesThatNeedQuotingAreEscaped() {
    let w = Tensor(1.0, requiresGrad: true)
    let dot = makeDot(w * 2, params: ["say \"hi\"": w])
    #expect(dot.contains("[label=\"say \\\"hi\\\"\n ()\" fillcolor=lightblue]"))
    #expect(dotQuote("AddBackward0") == "AddBackward0")
    #expect(dotQuote("graph") == "\"graph\"")
    #expect(dotQuote("-4.2") == "-4.2")
    #expect(dotQuote("") == "\"\"")
    #expect(dotQuote("a\\\"b") == "\"a\\\"b\"")
  }

  @Test func deepGraphsDoNotOverflowTheStack() {
    let leaf = Tensor(1.0, requiresGrad: true)
    var t = leaf
    for _ in 0..<5_000 { t = t + 1 }
    let graph = ComputationGraph(t)
    #expect(graph.nodes.count == 5_003)
    // 5,003 node and 5,002 edge statements at 0.15 inch each.
    #expect(graph.dot().contains("size=\"1500.7"))
    withExtendedLifetime(leaf) {}
  }

  @Test func tensorWithoutGraphIsOneGreenNode() {
    let graph = ComputationGraph(Tensor([1, 2, 3]))
    #expect(graph.nodes == [.init(id: 0, label: "\n (3)", kind: .output, shape: [3])])
    #expect(graph.edges.isEmpty)
  }
}
