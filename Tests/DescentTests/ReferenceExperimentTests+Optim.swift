import Foundation
import Testing

@testable import DescentExamples

/// R2, R3, R5, R7, R8 and the second half of R10: the lines REFERENCE.md lists, and where the
/// data are random, the numbers PyTorch prints for the same seed (Descent's generator and
/// initialisation are PyTorch's): Tests/Fixtures/experiments.json, made by
/// make_experiment_fixtures.py.
extension ReferenceExperimentTests {
  struct SeededRuns: Decodable {
    struct R2: Decodable {
      let initial_weight, initial_bias, final_weight, final_bias, last_cost: Double
    }
    struct R7: Decodable { let adam, sgd: [Double] }
    struct R8: Decodable {
      struct Run: Decodable { let first, last: Double }
      let module, output: String
      let optimizers: [String: Run]
    }
    let r2_random_start: R2
    let r7: R7
    let r8: R8
  }

  static let seeded: SeededRuns = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/experiments.json")
    return try! JSONDecoder().decode(SeededRuns.self, from: Data(contentsOf: url))
  }()

  @Test func r2PrintsTheSGDRun() {
    let printed = lines(of: R2OptimSGD.self)
    for line in [
      "Epoch : 1000, Weight : 0.864, Bias : -0.138, Cost : 1.393",
      "Epoch : 5000, Weight : 0.877, Bias : -0.391, Cost : 1.373",
      "Epoch : 10000, Weight : 0.879, Bias : -0.432, Cost : 1.372",
    ] {
      #expect(printed.contains(line), "missing: \(line)")
    }
    // The Linear + MSELoss run with zeroed parameters prints the same numbers.
    let afterLinear = printed.drop { !$0.hasPrefix("Linear(1, 1) + MSELoss") }
    #expect(afterLinear.contains("Epoch : 10000, Weight : 0.879, Bias : -0.432, Cost : 1.372"))
    // PyTorch: torch.manual_seed(0); nn.Linear(1, 1), then the same 10000 steps.
    let pytorch = Self.seeded.r2_random_start
    let start =
      "  weight \(fixed(pytorch.initial_weight, 4)), bias \(fixed(pytorch.initial_bias, 4))"
    #expect(printed.contains(start), "missing: \(start)")
    #expect(
      printed.last
        == "Epoch : 10000, Weight : \(fixed(pytorch.final_weight, 3)), Bias : \(fixed(pytorch.final_bias, 3)), Cost : \(fixed(pytorch.last_cost, 3))"
    )
  }

  @Test func r3ShowsEachStep() {
    let printed = lines(of: R3TrainingStepByStep.self)
    #expect(printed.count == 15)
    #expect(printed[1] == "Step [1] : Gradient : None, Weight : 0.00000")
    #expect(printed[2] == "Step [2] : Gradient : None, Weight : 0.00000")
    #expect(printed[3] == "Step [3] : Gradient : tensor([-540.4854]), Weight : 0.00000")
    #expect(printed[4] == "Step [4] : Gradient : tensor([-540.4854]), Weight : 0.54049")
    #expect(printed[7] == "Step [2] : Gradient : None, Weight : 0.54049")
    #expect(printed[8] == "Step [3] : Gradient : tensor([-198.9818]), Weight : 0.54049")
    #expect(printed[9] == "Step [4] : Gradient : tensor([-198.9818]), Weight : 0.73947")
    #expect(printed[13] == "Step [3] : Gradient : tensor([-73.2604]), Weight : 0.73947")
    #expect(printed[14] == "Step [4] : Gradient : tensor([-73.2604]), Weight : 0.81273")
  }

  @Test func r5MomentumEndsLower() {
    let printed = lines(of: R5Momentum.self)
    #expect(printed.contains("SGD: final loss 4.6796"))
    #expect(printed.contains("SGD + momentum 0.9: final loss 4.5390"))
    // optim.SGD reproduces R4's hand-written loop exactly.
    let plain = R5Momentum.train(momentum: 0)
    #expect(fixed(plain[0].loss, 4) == "13.3520")
    #expect(fixed(plain[1].loss, 4) == "10.3855")
    #expect(fixed(plain[48].loss, 4) == "4.6854")
  }

  @Test func r7MatchesPyTorchForTheSameSeed() {
    let printed = lines(of: R7AdamNoisyLine.self)
    // torch.manual_seed(0), the same data and models: the losses PyTorch prints, every tenth
    // epoch, Adam's then SGD's.
    let pytorch = Self.seeded.r7
    var expected: [String] = []
    for (label, losses) in [("Adam, lr 0.001:", pytorch.adam), ("SGD, lr 0.01:", pytorch.sgd)] {
      expected.append(label)
      for epoch in stride(from: 10, through: 100, by: 10) {
        expected.append("epoch : \(epoch), loss : \(fixed(losses[epoch - 1], 4))")
      }
      // PyTorch's losses fall at every epoch too.
      #expect(zip(losses, losses.dropFirst()).allSatisfy { $0 > $1 }, "\(label)")
      expected.append("  the loss fell at every epoch")
    }
    #expect(printed == expected)
  }

  @Test func r8PrintsTheModuleAndTrainsWithEveryOptimizer() {
    let printed = lines(of: R8CustomModule.self)
    // PyTorch, torch.manual_seed(0): the same module, and its output on the same input.
    let pytorch = Self.seeded.r8
    #expect(printed.count == 8)
    #expect(printed.first == pytorch.module)
    #expect(printed.dropFirst().first == "output for a [2, 1] input: shape [2, 1]")
    #expect(printed.dropFirst(2).first == pytorch.output)
    // torch.manual_seed(1) and 200 steps with each optimizer: PyTorch's first and last loss.
    for (index, label) in ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"].enumerated() {
      let run = pytorch.optimizers[label]
      #expect(run != nil && run!.last < 0.01, "\(label) trains in PyTorch")
      let line = "\(label): loss \(fixed(run?.first ?? .nan, 4)) -> \(fixed(run?.last ?? .nan, 4))"
      #expect(printed.dropFirst(3 + index).first == line)
    }
  }

  @Test func r10SecondHalfPrintsTheSGDRun() {
    let printed = lines(of: R10OptimSGD.self)
    #expect(printed.count == 11)
    #expect(printed[0] == "Epoch    0/1000 W: 0.000, b: 0.000 Cost: 18.666666")
    #expect(printed[1] == "Epoch  100/1000 W: 1.745, b: 0.579 Cost: 0.048171")
    #expect(printed[10] == "Epoch 1000/1000 W: 1.971, b: 0.066 Cost: 0.000633")
  }
}
