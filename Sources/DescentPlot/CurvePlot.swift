/// A function of one weight, such as cost(w), with the steps of gradient descent on it:
/// markers at (wₖ, f(wₖ)) joined by arrows and numbered, as the course notes draw it.
///
/// ```swift
/// let plot = try CurvePlot(
///   function: { w in (w - 1) * (w - 1) + 2 }, over: -1...5, steps: [5, 4.2, 3.56, 3.05],
///   title: "loss(w) = (w − 1)² + 2", xLabel: "w", yLabel: "loss")
/// ```
public struct CurvePlot: CanvasFigure {
  /// The sampled curve.
  public let curve: Series
  /// The weights visited, in order.
  public let steps: [Double]
  /// The values of the function at `steps`.
  public let stepValues: [Double]
  /// The text beside each step (its index by default).
  public let stepLabels: [String]
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
  /// The legend label of the steps; empty keeps them out of the legend.
  let stepsName: String

  /// Samples `function` over `range`, widened to take in every finite step, and marks the
  /// steps. Where the function is NaN or infinite the curve has a gap.
  ///
  /// - Throws: `PlotError` for an empty range, fewer than 2 samples, labels that do not
  ///   match the steps, or a bad size.
  public init(
    function: (Double) -> Double, over range: ClosedRange<Double>, steps: [Double] = [],
    stepLabels: [String]? = nil, samples: Int = 241, curveName: String = "",
    stepsName: String = "", title: String = "", xLabel: String = "w", yLabel: String = "cost",
    notes: [Note] = [], width: Double = 640, height: Double = 480
  ) throws {
    try validateSize(width, height)
    try validateRange(range, name: "curve")
    guard samples >= 2, samples <= 1_000_000 else {
      throw PlotError.invalidArgument("samples must be in 2...1000000, got \(samples)")
    }
    if let stepLabels, stepLabels.count != steps.count {
      throw PlotError.invalidArgument(
        "\(stepLabels.count) step labels for \(steps.count) steps; give one label per step")
    }
    var extent = Extent()
    extent.add(range.lowerBound)
    extent.add(range.upperBound)
    extent.add(contentsOf: steps)
    let (lower, upper) = extent.range(or: (range.lowerBound, range.upperBound))
    let xs = (0..<samples).map { lower + (upper - lower) * Double($0) / Double(samples - 1) }
    self.curve = Series(curveName, xs: xs, ys: xs.map(function), color: .tabBlue, lineWidth: 2)
    self.steps = steps
    self.stepValues = steps.map(function)
    self.stepLabels = stepLabels ?? steps.indices.map(String.init)
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.notes = notes
    self.width = width
    self.height = height
    self.stepsName = stepsName
  }

  func plot() -> Plot2D {
    var xs = Extent()
    var ys = Extent()
    for (x, y) in zip(curve.xs, curve.ys) where y.isFinite {
      xs.add(x)
      ys.add(y)
    }
    for (x, y) in zip(steps, stepValues) where x.isFinite && y.isFinite {
      xs.add(x)
      ys.add(y)
    }
    var plot = Plot2D(
      width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
      x: scale(nil, xs, log: false), y: scale(nil, ys, log: false))
    plot.notes = notes
    plot.marks.append(
      .line(zip(curve.xs, curve.ys).map { Point($0, $1) }, color: .tabBlue, width: 2, dash: nil))
    if !curve.name.isEmpty {
      plot.legend.append(LegendEntry(label: curve.name, color: .tabBlue, lineWidth: 2))
    }
    let points = zip(steps, stepValues).map { Point($0, $1) }
    let stepColor = Color.tabRed
    plot.marks.append(.arrows(points, color: stepColor.mixed(with: .black, 0.15), width: 1.3))
    plot.marks.append(.markers(points, color: stepColor, radius: 4.5, thinned: true))
    plot.marks.append(.labels(points, stepLabels, color: .textDark))
    if !stepsName.isEmpty {
      plot.legend.append(LegendEntry(label: stepsName, color: stepColor, line: false, marker: true))
    }
    return plot
  }

  func draw() -> SVGCanvas { plot().draw().0 }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String { draw().document(width: width, height: height, title: title) }
}
