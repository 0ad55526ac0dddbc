import Descent
import Foundation
import Testing

@testable import DescentPlot

/// The figures of the reference experiments (shared REFERENCE.md), built from their data: each
/// must parse as SVG. With DESCENT_PLOT_GALLERY set they are written out to be looked at.
@Suite struct GalleryTests {
  static let heights: [Double] = [166, 176, 171, 173, 169]
  static let weights: [Double] = [58.7, 75.7, 62.1, 70.4, 60.1]

  /// R4's centred data and the line it fits (W = 1.820683, B = 0.3675114).
  @Test func r4ScatterAndFittedLine() throws {
    let mx = Self.heights.reduce(0, +) / 5
    let my = Self.weights.reduce(0, +) / 5
    let plot = try ScatterPlot(
      xs: Self.heights.map { $0 - mx }, ys: Self.weights.map { $0 - my }, name: "centred data",
      fit: FittedLine(slope: 1.820683, intercept: 0.3675114, name: "Y = 1.82 X + 0.37"),
      title: "Height and weight, centred", xLabel: "height − mean (cm)",
      yLabel: "weight − mean (kg)")
    let parsed = validateSVG(plot.svg())
    #expect(parsed.count("circle") >= 5)
    try saveForViewing(plot, "r4_scatter_fit")
    let raw = try ScatterPlot(
      xs: Self.heights, ys: Self.weights, name: "data",
      fit: FittedLine(slope: 1.820683, intercept: 0.3675114 + my - 1.820683 * mx, name: "fit"),
      title: "Height and weight", xLabel: "height (cm)", yLabel: "weight (kg)")
    _ = validateSVG(raw.svg())
    try saveForViewing(raw, "r4_scatter_raw")
  }

  /// R4's learning curve and R5's comparison of SGD with and without momentum.
  @Test func r5LearningCurves() throws {
    func train(momentum: Double) -> [Double] {
      let x: [Double] = [-5, 5, 0, 2, -2]
      let y: [Double] = [-6.7, 10.3, -3.3, 5.0, -5.3]
      var (w, b, vw, vb) = (1.0, 1.0, 0.0, 0.0)
      var losses: [Double] = []
      for _ in 0..<500 {
        let r = zip(x, y).map { w * $0 + b - $1 }
        losses.append(r.map { $0 * $0 }.reduce(0, +) / 5)
        let gw = zip(r, x).map { 2 * $0 * $1 }.reduce(0, +) / 5
        let gb = r.map { 2 * $0 }.reduce(0, +) / 5
        vw = momentum * vw + gw
        vb = momentum * vb + gb
        w -= 0.001 * vw
        b -= 0.001 * vb
      }
      return losses
    }
    let chart = try LineChart(
      series: [
        Series("SGD", ys: train(momentum: 0)),
        Series("SGD + momentum", ys: train(momentum: 0.9), dashed: true),
      ],
      title: "Learning curves (lr 0.001)", xLabel: "epoch", yLabel: "loss")
    _ = validateSVG(chart.svg())
    try saveForViewing(chart, "r5_learning_curves")
    let log = try LineChart(
      series: [
        Series("SGD", ys: train(momentum: 0)), Series("SGD + momentum", ys: train(momentum: 0.9)),
      ],
      title: "Learning curves, log scale", xLabel: "epoch", yLabel: "loss", logY: true)
    _ = validateSVG(log.svg())
    try saveForViewing(log, "r5_learning_curves_log")
  }

  static func r6Loss(_ u: Double, _ v: Double) -> Double {
    3 * u * u + 3 * v * v - u * v + 7 * u - 7 * v + 10
  }

  static func r6Path(steps: Int) -> [(Double, Double)] {
    var path = [(4.0, 4.0)]
    for _ in 0..<steps {
      let (u, v) = path[path.count - 1]
      path.append((u - 0.05 * (6 * u - v + 7), v - 0.05 * (6 * v - u - 7)))
    }
    return path
  }

