import Descent
import Testing

@testable import DescentPlot

/// The layered layout: the output at the bottom, every edge pointing down, no overlaps.
@Suite struct GraphLayoutTests {
  static func r4Loss() -> (ComputationGraph, [Tensor]) {
    let X = Tensor([-5, 5, 0, 2, -2])
    let Y = Tensor([-6.7, 10.3, -3.3, 5.0, -5.3])
    let W = Tensor(1.0, requiresGrad: true)
    let B = Tensor(1.0, requiresGrad: true)
    let loss = (((W * X + B) - Y) ** 2).mean()
    return (ComputationGraph(loss, params: ["W": W, "B": B]), [W, B])
  }

  /// Checks what every layout must satisfy.
  func checkLayout(_ plot: GraphPlot, sourceLocation: SourceLocation = #_sourceLocation) {
    let layout = plot.layout
    let graph = plot.graph
    for edge in graph.edges {
      // Down at least one layer, and drawn downwards.
      #expect(layout.depth[edge.from] > layout.depth[edge.to], sourceLocation: sourceLocation)
      #expect(
        layout.centres[edge.from].y < layout.centres[edge.to].y, sourceLocation: sourceLocation)
    }
    for route in layout.routes {
      #expect(
        zip(route, route.dropFirst()).allSatisfy { $0.y < $1.y }, sourceLocation: sourceLocation)
    }
    // Boxes of one layer do not overlap, and all lie inside the picture.
    for a in graph.nodes {
      let ca = layout.centres[a.id]
      let sa = plot.sizes[a.id]
      #expect(
        ca.x - sa.width / 2 >= 0 && ca.x + sa.width / 2 <= plot.width + 1e-9,
        sourceLocation: sourceLocation)
      #expect(
        ca.y - sa.height / 2 >= 0 && ca.y + sa.height / 2 <= plot.height + 1e-9,
        sourceLocation: sourceLocation)
      for b in graph.nodes where b.id > a.id && layout.depth[a.id] == layout.depth[b.id] {
        let cb = layout.centres[b.id]
        let sb = plot.sizes[b.id]
        #expect(
          abs(ca.x - cb.x) >= (sa.width + sb.width) / 2 - 1e-9, sourceLocation: sourceLocation)
      }
    }
  }

  @Test func r4LossGraphHasTheOutputAtTheBottom() {
    let (graph, leaves) = Self.r4Loss()
    let plot = GraphPlot(graph: graph)
    checkLayout(plot)
    let output = graph.outputs[0]
    #expect(plot.layout.depth[output] == 0)
    #expect(
      plot.graph.nodes.allSatisfy { plot.layout.centres[$0.id].y <= plot.layout.centres[output].y })
    // Parameters at the top: W's box is in the deepest layer.
    let w = graph.nodes.first { $0.label == "W\n ()" }!
    #expect(plot.layout.depth[w.id] == plot.layout.depth.max())
    // The chain Mean ← Pow ← Sub ← Add is drawn as a straight column.
    let chain = ["MeanBackward0", "PowBackward0", "SubBackward0"].map { name in
      plot.layout.centres[graph.nodes.first { $0.label == name }!.id].x
    }
    #expect(chain.allSatisfy { abs($0 - chain[0]) < 1e-6 })
    withExtendedLifetime(leaves) {}
  }

  @Test func layoutHasNoCrossingsOnATree() {
    let (graph, leaves) = Self.r4Loss()
    let layout = LayeredLayout(
      sizes: graph.nodes.map { _ in (60, 20) }, edges: graph.edges.map { ($0.from, $0.to) })
    // Order within a layer by x; a tree's edges must not cross.
    var crossings = 0
    for e in graph.edges {
      for f in graph.edges
      where layout.depth[e.from] == layout.depth[f.from] && layout.depth[e.to] == layout.depth[f.to]
      {
        let dx1 = layout.centres[e.from].x - layout.centres[f.from].x
        let dx2 = layout.centres[e.to].x - layout.centres[f.to].x
        if dx1 * dx2 < 0 { crossings += 1 }
      }
    }
    #expect(crossings == 0)
    withExtendedLifetime(leaves) {}
  }

  @Test func longEdgesGoThroughEveryLayerTheyCross() {
    // 0 → 1 → 2 → 3 and a shortcut 0 → 3.
    let layout = LayeredLayout(
      sizes: Array(repeating: (40, 20), count: 4), edges: [(0, 1), (1, 2), (2, 3), (0, 3)])
    #expect(layout.depth == [3, 2, 1, 0])
    #expect(layout.routes[3].count == 4)  // start, two dummies, end
    #expect(zip(layout.routes[3], layout.routes[3].dropFirst()).allSatisfy { $0.y < $1.y })
  }

  @Test func secondOutputsSitBelowTheirProducer() {
    // 0 → 1 → 2 → 3 (main output) and 0 → 4 (a second output).
    let depth = LayeredLayout.layers(count: 5, edges: [(0, 1), (1, 2), (2, 3), (0, 4)])
    #expect(depth == [3, 2, 1, 0, 2])
  }

  @Test func twoOutputsAndAViewBase() throws {
    let W = Tensor(1.0, requiresGrad: true)
    let X = Tensor([1, 2, 3, 4, 5])
    let product = W * X
    let graph = ComputationGraph(
      outputs: [product.reshaped([5, 1]), (product * 2).sum()], params: ["W": W])
    checkLayout(GraphPlot(graph: graph))
    try saveForViewing(GraphPlot(graph: graph), "graph_view_two_outputs")
    #expect(graph.edges.contains { $0.style == .dotted })
    let svg = GraphPlot(graph: graph).svg()
    _ = validateSVG(svg)
    #expect(svg.contains("stroke-dasharray"))
  }

  @Test func deepChainsLayOutQuickly() {
    let leaf = Tensor(1.0, requiresGrad: true)
    var t = leaf
    for _ in 0..<400 { t = (t * 1.01).tanh() }
    let plot = GraphPlot(t)
    checkLayout(plot)
    #expect(plot.graph.nodes.count == 803)
    withExtendedLifetime(leaf) {}
  }

  @Test func aTensorWithoutGraphIsOneBox() {
    let plot = GraphPlot(Tensor([1, 2, 3]), title: "no graph")
    let parsed = validateSVG(plot.svg())
    #expect(parsed.count("rect") == 2)  // the background and the green box
    #expect(parsed.texts.contains(" (3)"))
    #expect(plot.width > 0 && plot.height > 0)
  }

  @Test func spacingKeepsOrderAndGaps() {
    // Everyone wants x = 0: they spread around it, 10 apart.
    let x = LayeredLayout.spaced([0, 0, 0], gaps: [10, 10])
    #expect(x == [-10, 0, 10])
    // Already far apart: unchanged.
    #expect(LayeredLayout.spaced([0, 50, 100], gaps: [10, 10]) == [0, 50, 100])
    #expect(LayeredLayout.spaced([5, 0], gaps: [4]) == [0.5, 4.5])
    #expect(LayeredLayout.spaced([], gaps: []).isEmpty)
  }

  @Test func graphPictureUsesTorchvizColours() {
    let (graph, leaves) = Self.r4Loss()
    let svg = GraphPlot(graph: graph, title: "loss").svg()
    let parsed = validateSVG(svg)
    #expect(svg.contains("fill=\"#add8e6\""))  // lightblue parameters
    #expect(svg.contains("fill=\"#caff70\""))  // darkolivegreen1 output
    #expect(svg.contains("fill=\"#d3d3d3\""))  // lightgrey backward nodes
    #expect(parsed.texts.contains("MeanBackward0"))
    #expect(parsed.texts.contains("W") && parsed.texts.contains(" ()"))
    // One arrow head (a filled path) per edge, plus one path per edge line.
    #expect(parsed.count("path") == 2 * graph.edges.count)
    withExtendedLifetime(leaves) {}
  }
}
