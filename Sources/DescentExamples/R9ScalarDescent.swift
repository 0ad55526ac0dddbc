import Descent
import DescentPlot
import Foundation

/// R9: gradient descent on a loss of one weight, `loss(w) = (w − 1)² + 2`, with three learning
/// rates: one that converges, one too small, and one so large that the weight diverges.
public enum R9ScalarDescent: Experiment {
  public static let name = "r9"
  public static let summary =
    "gradient descent on (w - 1)^2 + 2 with learning rates 0.4, 0.001 and 10"

  static func loss(_ w: Tensor) -> Tensor { (w - 1) ** 2 + 2 }

  /// The derivative at `w`, by autograd.
  static func derivative(at w: Double) -> Double {
    let weight = Tensor(w, dtype: .float64, requiresGrad: true)
    loss(weight).backward()
    return weight.grad!.item()
  }

  public static func run(_ context: ExperimentContext) throws {
    context.say(
      "w = 1: loss \(loss(Tensor(1.0, dtype: .float64)).item()), derivative \(derivative(at: 1))")
    let oneStep = 5 - 0.1 * derivative(at: 5)
    context.say("from w = 5, one step with lr 0.1: w = \(oneStep)")

    var panels: [any Figure] = []
    for learningRate in [0.4, 0.001, 10] {
      var weight = 2.0
      var iterations = 0
      let maxIterations = 100
      var path = [weight]
      // Stop when the derivative is exactly zero, or after maxIterations steps.
      while derivative(at: weight) != 0 && iterations < maxIterations {
        weight -= learningRate * derivative(at: weight)
        path.append(weight)
        iterations += 1
      }
      let finalLoss = loss(Tensor(weight, dtype: .float64)).item()
      let diverged = !weight.isFinite || Swift.abs(weight) > 1e6
      if diverged {
        context.say(
          "lr \(learningRate): diverged: after \(iterations) iterations |w| = \(String(format: "%.3e", Swift.abs(weight))) and growing; the learning rate is too large"
        )
      } else {
        context.say(
          "lr \(learningRate): \(iterations) iterations, w = \(fixed(weight, 5)), loss = \(fixed(finalLoss, 5))"
        )
      }
      panels.append(try panel(learningRate: learningRate, path: path, diverged: diverged))
    }
    try context.figure(
      "learning-rates",
      FigureGrid(panels: panels, title: "loss(w) = (w − 1)² + 2, gradient descent from w = 2"))
  }

  /// The path of one learning rate on the loss curve.
  static func panel(learningRate: Double, path: [Double], diverged: Bool) throws -> CurvePlot {
    func lossValue(_ w: Double) -> Double { (w - 1) * (w - 1) + 2 }
    guard !diverged else {
      // Only the first jump fits on a page: every step multiplies the distance to 1 by 19.
      let jumps = path.prefix(4).map { fixed($0, 0).replacingOccurrences(of: "-", with: "−") }
        .joined(separator: " → ")
      return try CurvePlot(
        function: lossValue, over: -20...22, steps: Array(path.prefix(2)),
        title: "lr \(fixed(learningRate, 0)): diverges", xLabel: "w", yLabel: "loss",
        notes: [
          Note("diverged: |w| grows without bound", at: .data(x: 1, y: 330), color: .tabRed),
          Note("w = \(jumps) …", at: .data(x: 1, y: 280), size: 12),
        ], width: 480, height: 380)
    }
    // Number only the start: the other steps crowd together; the title gives their count.
    let labels = path.indices.map { $0 == 0 ? "0" : "" }
    return try CurvePlot(
      function: lossValue, over: -1...3, steps: path, stepLabels: labels,
      title: "lr \(learningRate): \(path.count - 1) steps, w = \(fixed(path.last!, 3))",
      xLabel: "w", yLabel: "loss", width: 480, height: 380)
  }
}
