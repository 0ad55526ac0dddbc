/// Lines of (x, y) data with a legend, as `plt.plot` draws learning curves.
///
/// ```swift
/// let chart = try LineChart(
///   series: [Series("SGD", ys: sgdLosses), Series("SGD + momentum", ys: momentumLosses)],
///   title: "Learning curves", xLabel: "epoch", yLabel: "loss")
/// try chart.write(to: URL(fileURLWithPath: "curves.svg"))
/// ```
public struct LineChart: CanvasFigure {
  /// The lines, drawn in order.
  public let series: [Series]
  /// The title above the picture; empty for none.
  public let title: String
  /// The label of the x axis.
  public let xLabel: String
  /// The label of the y axis.
  public let yLabel: String
  /// Draws y on a log scale; every y value must then be positive.
  public let logY: Bool
  /// Fixed axis ranges; nil fits the data with a 5% margin. Lines leaving them are clipped.
  public let xRange: ClosedRange<Double>?
  /// The fixed y range; nil fits the data.
  public let yRange: ClosedRange<Double>?
  /// Remarks written on the axes.
  public let notes: [Note]
  /// The width of the figure, in SVG user units (pixels).
  public let width: Double
  /// The height of the figure, in SVG user units (pixels).
  public let height: Double

  /// A chart of `series`. With no series, or only NaN values, it draws empty axes.
  ///
  /// - Throws: `PlotError` when a series' xs and ys differ in length, when `logY` meets a
  ///   value ≤ 0, or for an empty range or a bad size.
  public init(
    series: [Series], title: String = "", xLabel: String = "", yLabel: String = "",
    logY: Bool = false, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
    notes: [Note] = [], width: Double = 640, height: Double = 480
  ) throws {
    try validateSize(width, height)
    for item in series { try item.validate(logY: logY) }
    if let xRange { try validateRange(xRange, name: "x") }
    if let yRange {
      try validateRange(yRange, name: "y")
      if logY && yRange.lowerBound <= 0 {
        throw PlotError.invalidRange(
          name: "log y", lower: yRange.lowerBound, upper: yRange.upperBound)
      }
    }
    self.series = series
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.logY = logY
    self.xRange = xRange
    self.yRange = yRange
    self.notes = notes
    self.width = width
    self.height = height
  }

  func plot() -> Plot2D {
    var xs = Extent()
    var ys = Extent(positiveOnly: logY)
    for item in series {
      for (x, y) in zip(item.xs, item.ys) where x.isFinite && y.isFinite {
        xs.add(x)
        ys.add(y)
      }
    }
    var plot = Plot2D(
      width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
      x: scale(xRange, xs, log: false), y: scale(yRange, ys, log: logY))
    plot.notes = notes
    for (index, item) in series.enumerated() {
      let color = item.color ?? Color.cycle(index)
      let dash: [Double]? = item.dashed ? [6, 4] : nil
      let points = zip(item.xs, item.ys).map { Point($0, $1) }
      plot.marks.append(.line(points, color: color, width: item.lineWidth, dash: dash))
      if item.markers { plot.marks.append(.markers(points, color: color, radius: 3.5)) }
      if !item.name.isEmpty {
        plot.legend.append(
          LegendEntry(
            label: item.name, color: color, dash: dash, marker: item.markers,
            lineWidth: item.lineWidth))
      }
    }
    return plot
  }

  func draw() -> SVGCanvas { plot().draw().0 }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String { draw().document(width: width, height: height, title: title) }
}

/// The axis for a fixed range, or fitted to the data seen (0...1 with no data: empty axes).
func scale(_ fixed: ClosedRange<Double>?, _ extent: Extent, log: Bool) -> AxisScale {
  if let fixed { return AxisScale(lower: fixed.lowerBound, upper: fixed.upperBound, isLog: log) }
  let (lower, upper) = extent.range(or: log ? (1, 10) : (0, 1))
  return AxisScale.fitting(lower, upper, isLog: log)
}
