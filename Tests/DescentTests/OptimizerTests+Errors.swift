import Testing

@testable import Descent

// Mistakes with optimizers, schedulers and the in-place math stop the process with a message
// naming the culprit (its index and shape for a parameter); each runs in a child process.

@Suite struct OptimizerErrorTests {
  // MARK: Parameters

  @Test func parameterThatDoesNotRequireGrad() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = SGD([Tensor.zeros([3, 2], requiresGrad: true), Tensor.zeros([2])], lr: 0.1)
    }
    expectStopMessage(
      result, op: "SGD",
      [
        "optimizer can only optimize Tensors that require grad",
        "parameter 1 of param group 0 (shape [2], torch.float32)", "requiresGrad = true",
      ])
  }

  @Test func parameterThatIsNotFloatingPoint() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Adam([Tensor(integers: [1, 2, 3])])
    }
    expectStopMessage(
      result, op: "Adam",
      [
        "optimizer can only optimize Tensors of floating point dtype",
        "parameter 0 of param group 0 (shape [3], torch.int64)",
      ])
  }

  @Test func parameterThatIsNotALeaf() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let w = Tensor.ones([2, 2], requiresGrad: true)
      _ = RMSprop([ParamGroup([w]), ParamGroup([w * 2])])
    }
    expectStopMessage(
      result, op: "RMSprop",
      [
        "can't optimize a non-leaf Tensor", "parameter 0 of param group 1 (shape [2, 2]",
        "MulBackward0",
      ])
  }

  @Test func parameterGivenTwice() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let w = Tensor.ones([4], requiresGrad: true)
      _ = Adagrad([ParamGroup([w]), ParamGroup([Tensor.ones([1], requiresGrad: true), w])])
    }
    expectStopMessage(
      result, op: "Adagrad",
      ["appear more than once", "parameter 1 of param group 1 (shape [4]"])
  }

  @Test func emptyParameterList() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = AdamW([Tensor]())
    }
    expectStopMessage(result, op: "AdamW", ["optimizer got an empty parameter list"])
  }

  // MARK: Hyper-parameters

  @Test func negativeLearningRate() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = SGD([Tensor.ones([1], requiresGrad: true)], lr: -1)
    }
    expectStopMessage(result, op: "SGD", ["Invalid learning rate: -1.0", "(param group 0)"])
  }

  @Test func nesterovWithoutMomentum() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = SGD([Tensor.ones([1], requiresGrad: true)], lr: 0.1, nesterov: true)
    }
    expectStopMessage(
      result, op: "SGD", ["Nesterov momentum requires a momentum and zero dampening"])
  }

  @Test func betaOutOfRange() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let groups = [ParamGroup([Tensor.ones([1], requiresGrad: true)], betas: (0.9, 1.0))]
      _ = Adam(groups)
    }
    expectStopMessage(result, op: "Adam", ["Invalid beta parameter at index 1: 1.0"])
  }

  @Test func gradientOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let w = Tensor.ones([3, 2], requiresGrad: true)
      let optimizer = SGD([w], lr: 0.1)
      w.grad = Tensor.ones([2])
      optimizer.step()
    }
    expectStopMessage(result, op: "SGD", ["parameter of shape [3, 2] has shape [2]"])
  }

  // MARK: Schedulers

  @Test func linearWarmupFromZero() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = LinearLR(SGD([Tensor.ones([1], requiresGrad: true)]), startFactor: 0)
    }
    expectStopMessage(
      result, op: "LinearLR", ["Starting multiplicative factor expected to be greater than 0"])
  }

  @Test func plateauFactorOfOne() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = ReduceLROnPlateau(SGD([Tensor.ones([1], requiresGrad: true)]), factor: 1)
    }
    expectStopMessage(result, op: "ReduceLROnPlateau", ["Factor should be < 1.0"])
  }

  // MARK: In-place math

  @Test func inPlaceOperandThatWouldGrowTheTensor() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      Tensor.zeros([2]).addcmul_(Tensor.ones([3, 2]), Tensor.ones([2]))
    }
    expectStopMessage(
      result, op: "addcmul_",
      ["output with shape [2] doesn't match the broadcast shape [3, 2] (operand [3, 2])"])
  }

  @Test func inPlaceOnALeafThatRequiresGrad() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      Tensor.zeros([2], requiresGrad: true).add_(Tensor.ones([2]), alpha: -0.1)
    }
    expectStopMessage(result, op: "add_", ["a leaf Variable that requires grad", "noGrad"])
  }

  @Test func inPlaceMathOnAnIntegerTensor() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      Tensor(integers: [1, 2]).mul_(2)
    }
    expectStopMessage(
      result, op: "mul_", ["needs a floating-point tensor, got torch.int64 (shape [2])"])
  }
}
