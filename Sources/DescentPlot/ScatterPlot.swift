/// A straight line `y = slope * x + intercept`, such as a fitted model.
public struct FittedLine: Sendable, Equatable {
  /// The change in y per unit of x.
  public var slope: Double
  /// The value of y at x = 0.
  public var intercept: Double
  /// The legend label; empty keeps it out of the legend.
  public var name: String
  /// The colour of the line.
  public var color: Color

  /// The line `y = slope * x + intercept`, drawn in `color` and shown as `name` in the legend.
  public init(slope: Double, intercept: Double, name: String = "fit", color: Color = .tabRed) {
    self.slope = slope
    self.intercept = intercept
    self.name = name
    self.color = color
  }
}

/// Points as `plt.scatter` draws them, with an optional fitted line across the data and any
/// other line series.
///
/// ```swift
/// let plot = try ScatterPlot(
///   xs: X, ys: Y, name: "data", fit: FittedLine(slope: w, intercept: b),
///   title: "Centred height and weight", xLabel: "height − mean", yLabel: "weight − mean")
/// ```
public struct ScatterPlot: CanvasFigure {
  /// Groups of points; each gets its own colour and legend row.
  public let points: [Series]
  /// The straight line drawn across the data, if any.
  public let fit: FittedLine?
  /// Extra lines drawn over the points.
  public let lines: [Series]
  /// The title above the picture; empty for none.
  public let title: String
  /// The label of the x axis.
  public let xLabel: String
  /// The label of the y axis.
  public let yLabel: String
  /// Remarks written on the axes.
  public let notes: [Note]
  /// The width of the figure, in SVG user units (pixels).
  public let width: Double
  /// The height of the figure, in SVG user units (pixels).
  public let height: Double

  /// A scatter plot of several groups of points.
  ///
  /// - Throws: `PlotError` when a group's or line's xs and ys differ in length, or for a
  ///   bad size.
  public init(
    points: [Series], fit: FittedLine? = nil, lines: [Series] = [], title: String = "",
    xLabel: String = "", yLabel: String = "", notes: [Note] = [], width: Double = 640,
    height: Double = 480
  ) throws {
    try validateSize(width, height)
    for item in points + lines { try item.validate(logY: false) }
    if let fit, !(fit.slope.isFinite && fit.intercept.isFinite) {
      throw PlotError.invalidArgument(
        "fitted line y = \(fit.slope) x + \(fit.intercept) is not finite")
    }
    self.points = points
    self.fit = fit
    self.lines = lines
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.notes = notes
    self.width = width
    self.height = height
  }

  /// A scatter plot of one group of points.
  public init(
    xs: [Double], ys: [Double], name: String = "", color: Color? = nil, fit: FittedLine? = nil,
    lines: [Series] = [], title: String = "", xLabel: String = "", yLabel: String = "",
    notes: [Note] = [], width: Double = 640, height: Double = 480
  ) throws {
    try self.init(
      points: [Series(name, xs: xs, ys: ys, color: color)], fit: fit, lines: lines, title: title,
      xLabel: xLabel, yLabel: yLabel, notes: notes, width: width, height: height)
  }

  func plot() -> Plot2D {
    var xs = Extent()
    var ys = Extent()
    for item in points + lines {
      for (x, y) in zip(item.xs, item.ys) where x.isFinite && y.isFinite {
        xs.add(x)
        ys.add(y)
      }
    }
    // The fitted line spans the x range of the data; its ends must be in view too.
    var fitEnds: [Point] = []
    if let fit {
      let (lower, upper) = xs.range(or: (0, 1))
      fitEnds = [lower, upper].map { Point($0, fit.slope * $0 + fit.intercept) }
      for end in fitEnds { ys.add(end.y) }
    }
    var plot = Plot2D(
      width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
      x: scale(nil, xs, log: false), y: scale(nil, ys, log: false))
    plot.notes = notes
    var colorIndex = 0
    for item in points {
      let color = item.color ?? Color.cycle(colorIndex)
      colorIndex += 1
      let data = zip(item.xs, item.ys).map { Point($0, $1) }
      plot.marks.append(.markers(data, color: color, radius: 4.5))
      if !item.name.isEmpty {
        plot.legend.append(LegendEntry(label: item.name, color: color, line: false, marker: true))
      }
    }
    if let fit {
      plot.marks.append(.line(fitEnds, color: fit.color, width: 2, dash: nil))
      if !fit.name.isEmpty {
        plot.legend.append(LegendEntry(label: fit.name, color: fit.color, lineWidth: 2))
      }
    }
    for item in lines {
      let color = item.color ?? Color.cycle(colorIndex)
      colorIndex += 1
      let dash: [Double]? = item.dashed ? [6, 4] : nil
      plot.marks.append(
        .line(
          zip(item.xs, item.ys).map { Point($0, $1) }, color: color, width: item.lineWidth,
          dash: dash))
      if !item.name.isEmpty {
        plot.legend.append(
          LegendEntry(label: item.name, color: color, dash: dash, lineWidth: item.lineWidth))
      }
    }
    return plot
  }

  func draw() -> SVGCanvas { plot().draw().0 }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String { draw().document(width: width, height: height, title: title) }
}
