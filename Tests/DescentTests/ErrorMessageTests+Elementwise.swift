import Testing

@testable import Descent

// Bad input to the elementwise vocabulary stops with PyTorch's message (exit tests): integer
// division by zero is refused before any kernel runs, as PyTorch's ZeroDivisionError.

@Suite struct ElementwiseErrorMessageTests {
  @Test func integerRemainderByAZeroTensor() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(integers: [3, 4]) % Tensor(integers: [1, 0])
    }
    expectStopMessage(result, op: "remainder", ["ZeroDivisionError", "divisor [2]"])
  }

  @Test func integerRemainderByZero() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(integers: [3, 4]) % 0
    }
    expectStopMessage(result, op: "remainder", ["ZeroDivisionError", "dividend [2]"])
  }

  @Test func integerFmodByZero() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(integers: [3, 4]).fmod(Tensor(integers: [0, 2]))
    }
    expectStopMessage(result, op: "fmod", ["ZeroDivisionError"])
  }

  @Test func numberRemainderByAnIntegerZero() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = 5 % Tensor(integers: [2, 0])
    }
    expectStopMessage(result, op: "remainder", ["ZeroDivisionError"])
  }

  @Test func remainderOfTwoBoolTensors() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([true, false]) % Tensor([true, true])
    }
    expectStopMessage(result, op: "remainder", ["\"remainder_cpu\" not implemented for 'Bool'"])
  }

  @Test func floorOfABoolTensor() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([true, false]).floor()
    }
    expectStopMessage(result, op: "floor", ["\"floor_vml_cpu\" not implemented for 'Bool'"])
  }

  @Test func roundWithDecimalsOfIntegers() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(integers: [15]).round(decimals: -1)
    }
    expectStopMessage(result, op: "round", ["\"round_cpu\" not implemented for 'Long'"])
  }

  @Test func softplusOfIntegers() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = softplus(Tensor(integers: [1, 2]))
    }
    expectStopMessage(result, op: "softplus", ["\"softplus_cpu\" not implemented for 'Long'"])
  }

  @Test func hardtanhWithCrossedBounds() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = hardtanh(Tensor([1, 2]), minVal: 1, maxVal: -1)
    }
    expectStopMessage(result, op: "hardtanh", ["min_val cannot be greater than max_val"])
  }

  @Test func hardtanhLayerWithCrossedBounds() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Hardtanh(minVal: 1, maxVal: -1)
    }
    expectStopMessage(
      result, op: "Hardtanh", ["max_val (-1.0) must be greater than min_val (1.0)"])
  }

  @Test func allcloseOfDifferentDtypes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([1, 2]).allclose(Tensor([1, 2], dtype: .float64))
    }
    expectStopMessage(result, op: "allclose", ["Float did not match Double"])
  }

  @Test func allcloseOfShapesThatDoNotBroadcast() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([1, 2]).allclose(Tensor([1, 2, 3]))
    }
    expectStopMessage(
      result, op: "allclose",
      ["The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"])
  }
}
