import Testing

@testable import DescentExamples

/// R2, R3, R5, R7, R8 and the second half of R10: the lines REFERENCE.md lists, and where the
/// data are random, the numbers PyTorch 2.15 prints for the same seed (Descent's generator and
/// initialisation are PyTorch's).
extension ReferenceExperimentTests {
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
    // PyTorch: torch.manual_seed(0); nn.Linear(1, 1) → weight -0.0075, bias 0.5364.
    #expect(printed.contains("  weight -0.0075, bias 0.5364"))
    #expect(printed.last?.hasSuffix("Cost : 1.372") == true)
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
    // torch.manual_seed(0), the same data and model: PyTorch prints these losses.
    for line in [
      "epoch : 10, loss : 419.4223", "epoch : 50, loss : 408.5962", "epoch : 100, loss : 395.3514",
      "epoch : 10, loss : 0.6686", "epoch : 50, loss : 0.5352", "epoch : 100, loss : 0.4282",
    ] {
      #expect(printed.contains(line), "missing: \(line)")
    }
    #expect(printed.filter { $0 == "  the loss fell at every epoch" }.count == 2)
  }

  @Test func r8PrintsTheModuleAndTrainsWithEveryOptimizer() {
    let printed = lines(of: R8CustomModule.self)
    #expect(
      printed[0] == """
        simple(
          (fc1): Linear(in_features=1, out_features=4, bias=True)
          (fc2): Linear(in_features=4, out_features=1, bias=True)
        )
        """)
    #expect(printed[1] == "output for a [2, 1] input: shape [2, 1]")
    // PyTorch, torch.manual_seed(0): the same model and input print these values.
    #expect(printed[2] == "tensor([[-0.6069],\n        [-0.4547]], grad_fn=<AddmmBackward0>)")
    for label in ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"] {
      let line = printed.first { $0.hasPrefix(label + ":") }
      let final = line.flatMap { Double($0.split(separator: " ").last!) }
      #expect(final != nil && final! < 0.01, "\(label) did not train: \(line ?? "no line")")
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
