/// A loss surface in 3-D as matplotlib's `contour3D` draws it: the iso-lines of f(u, v) lifted
/// to their height and seen from `view_init(elevation, azimuth)`, inside a box with grey back
/// panes, a grid and ticked axes; the path of gradient descent on top in red.
///
/// ```swift
/// let plot = try SurfacePlot3D(
///   function: { u, v in 3*u*u + 3*v*v - u*v + 7*u - 7*v + 10 }, u: -5...5, v: -5...5,
///   path: steps, title: "Gradient descent on L(u, v)")
/// ```
public struct SurfacePlot3D: CanvasFigure {
  /// The values of f(u, v) that are drawn.
  public let grid: Grid
  /// The heights of the iso-lines, increasing.
  public let levels: [Double]
  /// matplotlib's `elev` and `azim`, in degrees.
  public let elevation: Double
  /// matplotlib's `azim`: the rotation about the vertical axis, in degrees.
  public let azimuth: Double
  /// The title above the picture; empty for none.
  public let title: String
  /// The label of the x axis.
  public let xLabel: String
  /// The label of the y axis.
  public let yLabel: String
  /// The label of the vertical axis.
  public let zLabel: String
  /// The width of the figure, in SVG user units (pixels).
  public let width: Double
  /// The height of the figure, in SVG user units (pixels).
  public let height: Double
  let path: [Vector3]

  /// A surface from a grid of values; `path` points are (u, v, height).
  ///
  /// - Throws: `PlotError` for non-finite levels, angles or path points, or a bad size.
  public init(
    grid: Grid, levels: [Double]? = nil, levelCount: Int = 30, elevation: Double = 30,
    azimuth: Double = -60, path: [(Double, Double, Double)] = [], title: String = "",
    xLabel: String = "u", yLabel: String = "v", zLabel: String = "", width: Double = 640,
    height: Double = 560
  ) throws {
    try validateSize(width, height)
    guard elevation.isFinite, azimuth.isFinite else {
      throw PlotError.invalidArgument("view angles must be finite, got \(elevation), \(azimuth)")
    }
    guard levelCount >= 1, levelCount <= 500 else {
      throw PlotError.invalidArgument("levelCount must be in 1...500, got \(levelCount)")
    }
    guard path.allSatisfy({ $0.0.isFinite && $0.1.isFinite && $0.2.isFinite }) else {
      throw PlotError.invalidArgument("path points must be finite")
    }
    self.levels = try grid.levels(levels, count: levelCount, plot: "surface")
    self.grid = grid
    self.elevation = elevation
    self.azimuth = azimuth
    self.path = path.map { Vector3($0.0, $0.1, $0.2) }
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.zLabel = zLabel
    self.width = width
    self.height = height
  }

  /// Samples `function` first; the path is given as (u, v) and lifted to f(u, v).
  public init(
    function: (Double, Double) -> Double, u: ClosedRange<Double>, v: ClosedRange<Double>,
    resolution: Int = 61, levels: [Double]? = nil, levelCount: Int = 30, elevation: Double = 30,
    azimuth: Double = -60, path: [(Double, Double)] = [], title: String = "",
    xLabel: String = "u", yLabel: String = "v", zLabel: String = "", width: Double = 640,
    height: Double = 560
  ) throws {
    try self.init(
      grid: Grid(function: function, u: u, v: v, resolution: resolution), levels: levels,
      levelCount: levelCount, elevation: elevation, azimuth: azimuth,
      path: path.map { ($0.0, $0.1, function($0.0, $0.1)) }, title: title, xLabel: xLabel,
      yLabel: yLabel, zLabel: zLabel, width: width, height: height)
  }

  /// The data box: the grid's extent, and heights from the lowest to the highest finite value
  /// of the grid and the path.
  var dataBox: (lower: Vector3, upper: Vector3) {
    var heights = Extent()
    if let (low, high) = grid.valueRange {
      heights.add(low)
      heights.add(high)
    }
    heights.add(contentsOf: path.map(\.z))
    let (zLow, zHigh) = Ticks.nonsingular(heights.range(or: (0, 1)).0, heights.range(or: (0, 1)).1)
    return (
      Vector3(grid.us[0], grid.vs[0], zLow),
      Vector3(grid.us[grid.us.count - 1], grid.vs[grid.vs.count - 1], zHigh)
    )
  }

  func draw() -> SVGCanvas {
    let (lower, upper) = dataBox
    let scene = Scene3D(
      view: ViewProjection(elevation: elevation, azimuth: azimuth),
      box: BoxNormalizer(lower: lower, upper: upper), width: width, height: height,
      top: title.isEmpty ? 16 : 46)
    var canvas = SVGCanvas()
    scene.drawPanes(on: &canvas)
    for (index, level) in levels.enumerated() {
      let color = Color.viridis(levels.count > 1 ? Double(index) / Double(levels.count - 1) : 0.5)
      for line in MarchingSquares.isolines(grid, level: level) {
        canvas.polyline(
          line.map { scene.screen(Vector3($0.x, $0.y, level)) }, stroke: color, width: 1.1)
      }
    }
    scene.drawAxes(labels: (xLabel, yLabel, zLabel), on: &canvas)
    if !path.isEmpty {
      let points = path.map { scene.screen($0) }
      canvas.polyline(points, stroke: .tabRed, width: 1.8)
      for point in points {
        canvas.circle(point, radius: 4, fill: .tabRed, stroke: .white, strokeWidth: 0.8)
      }
    }
    if !title.isEmpty {
      canvas.text(title, at: Point(width / 2, 24), size: Plot2D.titleSize, anchor: .middle)
    }
    return canvas
  }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String { draw().document(width: width, height: height, title: title) }
}
