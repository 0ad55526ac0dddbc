import Testing

@testable import Descent

// The loss modules as PyTorch shows them (`print(nn.CrossEntropyLoss())`), their buffers, and
// the names of the graph nodes the losses end in (`loss.grad_fn`), checked against PyTorch
// 2.15.

@Suite struct LossModuleTests {
  @Test func reprsMatchPyTorch() {
    // PyTorch prints no arguments for any loss, whatever the options.
    let weight = Tensor([1, 2, 3])
    let expected: [(Module, String)] = [
      (MSELoss(), "MSELoss()"),
      (L1Loss(reduction: .sum), "L1Loss()"),
      (SmoothL1Loss(beta: 2), "SmoothL1Loss()"),
      (HuberLoss(delta: 0.5), "HuberLoss()"),
      (BCELoss(weight: weight), "BCELoss()"),
      (BCEWithLogitsLoss(posWeight: weight), "BCEWithLogitsLoss()"),
      (CrossEntropyLoss(ignoreIndex: 3, labelSmoothing: 0.1), "CrossEntropyLoss()"),
      (NLLLoss(reduction: .none), "NLLLoss()"),
    ]
    for (module, text) in expected {
      #expect(module.description == text)
      #expect("\(module)" == text)
    }
  }

  @Test func weightsAreBuffersNotParameters() {
    let weight = Tensor([1, 2, 3])
    let posWeight = Tensor([0.5, 1, 2])
    let bce = BCEWithLogitsLoss(weight: weight, posWeight: posWeight)
    #expect(bce.parameters().isEmpty)
    #expect(bce.namedBuffers().map { $0.0 } == ["weight", "pos_weight"])
    #expect(CrossEntropyLoss(weight: weight).stateDict().keys.sorted() == ["weight"])
    #expect(NLLLoss().stateDict().keys.isEmpty)
  }

  @Test func reductionSpellsLikePyTorch() {
    #expect(Reduction.allCases.map(\.description) == ["mean", "sum", "none"])
    #expect(MSELoss().reduction == .mean)
  }

  @Test func nodeNamesMatchPyTorch() {
    let x = Tensor(
      shape: [3, 4], scalars: (0..<12).map { Float($0) / 7 - 0.8 }, requiresGrad: true)
    let y = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0 % 5) / 5 })
    let p = noGrad { x.sigmoid() }.requiresGrad_()
    let labels = Tensor(integers: [0, 3, 1])
    func name(_ t: Tensor) -> String? { t.gradFn?.name }
    for reduction in Reduction.allCases {
      #expect(name(mseLoss(x, y, reduction: reduction)) == "MseLossBackward0")
      #expect(name(smoothL1Loss(x, y, reduction: reduction)) == "SmoothL1LossBackward0")
      #expect(name(huberLoss(x, y, reduction: reduction)) == "HuberLossBackward0")
      #expect(name(binaryCrossEntropy(p, y, reduction: reduction)) == "BinaryCrossEntropyBackward0")
      #expect(
        name(binaryCrossEntropyWithLogits(x, y, reduction: reduction))
          == "BinaryCrossEntropyWithLogitsBackward0")
      #expect(name(nllLoss(x, labels, reduction: reduction)) == "NllLossBackward0")
      #expect(name(crossEntropy(x, labels, reduction: reduction)) == "NllLossBackward0")
      #expect(
        name(crossEntropy(x, labels, reduction: reduction, labelSmoothing: 0.1)) == "AddBackward0")
    }
    // L1 is composed, as in PyTorch; so is smooth L1 with beta 0.
    #expect(name(l1Loss(x, y)) == "MeanBackward0")
    #expect(name(l1Loss(x, y, reduction: .sum)) == "SumBackward0")
    #expect(name(l1Loss(x, y, reduction: .none)) == "AbsBackward0")
    #expect(name(smoothL1Loss(x, y, beta: 0)) == "MeanBackward0")
    // Probability targets are composed too.
    #expect(name(crossEntropy(x, y, reduction: .sum)) == "NegBackward0")
    let spatial = Tensor.zeros([2, 3, 4], requiresGrad: true)
    #expect(
      name(crossEntropy(spatial, Tensor.zeros([2, 4], dtype: .int64))) == "NllLoss2DBackward0")
  }

  @Test func lossesRecordNothingUnderNoGrad() {
    let x = Tensor([0.2, 0.7], requiresGrad: true)
    let y = Tensor([0, 1])
    let loss = noGrad { binaryCrossEntropy(x, y) }
    #expect(!loss.requiresGrad && loss.gradFn == nil)
    #expect(Swift.abs(loss.item() - 0.2899092) < 1e-6)
  }

  @Test func weightsGetNoGradient() {
    let x = Tensor([[0.5, -1, 2], [0.1, 0.2, 0.3]], requiresGrad: true)
    let weight = Tensor([1, 2, 3], requiresGrad: true)
    crossEntropy(x, Tensor(integers: [2, 0]), weight: weight).backward()
    #expect(x.grad != nil)
    #expect(weight.grad == nil)
  }

  /// With every target ignored the mean is 0 / 0 and the gradient zero, as in PyTorch.
  @Test func allIgnoredTargets() {
    let x = Tensor([[0.5, -1, 2], [0.1, 0.2, 0.3]], requiresGrad: true)
    let ignored = Tensor(integers: [-100, -100])
    let mean = crossEntropy(x, ignored)
    #expect(mean.item().isNaN)
    mean.backward()
    #expect(x.grad?.toFloats() == [Float](repeating: 0, count: 6))
    #expect(crossEntropy(x, ignored, reduction: .sum).item() == 0)
  }

  /// A small classifier trained with the module form: the loss falls.
  @Test func trainingWithCrossEntropyLowersTheLoss() {
    let w = Tensor.zeros([2, 3], requiresGrad: true)
    let x = Tensor([[2, 0], [0, 2], [-2, -2], [1, 0]])
    let labels = Tensor(integers: [0, 1, 2, 0])
    let criterion = CrossEntropyLoss()
    let first = criterion(x.matmul(w), labels).item()
    for _ in 0..<50 {
      w.grad = nil
      criterion(x.matmul(w), labels).backward()
      noGrad { w -= w.grad! * 0.5 }
    }
    #expect(criterion(x.matmul(w), labels).item() < first / 2)
  }
}
