import Foundation
import Testing

@testable import DescentPlot

/// Line charts, scatter plots and curve plots on awkward data: every result parses as SVG
/// with no NaN in it, and bad input is refused with a clear error.
@Suite struct ChartTests {
  @Test func noSeriesDrawsEmptyAxes() throws {
    let parsed = validateSVG(try LineChart(series: [], title: "nothing yet").svg())
    try saveForViewing(try LineChart(series: [], title: "nothing yet"), "edge_empty")
    #expect(parsed.count("polyline") == 0)
    #expect(parsed.texts.contains("nothing yet"))
    #expect(parsed.texts.contains("0.0") || parsed.texts.contains("0"))  // axes still ticked
    let empty = try LineChart(series: [Series("loss", ys: [])])
    #expect(validateSVG(empty.svg()).count("polyline") == 0)
  }

  @Test func singlePointShowsAsADot() throws {
    let parsed = validateSVG(try LineChart(series: [Series("one", xs: [3], ys: [7])]).svg())
    // The point and the legend sample; no line.
    #expect(parsed.count("circle") == 1)
    #expect(parsed.count("polyline") == 0)
    let scatter = validateSVG(try ScatterPlot(xs: [3], ys: [7]).svg())
    #expect(scatter.count("circle") == 1)
  }

  @Test func constantDataGetsAUsableRange() throws {
    let chart = try LineChart(series: [Series("flat", ys: [2, 2, 2, 2])])
    try saveForViewing(chart, "edge_constant")
    let parsed = validateSVG(chart.svg())
    #expect(parsed.count("polyline") == 1)
    #expect(chart.plot().y.lower < 2 && chart.plot().y.upper > 2)
    let zero = try LineChart(series: [Series("zero", ys: [0, 0])])
    #expect(zero.plot().y.lower < 0 && zero.plot().y.upper > 0)
  }

  @Test func nanAndInfinityLeaveGaps() throws {
    let ys: [Double] = [1, 2, .nan, 4, .infinity, 6, 7, -.infinity]
    let chart = try LineChart(series: [Series("gappy", ys: ys)])
    let svg = chart.svg()
    let parsed = validateSVG(svg)
    try saveForViewing(chart, "edge_nan_gaps")
    // Runs 0–1 and 5–6 are lines; 3 has no finite neighbour and becomes a dot.
    #expect(parsed.count("polyline") == 2)
    #expect(parsed.count("circle") == 1)
    #expect(!svg.lowercased().contains("nan") && !svg.lowercased().contains("inf"))
    let allNaN = try LineChart(series: [Series("none", ys: [.nan, .nan])])
    #expect(validateSVG(allNaN.svg()).count("polyline") == 0)
  }

  @Test func hugeAndTinyRangesAreTicked() throws {
    for (lower, upper) in [
      (1e-12, 3e-12), (1e15, 4e15), (-1e300, 1e300), (1e200, 1e200),
      (Double.leastNonzeroMagnitude, 2 * Double.leastNonzeroMagnitude),
    ] {
      let chart = try LineChart(series: [
        Series("s", xs: [0, 1, 2], ys: [lower, (lower + upper) / 2, upper])
      ])
      let parsed = validateSVG(chart.svg())
      try saveForViewing(chart, "edge_range_\(lower)")
      #expect(parsed.count("polyline") == 1, "\(lower)...\(upper)")
      // Some y tick labels, none empty, none repeated.
      let layout = chart.plot().layout()
      #expect(layout.yTicks.count >= 2, "\(lower)...\(upper)")
      let labels = layout.yLabels.map(\.text)
      #expect(Set(labels).count == labels.count, "\(labels)")
    }
  }

