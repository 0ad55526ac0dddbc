import Descent
import DescentPlot
import Foundation

/// R4: heights and weights of five people, centred, fitted by gradient descent with the update
/// written by hand inside `noGrad`.
public enum R4HeightWeight: Experiment {
  public static let name = "r4"
  public static let summary = "height and weight, centred data, autograd with a hand-written update"

  /// The five people of the notes: height (cm) and weight (kg).
  static let heights: [Double] = [166, 176, 171, 173, 169]
  static let weights: [Double] = [58.7, 75.7, 62.1, 70.4, 60.1]

  public static func run(_ context: ExperimentContext) throws {
    // The data, and the same data centred on its mean. The notes centre NumPy's float64 arrays
    // and only then convert (`torch.tensor(X).float()`); centring in float32 would move B's
    // seventh digit.
    let (x, y) = (Tensor(heights, dtype: .float64), Tensor(weights, dtype: .float64))
    let (X, Y) = centred(x, y)
    context.say("X = \(X)")
    context.say("Y = \(Y)")
    try context.figure("data", scatter(heights, weights, title: "Height vs weight"))
    try context.figure(
      "centred",
      scatter(
        X.toDoubles(), Y.toDoubles(), title: "Height vs weight, centred on the means",
        xLabel: "height − mean (cm)", yLabel: "weight − mean (kg)"))

    // The parameters of the line W·X + B, with gradients.
    var W = Tensor(1.0, requiresGrad: true)
    var B = Tensor(1.0, requiresGrad: true)
    func predict(_ X: Tensor) -> Tensor { W * X + B }
    func mse(_ Yp: Tensor, _ Y: Tensor) -> Tensor { ((Yp - Y) ** 2).mean() }

    // One step, shown piece by piece; the graphs are torchviz's `make_dot` pictures.
    let Yp = predict(X)
    context.say("Yp = \(Yp)")
    let loss = mse(Yp, Y)
    context.say("loss = \(loss)")
    let params = ["W": W, "B": B]
    try context.text("graph-yp.dot", makeDot(Yp, params: params))
    try context.figure("graph-yp", GraphPlot(Yp, params: params, title: "Computation graph of Yp"))
    try context.text("graph-loss.dot", makeDot(loss, params: params))
    try context.figure(
      "graph-loss", GraphPlot(loss, params: params, title: "Computation graph of loss"))
    loss.backward()
    context.say("after backward: W.grad = \(W.grad!), B.grad = \(B.grad!)")
    let learningRate = 0.001
    noGrad {
      W -= learningRate * W.grad!
      B -= learningRate * B.grad!
    }
    W.grad!.zero_()
    B.grad!.zero_()
    context.say(
      "after one update inside noGrad with lr = 0.001: W = \(W), B = \(B), W.grad = \(W.grad!), B.grad = \(B.grad!)"
    )

    // The training loop: 500 epochs from W = B = 1, the loss recorded every 10 epochs.
    W = Tensor(1.0, requiresGrad: true)
    B = Tensor(1.0, requiresGrad: true)
    var history: [(epoch: Int, loss: Double)] = []
    for epoch in 0..<500 {
      let loss = mse(predict(X), Y)
      loss.backward()
      noGrad {
        W -= learningRate * W.grad!
        B -= learningRate * B.grad!
      }
      W.grad!.zero_()
      B.grad!.zero_()
      if epoch % 10 == 0 {
        history.append((epoch, loss.item()))
        context.say("epoch = \(epoch) loss = \(fixed(loss.item(), 4))")
      }
    }
    context.say("W = \(String(format: "%.7g", W.item())), B = \(String(format: "%.7g", B.item()))")
    context.say(
      "initial loss: \(fixed(history.first!.loss, 4)), final loss: \(fixed(history.last!.loss, 4))")
    try context.figure(
      "learning-curve",
      LineChart(
        series: [Series("", xs: history.map { Double($0.epoch) }, ys: history.map(\.loss))],
        title: "Learning curve", xLabel: "epoch", yLabel: "loss"))

    // The fitted line over the range of X.
    let xRange = Tensor([X.min().item(), X.max().item()])
    let yRange = noGrad { predict(xRange) }
    context.say(
      "line over X in [\(fixed(xRange[0].item(), 0)), \(fixed(xRange[1].item(), 0))]: Y = \(yRange)"
    )
    let line = FittedLine(
      slope: W.item(), intercept: B.item(),
      name: "Y = \(fixed(W.item(), 3)) X + \(fixed(B.item(), 3))", color: .tabBlue)
    try context.figure(
      "fit-centred",
      scatter(
        X.toDoubles(), Y.toDoubles(), fit: line, title: "Fitted line, centred data",
        xLabel: "height − mean (cm)", yLabel: "weight − mean (kg)"))

    // Back to raw units: y = W·(x − mean x) + B + mean y.
    let (mx, my) = (x.mean().item(), y.mean().item())
    let rawLine = FittedLine(
      slope: W.item(), intercept: B.item() + my - W.item() * mx,
      name: "y = \(fixed(W.item(), 3)) (x − \(fixed(mx, 0))) + \(fixed(B.item() + my, 2))",
      color: .tabBlue)
    try context.figure(
      "fit-raw", scatter(heights, weights, fit: rawLine, title: "Fitted line, raw data"))
  }

  /// `x − mean(x)` and `y − mean(y)`, centred in the data's own precision and then converted to
  /// float32, as the notes do.
  static func centred(_ x: Tensor, _ y: Tensor) -> (X: Tensor, Y: Tensor) {
    ((x - x.mean()).float(), (y - y.mean()).float())
  }

  /// The notes' scatter: black points, height across, weight up.
  static func scatter(
    _ xs: [Double], _ ys: [Double], fit: FittedLine? = nil, title: String,
    xLabel: String = "height (cm)", yLabel: String = "weight (kg)"
  ) throws -> ScatterPlot {
    try ScatterPlot(
      xs: xs, ys: ys, name: fit == nil ? "" : "data", color: .black, fit: fit, title: title,
      xLabel: xLabel, yLabel: yLabel)
  }
}
