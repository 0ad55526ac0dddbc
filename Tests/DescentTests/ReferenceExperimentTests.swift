import Foundation
import Testing

@testable import DescentExamples

/// The reference experiments print the numbers REFERENCE.md lists (the course notes' values,
/// re-run with PyTorch and NumPy).
@Suite struct ReferenceExperimentTests {
  /// The lines `experiment` prints (one run per test process, shared with DemoFigureTests).
  func lines(of experiment: any Experiment.Type) -> [String] {
    let run = RecordedRun.of(experiment)
    #expect(run.failure == nil)
    return run.lines
  }

  @Test func r1PrintsTheNumPyRun() {
    let printed = lines(of: R1ManualGradientDescent.self)
    #expect(printed.count == 10)
    #expect(printed.contains("Epoch : 1000, Weight : 0.872, Bias : -0.290, Cost : 1.377"))
    #expect(printed.contains("Epoch : 2000, Weight : 0.877, Bias : -0.391, Cost : 1.373"))
    #expect(printed.contains("Epoch : 4000, Weight : 0.879, Bias : -0.432, Cost : 1.372"))
    #expect(printed.last == "Epoch : 10000, Weight : 0.879, Bias : -0.436, Cost : 1.372")
  }

  @Test func r4PrintsEveryStep() {
    let printed = lines(of: R4HeightWeight.self)
    #expect(printed.contains("X = tensor([-5.,  5.,  0.,  2., -2.])"))
    #expect(printed.contains("Y = tensor([-6.7000, 10.3000, -3.3000,  5.0000, -5.3000])"))
    #expect(printed.contains("Yp = tensor([-4.,  6.,  1.,  3., -1.], grad_fn=<AddBackward0>)"))
    #expect(printed.contains("loss = tensor(13.3520, grad_fn=<MeanBackward0>)"))
    #expect(printed.contains("after backward: W.grad = tensor(-19.0400), B.grad = tensor(2.0000)"))
    #expect(
      printed.contains(
        "after one update inside noGrad with lr = 0.001: W = tensor(1.0190, requires_grad=True), B = tensor(0.9980, requires_grad=True), W.grad = tensor(0.), B.grad = tensor(0.)"
      ))
    for line in [
      "epoch = 0 loss = 13.3520", "epoch = 10 loss = 10.3855", "epoch = 20 loss = 8.5173",
      "epoch = 480 loss = 4.6854", "epoch = 490 loss = 4.6796",
      "line over X in [-5, 5]: Y = tensor([-8.7359,  9.4709])",
    ] {
      #expect(printed.contains(line), "missing: \(line)")
    }
    #expect(printed.filter { $0.hasPrefix("epoch = ") }.count == 50)
  }

  @Test func r4FinalParametersAreTheNotesDigits() {
    // The notes print W = 1.820683, B = 0.3675114 (PyTorch: 1.8206830024719238,
    // 0.3675113916397095), with the data centred in float64 and then converted to float32.
    let printed = lines(of: R4HeightWeight.self)
    #expect(printed.contains("W = 1.820683, B = 0.3675114"))
    #expect(printed.contains("initial loss: 13.3520, final loss: 4.6796"))
  }

  @Test func r9ConvergesCrawlsAndDiverges() {
    let printed = lines(of: R9ScalarDescent.self)
    #expect(printed.contains("from w = 5, one step with lr 0.1: w = 4.2"))
    #expect(printed.contains("lr 0.4: 23 iterations, w = 1.00000, loss = 2.00000"))
    #expect(printed.contains("lr 0.001: 100 iterations, w = 1.81857, loss = 2.67005"))
    #expect(
      printed.contains {
        $0.hasPrefix("lr 10.0: diverged") && $0.contains("learning rate is too large")
      })
  }

  @Test func r10PrintsTheCostCurve() {
    let printed = lines(of: R10CostCurve.self)
    #expect(printed.count == 11)
    #expect(printed[0] == "Epoch    0/10 W: 0.000, Cost: 4.666667")
    #expect(printed[1] == "Epoch    1/10 W: 1.400, Cost: 0.746666")
    #expect(printed[2] == "Epoch    2/10 W: 0.840, Cost: 0.119467")
    #expect(printed[10] == "Epoch   10/10 W: 1.000, Cost: 0.000000")
  }

  @Test func everyExperimentIsListedOnce() {
    let names = allExperiments.map { $0.name }
    #expect(
      names == ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r10b", "r11", "r12"])
    #expect(experiment(named: "R4") != nil)
    #expect(experiment(named: "r99") == nil)
  }
}
