/// A contour map of f(u, v): iso-lines at nice levels coloured by viridis, a colour bar, and
/// optionally the path of an optimiser drawn over it.
///
/// ```swift
/// let plot = try ContourPlot(
///   function: { u, v in 3*u*u + 3*v*v - u*v + 7*u - 7*v + 10 }, u: -5...5, v: -5...5,
///   path: steps, title: "L(u, v)", valueLabel: "L")
/// ```
public struct ContourPlot: CanvasFigure {
  /// The values of f(u, v) that are drawn.
  public let grid: Grid
  /// The levels drawn, increasing.
  public let levels: [Double]
  /// The title above the picture; empty for none.
  public let title: String
  /// The label of the u (horizontal) axis.
  public let uLabel: String
  /// The label of the v (vertical) axis.
  public let vLabel: String
  /// The label of the colour bar.
  public let valueLabel: String
  /// Whether a colour bar of the levels is drawn at the right.
  public let showsColorBar: Bool
  /// The width of the figure, in SVG user units (pixels).
  public let width: Double
  /// The height of the figure, in SVG user units (pixels).
  public let height: Double
  let path: [Point]
  let pathName: String
  let notes: [Note]

  /// A contour map of values on a grid.
  ///
  /// - Parameters:
  ///   - grid: The values f(u, v) on a grid.
  ///   - levels: The values to draw lines at; nil picks about `levelCount` nice values
  ///     strictly inside the range of the data.
  ///   - levelCount: About how many levels to pick when `levels` is nil.
  ///   - path: Points (u, v) joined by a line with red markers, first to last.
  ///   - pathName: The path's legend label; empty keeps it out of the legend.
  ///   - title: The title above the map.
  ///   - uLabel: The label of the horizontal axis.
  ///   - vLabel: The label of the vertical axis.
  ///   - valueLabel: The label of the colour bar.
  ///   - showsColorBar: Whether the colour bar of the levels is drawn.
  ///   - notes: Text placed on the map.
  ///   - width: The width of the figure, in SVG user units (pixels).
  ///   - height: The height of the figure, in SVG user units (pixels).
  /// - Throws: `PlotError` for non-finite levels or path points, or a bad size.
  public init(
    grid: Grid, levels: [Double]? = nil, levelCount: Int = 12, path: [(Double, Double)] = [],
    pathName: String = "", title: String = "", uLabel: String = "u", vLabel: String = "v",
    valueLabel: String = "", showsColorBar: Bool = true, notes: [Note] = [],
    width: Double = 640, height: Double = 520
  ) throws {
    try validateSize(width, height)
    guard levelCount >= 1, levelCount <= 500 else {
      throw PlotError.invalidArgument("levelCount must be in 1...500, got \(levelCount)")
    }
    self.levels = try grid.levels(levels, count: levelCount, plot: "contour")
    guard path.allSatisfy({ $0.0.isFinite && $0.1.isFinite }) else {
      throw PlotError.invalidArgument("path points must be finite")
    }
    self.grid = grid
    self.path = path.map { Point($0.0, $0.1) }
    self.pathName = pathName
    self.title = title
    self.uLabel = uLabel
    self.vLabel = vLabel
    self.valueLabel = valueLabel
    self.showsColorBar = showsColorBar
    self.notes = notes
    self.width = width
    self.height = height
  }

  /// Samples `function` on a `resolution` × `resolution` grid over `u` × `v` first.
  public init(
    function: (Double, Double) -> Double, u: ClosedRange<Double>, v: ClosedRange<Double>,
    resolution: Int = 101, levels: [Double]? = nil, levelCount: Int = 12,
    path: [(Double, Double)] = [], pathName: String = "", title: String = "",
    uLabel: String = "u", vLabel: String = "v", valueLabel: String = "",
    showsColorBar: Bool = true, notes: [Note] = [], width: Double = 640, height: Double = 520
  ) throws {
    try self.init(
      grid: Grid(function: function, u: u, v: v, resolution: resolution), levels: levels,
      levelCount: levelCount, path: path, pathName: pathName, title: title, uLabel: uLabel,
      vLabel: vLabel, valueLabel: valueLabel, showsColorBar: showsColorBar, notes: notes,
      width: width, height: height)
  }

