import Testing

@testable import Descent

// Programmer errors stop the process (like an out-of-range array index) with a message in
// PyTorch's style: the op, the shapes involved, and how to fix it. Each test runs the mistake
// in a child process (an exit test) and reads what it printed to standard error. Exit-test
// bodies cannot capture local values, so each builds its tensors itself.

@Suite struct ErrorMessageTests {
  // MARK: Shapes

  @Test func shapesThatDoNotBroadcast() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([1, 2, 3]) + Tensor([1, 2, 3, 4])
    }
    expectStopMessage(
      result, op: "add",
      [
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0",
        "shapes [3] and [4] do not broadcast", "Reshape or unsqueeze",
      ])
  }

  @Test func matmulOfIncompatibleMatrices() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 4]).matmul(Tensor.zeros([5, 2]))
    }
    expectStopMessage(
      result, op: "matmul",
      [
        "mat1 and mat2 shapes cannot be multiplied (3x4 and 5x2)", "[3, 4]", "[5, 2]",
        "the last dimension of the first must equal the second-to-last of the second",
      ])
  }

  @Test func reshapeToAnIncompatibleShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).reshaped([4, 2])
    }
    expectStopMessage(
      result, op: "reshape",
      [
        "shape '[4, 2]' is invalid for input of size 6", "(shape [2, 3])",
        "same number of elements",
      ])
  }

  @Test func catWithMismatchedShapes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.cat([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])])
    }
    expectStopMessage(
      result, op: "cat",
      [
        "Sizes of tensors must match except in dimension 0",
        "Expected size 3 but got size 4 for tensor number 1", "[2, 3]", "[2, 4]",
      ])
  }

  @Test func dimensionOutOfRange() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).sum(dim: 5)
    }
    expectStopMessage(
      result, op: "sum",
      ["Dimension out of range (expected to be in range of [-2, 1], but got 5)", "[2, 3]"])
  }

  @Test func catOfZeroDimensionalTensors() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.cat([Tensor([1, 2]), Tensor(3.0)])
    }
    expectStopMessage(
      result, op: "cat",
      ["zero-dimensional tensor (at position 1) cannot be concatenated", "stack"])
  }

  @Test func splitAndChunkOfAZeroDimensionalTensor() async {
    let split = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(3.0).split(1)
    }
    expectStopMessage(split, op: "split", ["split expects at least a 1-dimensional tensor"])
    let chunk = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(3.0).chunk(2)
    }
    expectStopMessage(chunk, op: "chunk", ["chunk expects at least a 1-dimensional tensor"])
  }

  // MARK: Indexing and values

  @Test func indexOutOfRange() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([1, 2, 3])[5]
    }
    expectStopMessage(
      result, op: "index", ["index 5 is out of bounds for dimension 0 with size 3", "[3]"])
  }

  @Test func inPlaceChangeOfAViewOfALeaf() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let w = Tensor([1, 2], requiresGrad: true)
      w[0] = Tensor(5.0)
    }
    expectStopMessage(
      result, op: "copy_", ["a view of a leaf Variable that requires grad", "noGrad"])
  }

  @Test func itemOfAMultiElementTensor() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([1, 2, 3]).item()
    }
    expectStopMessage(
      result, op: "item",
      ["a Tensor with 3 elements cannot be converted to Scalar", "[3]", "index it or reduce it"])
  }

  // MARK: Tensor literals

  @Test func literalWhoseCountDoesNotFitItsShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(shape: [2, 3], scalars: [1.0, 2.0])
    }
    expectStopMessage(
      result, op: "Tensor(shape:scalars:)",
      [
        "shape [2, 3] holds 6 elements but 2 values were given",
        "Give 6 values or change the shape",
      ])
  }

  @Test func raggedNestedLiteral() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([[1, 2], [3]])
    }
    expectStopMessage(
      result, op: "Tensor",
      ["expected sequence of length 2 at dim 1 (got 1 at row 1)", "needs the same length"])
  }

  // MARK: Autograd

  @Test func requiresGradOnAnIntegerTensor() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let t = Tensor(integers: [1, 2])
      t.requiresGrad = true
    }
    expectStopMessage(
      result, op: "requiresGrad",
      [
        "only Tensors of floating point dtype can require gradients", "torch.int64", "[2]",
        "to(.float32)",
      ])
  }

  @Test func requiresGradOnANonLeaf() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let y = Tensor([1, 2], requiresGrad: true) * 2
      y.requiresGrad = false
    }
    expectStopMessage(
      result, op: "requiresGrad",
      ["you can only change requires_grad flags of leaf variables", "MulBackward0", "detach()"])
  }

  @Test func backwardOnANonScalarWithoutAGradient() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      (Tensor([1, 2, 3], requiresGrad: true) * 2).backward()
    }
    expectStopMessage(
      result, op: "backward",
      [
        "grad can be implicitly created only for scalar outputs", "[3]", "loss.mean()",
        "backward(gradient:)",
      ])
  }

  @Test func backwardWithAGradientOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      (Tensor([1, 2, 3], requiresGrad: true) * 2).backward(gradient: Tensor([1, 1]))
    }
    expectStopMessage(
      result, op: "backward",
      ["Mismatch in shape: grad_output[0] has a shape of [2] and output[0] has a shape of [3]"])
  }

  @Test func backwardOnATensorThatDoesNotRequireGrad() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      (Tensor([1, 2, 3]) * 2).sum().backward()
    }
    expectStopMessage(
      result, op: "backward",
      ["does not require grad and does not have a grad_fn", "requiresGrad: true"])
  }

  @Test func inPlaceChangeOfALeafThatRequiresGrad() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let w = Tensor([1, 2], requiresGrad: true)
      w += 1
    }
    expectStopMessage(
      result, op: "add_",
      [
        "a leaf Variable that requires grad is being used in an in-place operation", "[2]",
        "noGrad",
      ])
  }

  @Test func secondBackwardThroughAFreedGraph() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2], requiresGrad: true)
      let loss = (x * x).sum()
      loss.backward()
      loss.backward()
    }
    expectStopMessage(
      result, op: "backward",
      ["Trying to backward through the graph a second time", "retainGraph: true"])
  }

  @Test func savedTensorModifiedInPlace() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2, 3], requiresGrad: true)
      let y = Tensor([4, 5, 6], requiresGrad: true)
      let z = x * y
      noGrad { x += 1 }
      z.sum().backward()
    }
    expectStopMessage(
      result, op: "backward",
      [
        "one of the variables needed for gradient computation has been modified by an inplace operation",
        "[torch.float32 [3]]", "MulBackward0", "is at version 1; expected version 0",
        "out-of-place",
      ])
  }

  @Test func inPlaceOverwriteOfATensorItsOwnNodeSaves() async {
    // exp saves its output for its gradient; y *= x writes over it.
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2], requiresGrad: true)
      let y = x.exp()
      y *= x
      y.sum().backward()
    }
    expectStopMessage(
      result, op: "backward",
      ["modified by an inplace operation", "saved by ExpBackward0", "expected version 0"])
  }

  /// y *= x needs the old y for x's gradient: like PyTorch's mul_ (which keeps the original
  /// self), Descent keeps a copy, so d(3x · x)/dx = 6x, as PyTorch gives.
  @Test func inPlaceProductKeepsTheValuesItsGradientNeeds() {
    let x = Tensor([1, 2], requiresGrad: true)
    let y = x * 3
    y *= x
    y.sum().backward()
    #expect(y.toDoubles() == [3, 12])
    #expect(x.grad?.toDoubles() == [6, 12])
  }
}
