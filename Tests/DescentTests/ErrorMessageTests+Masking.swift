import Testing

@testable import Descent

// Bad input to the masking, triangle, batched-product, running-sum, one-hot and repetition
// ops stops with PyTorch's message, naming the op and the shapes (exit tests).

@Suite struct MaskingErrorMessageTests {
  @Test func whereNeedsABoolCondition() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.where(Tensor([1, 0]), Tensor([1, 2]), Tensor([3, 4]))
    }
    expectStopMessage(
      result, op: "where",
      ["where expected condition to be a boolean tensor, but got a tensor with dtype Float"])
  }

  @Test func maskedFillNeedsABoolMask() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).maskedFill(Tensor.ones([2, 3]), 0)
    }
    expectStopMessage(
      result, op: "masked_fill",
      ["masked_fill_ only supports boolean masks, but got mask with dtype float", "[2, 3]"])
  }

  @Test func maskedFillNeedsA0DValue() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).maskedFill(Tensor.ones([2, 3], dtype: .bool), Tensor([1]))
    }
    expectStopMessage(
      result, op: "masked_fill",
      [
        "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).",
        "value [1]",
      ])
  }

  @Test func maskedFillMaskMustBroadcast() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).maskedFill(Tensor.ones([4, 3], dtype: .bool), 0)
    }
    expectStopMessage(
      result, op: "masked_fill",
      [
        "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0",
        "[2, 3]", "[4, 3]",
      ])
  }

  @Test func inPlaceMaskedFillCannotGrow() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      Tensor.zeros([3]).maskedFill_(Tensor.ones([2, 3], dtype: .bool), 0)
    }
    expectStopMessage(
      result, op: "masked_fill_",
      ["output with shape [3] doesn't match the broadcast shape [2, 3]", "mask [2, 3]"])
  }

  @Test func trianglesNeedAMatrix() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3]).tril()
    }
    expectStopMessage(
      result, op: "tril", ["tril: input tensor must have at least 2 dimensions", "[3]"])
  }

  @Test func bmmNeeds3DOperands() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).bmm(Tensor.zeros([3, 2]))
    }
    expectStopMessage(
      result, op: "bmm", ["batch1 must be a 3D tensor", "batch1 [2, 3]", "batch2 [3, 2]"])
  }

  @Test func bmmSizesMustAgree() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3, 4]).bmm(Tensor.zeros([2, 5, 2]))
    }
    expectStopMessage(
      result, op: "bmm",
      [
        "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].",
        "[2, 3, 4]", "[2, 5, 2]",
      ])
  }

  @Test func bmmDtypesMustAgree() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3, 4]).bmm(Tensor.zeros([2, 4, 2], dtype: .float64))
    }
    expectStopMessage(result, op: "bmm", ["expected scalar type Float but found Double"])
  }

  @Test func baddbmmInputMustExpand() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([5]).baddbmm(Tensor.zeros([2, 3, 4]), Tensor.zeros([2, 4, 2]))
    }
    expectStopMessage(
      result, op: "baddbmm",
      [
        "The expanded size of the tensor (2) must match the existing size (5) at non-singleton dimension 2.",
        "Target sizes: [2, 3, 2].", "Tensor sizes: [5]",
      ])
  }

  @Test func cumsumDimensionOutOfRange() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).cumsum(dim: 2)
    }
    expectStopMessage(
      result, op: "cumsum",
      ["Dimension out of range (expected to be in range of [-2, 1], but got 2)", "[2, 3]"])
  }

  @Test func oneHotNeedsInt64Indices() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = oneHot(Tensor([1, 2]))
    }
    expectStopMessage(
      result, op: "one_hot", ["one_hot is only applicable to index tensor of type LongTensor."])
  }

  @Test func oneHotRefusesNegativeClasses() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = oneHot(Tensor(integers: [-1, 2]))
    }
    expectStopMessage(result, op: "one_hot", ["Class values must be non-negative."])
  }

  @Test func oneHotRefusesClassesBeyondTheCount() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = oneHot(Tensor(integers: [1, 5]), numClasses: 3)
    }
    expectStopMessage(
      result, op: "one_hot",
      ["Class values must be smaller than num_classes.", "Found 5 with num_classes 3"])
  }

  @Test func oneHotCannotInferFromNothing() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = oneHot(Tensor(integers: []))
    }
    expectStopMessage(
      result, op: "one_hot", ["Can not infer total number of classes from empty tensor."])
  }

  @Test func repeatNeedsARepeatPerDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).repeat(2)
    }
    expectStopMessage(
      result, op: "repeat",
      [
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
        "repeats [2]", "[2, 3]",
      ])
  }

  @Test func repeatRefusesNegativeCounts() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).repeat(2, -1)
    }
    expectStopMessage(
      result, op: "repeat", ["Trying to create tensor with negative dimension -3: [4, -3]"])
  }

  @Test func repeatInterleaveRefusesNegativeCounts() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).repeatInterleave(-1)
    }
    expectStopMessage(result, op: "repeat_interleave", ["Repeats must be non-negative"])
  }

  @Test func repeatInterleaveCountsMustMatchTheDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).repeatInterleave(Tensor(integers: [1, 2]), dim: 1)
    }
    expectStopMessage(
      result, op: "repeat_interleave",
      [
        "repeats must have the same size as input along dim, but got repeats.size(0) = 2 and input.size(1) = 3"
      ])
  }

  @Test func flipRefusesARepeatedDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).flip(0, 0)
    }
    expectStopMessage(result, op: "flip", ["dim 0 appears multiple times in the list of dims"])
  }

  @Test func rollNeedsOneShiftPerDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).roll([1, 2], dims: [0])
    }
    expectStopMessage(
      result, op: "roll", ["shifts and dimensions must align. shifts: 2, dims:1", "[2, 3]"])
  }
}
