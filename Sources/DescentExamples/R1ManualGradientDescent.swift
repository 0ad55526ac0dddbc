import Descent
import DescentPlot

/// R1: linear regression by hand, NumPy style: no autograd, float64, the update written out.
///
/// The notes drop the factor 2 of the MSE gradient: `w -= lr · mean((ŷ − y)·x)`.
public enum R1ManualGradientDescent: Experiment {
  public static let name = "r1"
  public static let summary =
    "manual gradient descent on 30 points, NumPy style (float64, no autograd)"

  /// The 30 points of the notes: x = 1…30 and the measured y.
  public static let xs: [Double] = (1...30).map(Double.init)
  public static let ys: [Double] = [
    0.94, 1.98, 2.88, 3.92, 3.96, 4.55, 5.64, 6.3, 7.44, 9.1, 8.46, 9.5, 10.67, 11.16, 14,
    11.83, 14.4, 14.25, 16.2, 16.32, 17.46, 19.8, 18, 21.34, 22, 22.5, 24.57, 26.04, 21.6, 28.8,
  ]

  public static func run(_ context: ExperimentContext) throws {
    let x = Tensor(xs, dtype: .float64).reshaped(30, 1)
    let y = Tensor(ys, dtype: .float64).reshaped(30, 1)
    var weight = 0.0
    var bias = 0.0
    let learningRate = 0.005
    var costs: [Double] = []

    for epoch in 0..<10000 {
      let yHat = x * weight + bias
      let cost = ((y - yHat) ** 2).mean().item()
      costs.append(cost)
      weight -= learningRate * ((yHat - y) * x).mean().item()
      bias -= learningRate * (yHat - y).mean().item()
      if (epoch + 1) % 1000 == 0 {
        context.say(
          "Epoch : \(padded(epoch + 1, 4)), Weight : \(fixed(weight, 3)), Bias : \(fixed(bias, 3)), Cost : \(fixed(cost, 3))"
        )
      }
    }

    try drawFitAndCost(context, weight: weight, bias: bias, runs: [("", costs)])
  }

  /// The data with the fitted line, and the cost after each epoch (R2 draws the same two).
  /// `runs` are the costs of each run, named.
  static func drawFitAndCost(
    _ context: ExperimentContext, weight: Double, bias: Double, runs: [(String, [Double])]
  ) throws {
    let sign = bias < 0 ? "−" : "+"
    try context.figure(
      "fit",
      ScatterPlot(
        xs: xs, ys: ys, name: "data", color: .black,
        fit: FittedLine(
          slope: weight, intercept: bias,
          name: "y = \(fixed(weight, 3)) x \(sign) \(fixed(Swift.abs(bias), 3))"),
        title: "The 30 points and the fitted line", xLabel: "x", yLabel: "y"))

    // The cost falls from about 200 to 1.4 in a few epochs, then creeps down to 1.372:
    // one panel for the fall, one zoomed in on the slow end (every 10th epoch).
    let fall = 20
    func part(_ epochs: [Int]) -> [Series] {
      runs.enumerated().map { index, run in
        Series(
          run.0, xs: epochs.map { Double($0) }, ys: epochs.map { run.1[$0 - 1] },
          dashed: index > 0)
      }
    }
    let count = runs[0].1.count
    try context.figure(
      "cost",
      FigureGrid(
        panels: [
          LineChart(
            series: part(Array(1...fall)), title: "The first \(fall) epochs", xLabel: "epoch",
            yLabel: "cost", width: 480, height: 380),
          LineChart(
            series: part(Array(stride(from: fall, through: count, by: 10))),
            title: "Epochs \(fall)–\(count), zoomed in", xLabel: "epoch", yLabel: "cost",
            width: 480, height: 380),
        ], title: "Cost after each epoch"))
  }
}
