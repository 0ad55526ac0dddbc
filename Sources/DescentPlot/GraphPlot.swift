import Descent

/// A picture of a computation graph without Graphviz: torchviz's boxes and colours (light blue
/// parameters and leaves, grey backward nodes, a green output) laid out in layers from the
/// leaves at the top to the output at the bottom, with arrows along the data flow.
///
/// ```swift
/// let loss = ((W * X + B - Y) ** 2).mean()
/// try GraphPlot(loss, params: ["W": W, "B": B]).write(to: URL(fileURLWithPath: "loss.svg"))
/// ```
public struct GraphPlot: CanvasFigure {
  /// The graph drawn.
  public let graph: ComputationGraph
  /// The title above the picture; empty for none.
  public let title: String
  /// The width of the figure, in SVG user units (pixels).
  public let width: Double
  /// The height of the figure, in SVG user units (pixels).
  public let height: Double
  let layout: LayeredLayout
  let sizes: [(width: Double, height: Double)]

  static let fontSize = 12.0
  static let lineHeight = 15.0
  static let paddingX = 10.0
  static let paddingY = 5.0
  static let titleHeight = 36.0

  /// Lays out `graph` (see `ComputationGraph` and `makeDot`).
  public init(graph: ComputationGraph, title: String = "") {
    self.graph = graph
    self.title = title
    let sizes = graph.nodes.map { node -> (width: Double, height: Double) in
      let lines = Self.lines(node.label)
      let textWidth = lines.map { TextMetrics.monoWidth($0, size: Self.fontSize) }.max() ?? 0
      return (
        max(36, textWidth + 2 * Self.paddingX),
        Double(lines.count) * Self.lineHeight + 2 * Self.paddingY
      )
    }
    self.sizes = sizes
    layout = LayeredLayout(sizes: sizes, edges: graph.edges.map { ($0.from, $0.to) })
    let titleSpace = title.isEmpty ? 0 : Self.titleHeight
    width = max(
      layout.width, title.isEmpty ? 0 : TextMetrics.width(title, size: Plot2D.titleSize) + 24)
    height = layout.height + titleSpace
  }

  /// The graph behind `tensor`, leaves named from `params`, as `makeDot` sees it.
  public init(_ tensor: Tensor, params: [String: Tensor] = [:], title: String = "") {
    self.init(graph: ComputationGraph(tensor, params: params), title: title)
  }

  static func lines(_ label: String) -> [String] {
    label.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }

  static func fill(_ kind: ComputationGraph.Kind) -> Color {
    switch kind {
    case .parameter, .leaf: .lightBlue
    case .output: .darkOliveGreen1
    case .viewBase: .darkOliveGreen3
    case .operation: .lightGray
    }
  }

  func draw() -> SVGCanvas {
    var canvas = SVGCanvas()
    // Centre the layout when the title is wider than the graph.
    let shift = Point((width - layout.width) / 2, title.isEmpty ? 0 : Self.titleHeight)
    func moved(_ p: Point) -> Point { Point(p.x + shift.x, p.y + shift.y) }
    if !title.isEmpty {
      canvas.text(title, at: Point(width / 2, 22), size: Plot2D.titleSize, anchor: .middle)
    }
    for (edge, route) in zip(graph.edges, layout.routes) {
      drawEdge(route.map(moved), dotted: edge.style == .dotted, on: &canvas)
    }
    for node in graph.nodes {
      let centre = moved(layout.centres[node.id])
      let size = sizes[node.id]
      canvas.rect(
        centre.x - size.width / 2, centre.y - size.height / 2, size.width, size.height,
        fill: Self.fill(node.kind), stroke: .black, strokeWidth: 1)
      let lines = Self.lines(node.label)
      let first = centre.y - Double(lines.count - 1) * Self.lineHeight / 2
      for (index, line) in lines.enumerated() {
        canvas.text(
          line, at: Point(centre.x, first + Double(index) * Self.lineHeight), size: Self.fontSize,
          anchor: .middle, color: .black, family: Fonts.mono)
      }
    }
    return canvas
  }

  /// A smooth path through the route (vertical tangents at every point, as `dot` draws
  /// splines between ranks) ending in a filled arrow head at the target's top.
  private func drawEdge(_ route: [Point], dotted: Bool, on canvas: inout SVGCanvas) {
    guard route.count >= 2, let end = route.last else { return }
    let head = 9.0
    var points = route
    // The line stops at the base of the head, so it does not poke through the tip.
    points[points.count - 1] = Point(end.x, end.y - head)
    var path = PathData()
    path.move(points[0])
    for (a, b) in zip(points, points.dropFirst()) {
      let bend = max(4, (b.y - a.y) / 2)
      path.curve(Point(a.x, a.y + bend), Point(b.x, b.y - bend), b)
    }
    canvas.path(path.text, fill: nil, stroke: .black, strokeWidth: 1, dash: dotted ? [2, 3] : nil)
    var arrow = PathData()
    arrow.move(end)
    arrow.line(Point(end.x - 4, end.y - head))
    arrow.line(Point(end.x + 4, end.y - head))
    arrow.close()
    canvas.path(arrow.text, fill: .black, stroke: .black, strokeWidth: 1)
  }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String { draw().document(width: width, height: height, title: title) }
}
