import Testing

@testable import Descent

// Misused losses stop the process with a message in PyTorch's style that names the loss, the
// shapes or indices involved, and a fix. Each mistake runs in a child process (an exit test);
// exit-test bodies cannot capture values, so each builds its tensors itself.

@Suite struct LossErrorTests {
  // MARK: Class indices

  @Test func classIndexOutOfBounds() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = crossEntropy(Tensor.zeros([3, 4]), Tensor(integers: [0, 5, 1]))
    }
    expectStopMessage(
      result, op: "cross_entropy",
      ["Target 5 is out of bounds.", "[0, 4)", "4 classes", "[3, 4]", "flat index 1"])
  }

  @Test func negativeClassIndexThatIsNotIgnored() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = nllLoss(Tensor.zeros([2, 3]), Tensor(integers: [-1, 0]))
    }
    expectStopMessage(
      result, op: "nll_loss", ["Target -1 is out of bounds.", "[0, 3)", "ignoreIndex -100"])
  }

  @Test func batchSizesDiffer() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = crossEntropy(Tensor.zeros([3, 4]), Tensor(integers: [0, 1]))
    }
    expectStopMessage(
      result, op: "cross_entropy",
      ["Expected input batch_size (3) to match target batch_size (2).", "[3, 4]", "[3]"])
  }

  @Test func spatialTargetOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = nllLoss(Tensor.zeros([2, 3, 4]), Tensor.zeros([2, 5], dtype: .int64))
    }
    expectStopMessage(result, op: "nll_loss", ["Expected target size [2, 4], got [2, 5]."])
  }

  @Test func floatTargetOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = crossEntropy(Tensor.zeros([3, 4]), Tensor.zeros([3, 5]))
    }
    expectStopMessage(
      result, op: "cross_entropy",
      [
        "class probabilities", "input's shape [3, 4]", "target shape [3, 5]",
        "int64 target of shape [3]",
      ])
  }

  @Test func nllLossWithFloatTarget() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = nllLoss(Tensor.zeros([3, 4]), Tensor([0, 1, 2]))
    }
    expectStopMessage(
      result, op: "nll_loss",
      ["expected target dtype to be Long", "torch.float32", "target.to(.int64)"])
  }

  @Test func classWeightOfTheWrongSize() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = crossEntropy(
        Tensor.zeros([3, 4]), Tensor(integers: [0, 1, 2]), weight: Tensor([1, 2, 3]))
    }
    expectStopMessage(
      result, op: "cross_entropy",
      ["weight tensor should be defined either for all 4 classes or no classes", "shape: [3]"])
  }

  @Test func labelSmoothingOutOfRange() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = CrossEntropyLoss(labelSmoothing: 1.5)
    }
    expectStopMessage(
      result, op: "cross_entropy", ["label_smoothing must be between 0.0 and 1.0. Got: 1.5"])
  }

  // MARK: Shapes and dtypes of regression losses

  @Test func mseShapesDiffer() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = mseLoss(Tensor.zeros([3, 1]), Tensor.zeros([3]))
    }
    expectStopMessage(
      result, op: "mse_loss",
      [
        "input shape [3, 1] and target shape [3] differ", "PyTorch would broadcast them",
        "target.reshaped([3, 1])",
      ])
  }

  @Test func otherPointwiseLossesRefuseDifferingShapes() async {
    // One child per loss: each stops at its first mistake.
    let l1 = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = l1Loss(Tensor.zeros([4]), Tensor.zeros([2, 2]))
    }
    expectStopMessage(l1, op: "l1_loss", ["input shape [4] and target shape [2, 2] differ"])
    let smooth = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = SmoothL1Loss()(Tensor.zeros([2, 3]), Tensor.zeros([3]))
    }
    expectStopMessage(
      smooth, op: "smooth_l1_loss",
      ["input shape [2, 3] and target shape [3] differ", "one value per input element"])
    let huber = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = huberLoss(Tensor.zeros([2]), Tensor.zeros([2, 1]))
    }
    expectStopMessage(huber, op: "huber_loss", ["input shape [2] and target shape [2, 1] differ"])
    let bce = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = binaryCrossEntropy(Tensor.zeros([3, 1]), Tensor.zeros([3]))
    }
    expectStopMessage(
      bce, op: "binary_cross_entropy", ["input shape [3, 1] and target shape [3] differ"])
    let logits = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = BCEWithLogitsLoss()(Tensor.zeros([3]), Tensor.zeros([1, 3]))
    }
    expectStopMessage(
      logits, op: "binary_cross_entropy_with_logits",
      ["input shape [3] and target shape [1, 3] differ"])
  }

  @Test func mseWithClassIndexTarget() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = mseLoss(Tensor.zeros([3]), Tensor(integers: [1, 2, 3]))
    }
    expectStopMessage(
      result, op: "mse_loss",
      ["expected a floating-point target, but got torch.int64", "target.to(.float32)"])
  }

  @Test func integerInput() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = l1Loss(Tensor(integers: [1, 2]), Tensor([1, 2]))
    }
    expectStopMessage(
      result, op: "l1_loss", ["expected a floating-point input, but got torch.int64"])
  }

  @Test func nonPositiveDeltaAndNegativeBeta() async {
    let huber = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = HuberLoss(delta: 0)
    }
    expectStopMessage(
      huber, op: "huber_loss", ["huber_loss does not support non-positive values for delta"])
    let smooth = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = smoothL1Loss(Tensor.zeros([2]), Tensor.zeros([2]), beta: -1)
    }
    expectStopMessage(
      smooth, op: "smooth_l1_loss", ["smooth_l1_loss does not support negative values for beta"])
  }

  // MARK: Binary cross entropy

  @Test func bceInputOutsideTheUnitInterval() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = binaryCrossEntropy(Tensor([0.5, 1.5]), Tensor([0, 1]))
    }
    expectStopMessage(
      result, op: "binary_cross_entropy",
      [
        "all elements of input should be between 0 and 1", "1.5 at flat index 1",
        "binaryCrossEntropyWithLogits",
      ])
  }

  @Test func bceTargetOutsideTheUnitInterval() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = BCELoss()(Tensor([0.5, 0.5]), Tensor([0, 2]))
    }
    expectStopMessage(
      result, op: "binary_cross_entropy",
      ["all elements of target should be between 0 and 1", "2.0 at flat index 1"])
  }

  @Test func posWeightThatDoesNotBroadcast() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = binaryCrossEntropyWithLogits(
        Tensor.zeros([3, 2]), Tensor.zeros([3, 2]), posWeight: Tensor([1, 2, 3]))
    }
    expectStopMessage(
      result, op: "binary_cross_entropy_with_logits",
      ["posWeight of shape [3] does not broadcast to the input shape [3, 2]"])
  }

  // MARK: Modules

  @Test func moduleCalledWithOneTensor() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = MSELoss()(Tensor.zeros([2]))
    }
    expectStopMessage(
      result, op: "MSELoss", ["a loss takes two tensors", "loss(input, target)", "shape [2]"])
  }
}
