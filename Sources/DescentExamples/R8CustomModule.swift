import Descent
import DescentPlot

/// R8: a model of one's own: a `Module` subclass with two layers, printed as PyTorch prints it,
/// then trained briefly with each optimizer.
public enum R8CustomModule: Experiment {
  public static let name = "r8"
  public static let summary = "a custom module (fc1, ReLU, fc2), printed and trained"

  /// The notes' model: Linear, ReLU, Linear.
  final class simple: Module {
    let fc1: Linear
    let fc2: Linear

    init(input: Int, output: Int, hidden: Int) {
      fc1 = Linear(input, hidden)
      fc2 = Linear(hidden, output)
      super.init()
    }

    override func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
  }

  public static func run(_ context: ExperimentContext) throws {
    manualSeed(0)
    let model = simple(input: 1, output: 1, hidden: 4)
    context.say("\(model)")
    let dummy = Tensor.randn([2, 1])
    let output = model(dummy)
    context.say("output for a [2, 1] input: shape \(output.shape)")
    context.say("\(output)")

    // The graph behind the output, each parameter named as `namedParameters()` names it.
    let params = Dictionary(uniqueKeysWithValues: model.namedParameters())
    try context.text("graph.dot", makeDot(output, params: params))
    try context.figure(
      "graph", GraphPlot(output, params: params, title: "Computation graph of simple(x)"))

    // The same model trains with every optimizer: y = 2x + 1 on eight points.
    let x = Tensor.linspace(-1, 1, count: 8).unsqueeze(1)
    let y = 2 * x + 1
    let optimizers: [(String, ([Tensor]) -> Optimizer)] = [
      ("SGD", { SGD($0, lr: 0.1, momentum: 0.9) }), ("Adagrad", { Adagrad($0, lr: 0.3) }),
      ("RMSprop", { RMSprop($0, lr: 0.01) }), ("Adam", { Adam($0, lr: 0.05) }),
      ("AdamW", { AdamW($0, lr: 0.05) }),
    ]
    for (label, make) in optimizers {
      manualSeed(1)
      let net = simple(input: 1, output: 1, hidden: 8)
      let optimizer = make(net.parameters())
      let criterion = MSELoss()
      let first = criterion(net(x), y).item()
      var last = first
      for _ in 0..<200 {
        optimizer.zeroGrad()
        let loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
        last = loss.item()
      }
      context.say("\(label): loss \(fixed(first, 4)) -> \(fixed(last, 4))")
    }
  }
}