  /// The colour of a level: its place between the lowest and highest level on viridis.
  func color(ofLevel level: Double) -> Color {
    guard let low = levels.first, let high = levels.last, high > low else { return .viridis(0.5) }
    return .viridis((level - low) / (high - low))
  }

  func draw() -> SVGCanvas {
    // Contours fill the grid exactly, as matplotlib sets the limits to the data.
    var plot = Plot2D(
      width: width, height: height, title: title, xLabel: uLabel, yLabel: vLabel,
      x: AxisScale(lower: grid.us[0], upper: grid.us[grid.us.count - 1], isLog: false),
      y: AxisScale(lower: grid.vs[0], upper: grid.vs[grid.vs.count - 1], isLog: false))
    plot.reservedRight = showsColorBar && !levels.isEmpty ? 86 : 0
    plot.notes = notes
    for level in levels {
      let lines = MarchingSquares.isolines(grid, level: level)
      plot.marks.append(.polylines(lines, color: color(ofLevel: level), width: 1.3))
    }
    if !path.isEmpty {
      plot.marks.append(.line(path, color: .tabRed, width: 1.6, dash: nil))
      plot.marks.append(.markers(path, color: .tabRed, radius: 4, thinned: true))
      if !pathName.isEmpty {
        plot.legend.append(
          LegendEntry(label: pathName, color: .tabRed, marker: true, lineWidth: 1.6))
      }
    }
    var (canvas, frame) = plot.draw()
    if plot.reservedRight > 0 { drawColorBar(beside: frame, on: &canvas) }
    return canvas
  }

  /// A vertical bar of the colour map from the lowest to the highest level, a line at each
  /// level, and nice tick labels.
  private func drawColorBar(beside frame: Rect, on canvas: inout SVGCanvas) {
    guard let low = levels.first, let high = levels.last else { return }
    let bar = Rect(x: frame.maxX + 16, y: frame.y, width: 14, height: frame.height)
    let bands = 64
    for band in 0..<bands {
      let t = (Double(band) + 0.5) / Double(bands)
      let y = bar.maxY - Double(band + 1) * bar.height / Double(bands)
      // A hair taller than the band so that no seam shows between neighbours.
      canvas.rect(bar.x, y - 0.3, bar.width, bar.height / Double(bands) + 0.6, fill: .viridis(t))
    }
    canvas.rect(bar.x, bar.y, bar.width, bar.height, fill: nil, stroke: .axisGray, strokeWidth: 0.8)
    let span = high - low
    func position(_ value: Double) -> Double {
      span > 0 ? bar.maxY - (value - low) / span * bar.height : bar.centre.y
    }
    let ticks =
      span > 0 ? Ticks.linear(low, high, maxIntervals: max(2, Int(bar.height / 60))) : [low]
    let labels =
      span > 0 ? Ticks.labels(ticks) : [TickLabel(text: Ticks.format(low, step: max(abs(low), 1)))]
    for (tick, label) in zip(ticks, labels) {
      let y = position(tick)
      canvas.line(Point(bar.maxX, y), Point(bar.maxX + 4, y), stroke: .axisGray)
      canvas.text(label.text, at: Point(bar.maxX + 7, y), size: Plot2D.tickSize)
    }
    if !valueLabel.isEmpty {
      let widest = labels.map { TextMetrics.width($0.text, size: Plot2D.tickSize) }.max() ?? 0
      canvas.text(
        valueLabel, at: Point(min(width - 10, bar.maxX + 16 + widest), bar.centre.y),
        size: Plot2D.labelSize, anchor: .middle, rotation: -90)
    }
  }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String { draw().document(width: width, height: height, title: title) }
}