  @Test func logAxisRefusesNonPositiveValues() throws {
    #expect(throws: PlotError.nonPositiveOnLogAxis(series: "loss", index: 2, value: 0)) {
      try LineChart(series: [Series("loss", ys: [3, 1, 0, 0.5])], logY: true)
    }
    #expect(throws: PlotError.self) {
      try LineChart(series: [Series("loss", ys: [-1])], logY: true)
    }
    let message = PlotError.nonPositiveOnLogAxis(series: "loss", index: 2, value: 0).description
    #expect(message.contains("y[2] = 0.0") && message.contains("log axis"))
    // NaN is a gap, not an error.
    let chart = try LineChart(series: [Series("loss", ys: [100, .nan, 1, 0.01])], logY: true)
    let parsed = validateSVG(chart.svg())
    #expect(parsed.texts.contains("10"))  // "10" with a raised exponent
  }

  @Test func logAxisSpansDecades() throws {
    let losses = (0..<100).map { 200 * exp(-Double($0) / 8) }
    let chart = try LineChart(series: [Series("loss", ys: losses)], logY: true)
    try saveForViewing(chart, "edge_log_decades")
    let layout = chart.plot().layout()
    #expect(layout.yLabels.allSatisfy { $0.text == "10" && $0.exponent != nil })
    _ = validateSVG(chart.svg())
  }

  @Test func textIsEscaped() throws {
    let chart = try LineChart(
      series: [Series("<loss & cost>", ys: [1, 2])], title: "\"quoted\" & <b>", xLabel: "a < b",
      yLabel: "it's", notes: [Note("x > 0 & y < 1")])
    let svg = chart.svg()
    let parsed = validateSVG(svg)
    try saveForViewing(chart, "edge_escaping")
    #expect(parsed.texts.contains("<loss & cost>"))
    #expect(parsed.texts.contains("\"quoted\" & <b>"))
    #expect(parsed.texts.contains("x > 0 & y < 1"))
    #expect(svg.contains("&lt;loss &amp; cost&gt;"))
  }

  @Test func mismatchedSeriesAreRefused() {
    #expect(throws: PlotError.lengthMismatch(series: "bad", xCount: 3, yCount: 2)) {
      try LineChart(series: [Series("bad", xs: [1, 2, 3], ys: [1, 2])])
    }
    #expect(throws: PlotError.self) { try ScatterPlot(xs: [1], ys: []) }
    #expect(throws: PlotError.self) { try LineChart(series: [], width: 0) }
    #expect(throws: PlotError.self) { try LineChart(series: [], xRange: 1...1) }
    #expect(throws: PlotError.self) { try LineChart(series: [], logY: true, yRange: 0...1) }
  }

  @Test func fixedRangesClipLines() throws {
    let chart = try LineChart(
      series: [Series("wide", xs: [-10, 0, 10], ys: [-10, 0, 10])], xRange: -1...1, yRange: -1...1)
    let svg = chart.svg()
    _ = validateSVG(svg)
    let frame = chart.plot().layout().frame
    // Every polyline point lies inside the frame.
    let polyline = try #require(svg.split(separator: "\n").first { $0.hasPrefix("<polyline") })
    let points = polyline.split(separator: "\"")[1].split(separator: " ").map { pair in
      pair.split(separator: ",").map { Double($0)! }
    }
    for p in points {
      #expect(frame.contains(Point(p[0], p[1]), tolerance: 0.01))
    }
  }

  @Test func seriesTakeTab10ColoursInOrder() throws {
    let chart = try LineChart(series: [
      Series("a", ys: [1, 2]), Series("b", ys: [2, 1]), Series("c", ys: [1, 1], color: .black),
    ])
    let svg = chart.svg()
    #expect(svg.contains("stroke=\"#1f77b4\""))
    #expect(svg.contains("stroke=\"#ff7f0e\""))
    #expect(svg.contains("stroke=\"#000000\""))
    let dashed = try LineChart(series: [Series("a", ys: [1, 2], dashed: true)]).svg()
    #expect(dashed.contains("stroke-dasharray"))
  }

  @Test func scatterWithFittedLineSpansTheData() throws {
    let plot = try ScatterPlot(
      xs: [-5, 5, 0, 2, -2], ys: [-6.7, 10.3, -3.3, 5.0, -5.3], name: "data",
      fit: FittedLine(slope: 1.820683, intercept: 0.3675114),
      lines: [Series("y = x", xs: [-5, 5], ys: [-5, 5])])
    let parsed = validateSVG(plot.svg())
    #expect(parsed.count("circle") == 5 + 1)  // the points and the legend marker
    #expect(parsed.texts.contains("fit") && parsed.texts.contains("y = x"))
    // The fitted line's ends, Y = [-8.7359, 9.4709], are within the y axis.
    let y = plot.plot().y
    #expect(y.lower < -8.7359 && y.upper > 10.3)
    #expect(throws: PlotError.self) {
      try ScatterPlot(xs: [1], ys: [1], fit: FittedLine(slope: .nan, intercept: 0))
    }
  }

  @Test func curvePlotMarksEverySteps() throws {
    let steps = [0, 1.4, 0.84, 1.064, 0.9744]
    let plot = try CurvePlot(
      function: { ($0 - 1) * ($0 - 1) }, over: -0.5...2.5, steps: steps, stepsName: "steps")
    let parsed = validateSVG(plot.svg())
    #expect(Swift.abs(plot.stepValues[1] - 0.16) < 1e-12)  // (1.4 − 1)²
    #expect(parsed.texts.contains("0") && parsed.texts.contains("1"))
    #expect(parsed.count("circle") >= 4)
    // Steps outside the range widen it so the curve is under them.
    let wide = try CurvePlot(function: { $0 * $0 }, over: 0...1, steps: [5, -3])
    #expect(wide.curve.xs.first == -3 && wide.curve.xs.last == 5)
    // A function undefined in places leaves a gap, never NaN in the SVG.
    let log = try CurvePlot(function: { Foundation.log($0) }, over: -1...3)
    _ = validateSVG(log.svg())
    #expect(throws: PlotError.self) {
      try CurvePlot(function: { $0 }, over: 0...1, steps: [1], stepLabels: [])
    }
    #expect(throws: PlotError.self) { try CurvePlot(function: { $0 }, over: 0...1, samples: 1) }
  }

  @Test func notesSitInTheEmptiestCorner() throws {
    // Data rising from the bottom left to the top right leaves the top left free.
    let chart = try LineChart(
      series: [
        Series("", xs: Array(0..<50).map(Double.init), ys: Array(0..<50).map { Double($0 * $0) })
      ],
      notes: [Note("diverged")])
    let svg = chart.svg()
    _ = validateSVG(svg)
    let frame = chart.plot().layout().frame
    let line = try #require(svg.split(separator: "\n").first { $0.contains(">diverged<") })
    let x = Double(line.split(separator: "\"")[1])!
    #expect(x < frame.centre.x)
  }
}