  /// R6: the surface in 3-D with the first 11 points of the path, and the contour map.
  @Test func r6SurfaceAndContours() throws {
    let surface = try SurfacePlot3D(
      function: Self.r6Loss, u: -5...5, v: -5...5, path: Self.r6Path(steps: 10),
      title: "Gradient descent on L(u, v), α = 0.05", zLabel: "L")
    let parsed = validateSVG(surface.svg())
    #expect(parsed.count("circle") == 11)
    try saveForViewing(surface, "r6_surface3d")
    let contour = try ContourPlot(
      function: Self.r6Loss, u: -5...5, v: -5...5, levelCount: 14, path: Self.r6Path(steps: 20),
      pathName: "gradient descent", title: "L(u, v) = 3u² + 3v² − uv + 7u − 7v + 10",
      valueLabel: "L")
    _ = validateSVG(contour.svg())
    try saveForViewing(contour, "r6_contour")
  }

  /// R9: one panel per learning rate; lr 10 diverges and says so.
  @Test func r9LearningRates() throws {
    func loss(_ w: Double) -> Double { (w - 1) * (w - 1) + 2 }
    func descend(lr: Double, limit: Int) -> [Double] {
      var w = [2.0]
      while w.count <= limit {
        let gradient = 2 * (w[w.count - 1] - 1)
        if gradient == 0 { break }
        w.append(w[w.count - 1] - lr * gradient)
      }
      return w
    }
    let good = try CurvePlot(
      function: loss, over: -0.5...2.5, steps: descend(lr: 0.4, limit: 100),
      stepsName: "w after each step",
      title: "lr 0.4: stops after 23 steps", xLabel: "w", yLabel: "loss", width: 480, height: 380)
    let slow = try CurvePlot(
      function: loss, over: -0.5...2.5, steps: descend(lr: 0.001, limit: 100),
      title: "lr 0.001: 100 steps, w = 1.819", xLabel: "w", yLabel: "loss", width: 480, height: 380)
    let diverged = try CurvePlot(
      function: loss, over: -0.5...2.5, steps: Array(descend(lr: 10, limit: 3)),
      title: "lr 10", xLabel: "w", yLabel: "loss",
      notes: [Note("lr 10: diverged", color: .tabRed)], width: 480, height: 380)
    let grid = try FigureGrid(
      panels: [good, slow, diverged], title: "loss(w) = (w − 1)² + 2 from w = 2")
    let parsed = validateSVG(grid.svg())
    #expect(parsed.texts.contains("lr 10: diverged"))
    try saveForViewing(grid, "r9_learning_rates")
  }

  /// R10: cost(W) for x = y = [1, 2, 3] and the 10 steps of lr 0.1.
  @Test func r10CostCurve() throws {
    let x: [Double] = [1, 2, 3]
    func cost(_ w: Double) -> Double { x.map { (w * $0 - $0) * (w * $0 - $0) }.reduce(0, +) / 3 }
    var w = [0.0]
    for _ in 0..<10 {
      let gradient = x.map { (w[w.count - 1] * $0 - $0) * $0 }.reduce(0, +)
      w.append(w[w.count - 1] - 0.1 * gradient)
    }
    #expect(abs(w[1] - 1.4) < 1e-12)
    let plot = try CurvePlot(
      function: cost, over: -0.5...2.5, steps: w, curveName: "cost(W)",
      stepsName: "W after each epoch",
      title: "Cost as a function of W", xLabel: "W", yLabel: "cost")
    _ = validateSVG(plot.svg())
    try saveForViewing(plot, "r10_cost_curve")
  }

  /// R4's graphs of the prediction and of the loss, parameters named W and B.
  @Test func r4ComputationGraphs() throws {
    let X = Tensor([-5, 5, 0, 2, -2])
    let Y = Tensor([-6.7, 10.3, -3.3, 5.0, -5.3])
    let W = Tensor(1.0, requiresGrad: true)
    let B = Tensor(1.0, requiresGrad: true)
    let prediction = W * X + B
    let loss = ((prediction - Y) ** 2).mean()
    for (name, tensor) in [("r4_graph_prediction", prediction), ("r4_graph_loss", loss)] {
      let plot = GraphPlot(tensor, params: ["W": W, "B": B])
      let parsed = validateSVG(plot.svg())
      #expect(parsed.count("rect") == plot.graph.nodes.count + 1)
      try saveForViewing(plot, name)
    }
    let both = GraphPlot(
      graph: ComputationGraph(outputs: [prediction, loss], params: ["W": W, "B": B]),
      title: "Yp and loss")
    _ = validateSVG(both.svg())
    try saveForViewing(both, "r4_graph_both")
  }
}
