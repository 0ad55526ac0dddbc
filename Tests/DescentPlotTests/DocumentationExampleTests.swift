import Descent
import DescentPlot
import Foundation
import Testing

/// The examples of the "Drawing pictures" article, as written there: they compile, and each
/// figure draws what the article says it draws.
@Suite struct DocumentationExampleTests {
  @Test func articleFiguresDraw() throws {
    let X = Tensor([-5, 5, 0, 2, -2])
    let Y = Tensor([-6.7, 10.3, -3.3, 5.0, -5.3])
    let W = Tensor(1.0, requiresGrad: true)
    let B = Tensor(1.0, requiresGrad: true)
    let optimizer = SGD([W, B], lr: 0.001)
    var epochs: [Double] = []
    var losses: [Double] = []
    for epoch in 0..<500 {
      let loss = ((W * X + B - Y) ** 2).mean()
      optimizer.zeroGrad(); loss.backward(); optimizer.step()
      if epoch % 10 == 0 {
        epochs.append(Double(epoch))
        losses.append(loss.item())
      }
    }
    let chart = try LineChart(
      series: [Series("SGD", xs: epochs, ys: losses, color: .tabRed)],
      title: "Learning curve", xLabel: "epoch", yLabel: "loss")
    #expect(chart.svg().contains("Learning curve"))
    let plot = try ScatterPlot(
      xs: X.toDoubles(), ys: Y.toDoubles(), name: "data", color: .black,
      fit: FittedLine(slope: W.item(), intercept: B.item(), name: "Y = W X + B"),
      title: "Height vs weight", xLabel: "height (cm)", yLabel: "weight (kg)")
    #expect(plot.svg().contains("Y = W X + B"))
    let cost: (Double) -> Double = { w in (w - 1) * (w - 1) + 2 }
    let steps = [5.0, 4.2, 3.56, 3.048]
    let curve = try CurvePlot(
      function: cost, over: -2...6, steps: steps, curveName: "loss(w)",
      stepsName: "lr 0.1", title: "Gradient descent", xLabel: "w", yLabel: "loss")
    #expect(curve.svg().contains("lr 0.1"))
    let L: (Double, Double) -> Double = { u, v in
      3 * u * u + 3 * v * v - u * v + 7 * u - 7 * v + 10
    }
    let path = [(4.0, 4.0), (2.45, 2.45), (1.2, 1.3)]
    let flat = try ContourPlot(function: L, u: -5...5, v: -5...5, path: path, title: "L(u, v)")
    let surface = try SurfacePlot3D(function: L, u: -5...5, v: -5...5, path: path)
    #expect(flat.svg().contains("L(u, v)") && surface.svg().hasPrefix("<?xml"))
    let loss = ((W * X + B - Y) ** 2).mean()
    let graph = GraphPlot(loss, params: ["W": W, "B": B], title: "loss")
    #expect(graph.svg().contains("MeanBackward0"))
    let grid = try FigureGrid(panels: [chart, plot], columns: 2, title: "R4")
    #expect(grid.svg().contains("R4"))
  }
}
