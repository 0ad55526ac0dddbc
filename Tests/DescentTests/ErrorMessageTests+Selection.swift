import Testing

@testable import Descent

// Bad input to the reductions, selections, index adds, unfold, diagonal and einsum stops with
// PyTorch's message, naming the op and the shapes (exit tests). einsum's messages also name
// the equation.

@Suite struct SelectionErrorMessageTests {
  @Test func normOfIntegers() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(integers: [3, 4]).norm()
    }
    expectStopMessage(
      result, op: "norm",
      ["linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"])
  }

  @Test func infinityNormOfAnEmptyDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.ones([2, 0]).norm(p: .infinity, dim: 1)
    }
    expectStopMessage(
      result, op: "norm", ["cannot compute the inf norm on the dimension 1", "[2, 0]"])
  }

  @Test func amaxOfAnEmptyDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.ones([0, 3]).amax(dim: 0)
    }
    expectStopMessage(
      result, op: "amax", ["amax(): Expected reduction dim 0 to have non-zero size.", "[0, 3]"])
  }

  @Test func topkBeyondTheDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.ones([2, 3]).topk(4)
    }
    expectStopMessage(result, op: "topk", ["selected index k out of range", "[2, 3]"])
  }

  @Test func topkOfBools() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([true, false]).topk(1)
    }
    expectStopMessage(result, op: "topk", ["topk does not support bool dtypes on CPU"])
  }

  @Test func kthvalueOutOfRange() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.ones([2, 3]).kthvalue(0)
    }
    expectStopMessage(
      result, op: "kthvalue", ["kthvalue(): selected number k out of range for dimension 1"])
  }

  @Test func medianOfAnEmptyDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.ones([2, 0]).median(dim: 1)
    }
    expectStopMessage(
      result, op: "median", ["median(): Expected reduction dim 1 to have non-zero size."])
  }

  @Test func sortDimensionOutOfRange() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.ones([2, 3]).sort(dim: 2)
    }
    expectStopMessage(
      result, op: "sort", ["Dimension out of range (expected to be in range of [-2, 1], but got 2)"]
    )
  }

  @Test func scatterAddIndexOutOfBounds() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 4]).scatterAdd(
        1, Tensor(shape: [1, 2], scalars: [Int64(0), 4]), Tensor.ones([3, 2]))
    }
    expectStopMessage(
      result, op: "scatter_add", ["index 4 is out of bounds for dimension 1 with size 4"])
  }

  @Test func scatterAddIndexLargerThanSource() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 4]).scatterAdd(
        1, Tensor.zeros([2, 2], dtype: .int64), Tensor.ones([1, 2]))
    }
    expectStopMessage(
      result, op: "scatter_add",
      [
        "Expected index [2, 2] to be no larger than self [3, 4] apart from dimension 1 and to be no larger size than src [1, 2]"
      ])
  }

  @Test func scatterAddDtypes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3]).scatterAdd(0, Tensor(integers: [0]), Tensor.ones([1], dtype: .float64))
    }
    expectStopMessage(
      result, op: "scatter_add", ["scatter(): Expected self.dtype to be equal to src.dtype"])
  }

  @Test func scatterAddFloatIndex() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3]).scatterAdd(0, Tensor([0]), Tensor.ones([1]))
    }
    expectStopMessage(
      result, op: "scatter_add", ["scatter(): Expected dtype int32/int64 for index"])
  }

  @Test func indexAddSourceShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 4]).indexAdd(0, Tensor(integers: [0, 2]), Tensor.ones([2, 5]))
    }
    expectStopMessage(
      result, op: "index_add",
      [
        "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = [3, 4] source.shape = [2, 5]"
      ])
  }

  @Test func indexAddIndexCount() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 4]).indexAdd(0, Tensor(integers: [0, 2]), Tensor.ones([3, 4]))
    }
    expectStopMessage(
      result, op: "index_add",
      ["index_add_(): Number of indices (2) should be equal to source.size(dim): (3), for dim: 0"])
  }

  @Test func indexAddIndexOutOfBounds() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 4]).indexAdd(0, Tensor(integers: [0, 3]), Tensor.ones([2, 4]))
    }
    expectStopMessage(
      result, op: "index_add", ["index 3 is out of bounds for dimension 0 with size 3"])
  }

  @Test func indexAddDtypes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 4]).indexAdd(
        0, Tensor(integers: [0]), Tensor.ones([1, 4], dtype: .float64))
    }
    expectStopMessage(
      result, op: "index_add",
      ["index_add_(): self (Float) and source (Double) must have the same scalar type"])
  }

  @Test func indexAddIndexMustBeAVector() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 4]).indexAdd(
        0, Tensor(integers: [0, 2]).reshaped([1, 2]), Tensor.ones([2, 4]))
    }
    expectStopMessage(
      result, op: "index_add",
      [
        "index_add_(): Index is supposed to be a vector, but got dim: 2 with type: Long and size: [1, 2]"
      ])
  }

  @Test func inPlaceIndexAddOnALeafThatRequiresGrad() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      Tensor.zeros([3], requiresGrad: true).indexAdd_(0, Tensor(integers: [1]), Tensor.ones([1]))
    }
    expectStopMessage(
      result, op: "index_add_",
      ["a leaf Variable that requires grad is being used in an in-place operation"])
  }

  @Test func unfoldWindowLargerThanTheDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 5]).unfold(dimension: 1, size: 6, step: 1)
    }
    expectStopMessage(
      result, op: "unfold", ["maximum size for tensor at dimension 1 is 5 but size is 6"])
  }

  @Test func unfoldStepZero() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 5]).unfold(dimension: 1, size: 2, step: 0)
    }
    expectStopMessage(result, op: "unfold", ["step is 0 but must be > 0"])
  }

  @Test func diagonalOfOneDimension() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([3, 3]).diagonal(dim1: 1, dim2: 1)
    }
    expectStopMessage(result, op: "diagonal", ["diagonal dimensions cannot be identical 1, 1"])
  }

  @Test func einsumInvalidSubscript() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("i1->i", Tensor.zeros([2, 3]))
    }
    expectStopMessage(
      result, op: "einsum",
      [
        "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]",
        "equation 'i1->i'", "[2, 3]",
      ])
  }

  @Test func einsumOperandCount() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("ij,jk->ik", Tensor.zeros([2, 3]))
    }
    expectStopMessage(
      result, op: "einsum",
      ["einsum(): fewer operands were provided than specified in the equation", "'ij,jk->ik'"])
  }

  @Test func einsumSubscriptsAndDimensions() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("ijk->i", Tensor.zeros([2, 3]))
    }
    expectStopMessage(
      result, op: "einsum",
      [
        "einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0 and no ellipsis was given"
      ])
  }

  @Test func einsumSizesDisagree() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("ij,jk->ik", Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
    }
    expectStopMessage(
      result, op: "einsum",
      [
        "einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3",
        "operand shapes [2, 3] and [4, 5]",
      ])
  }

  @Test func einsumRepeatedSubscriptSizes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("ii->i", Tensor.zeros([2, 3]))
    }
    expectStopMessage(
      result, op: "einsum",
      ["einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"])
  }

  @Test func einsumUnknownOutputSubscript() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("ij->k", Tensor.zeros([2, 3]))
    }
    expectStopMessage(
      result, op: "einsum",
      ["einsum(): output subscript k does not appear in the equation for any input operand"])
  }

  @Test func einsumRepeatedOutputSubscript() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("ij->ii", Tensor.zeros([2, 3]))
    }
    expectStopMessage(
      result, op: "einsum", ["einsum(): output subscript i appears more than once in the output"])
  }

  @Test func einsumBrokenEllipsis() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("..i->i", Tensor.zeros([2, 3]))
    }
    expectStopMessage(
      result, op: "einsum", ["einsum(): found '.' for operand 0 that is not part of any ellipsis"])
  }

  @Test func einsumEllipsesThatDoNotBroadcast() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("...ij,...jk->...ik", Tensor.zeros([2, 2, 3]), Tensor.zeros([3, 3, 4]))
    }
    expectStopMessage(
      result, op: "einsum",
      [
        "einsum(): dimension 0 covered by ellipsis in operand 1has size 3 which does not broadcast with previously seen ellipsis with size 2 for the respective dimension"
      ])
  }

  @Test func einsumDtypes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = einsum("ij,jk", Tensor.zeros([2, 3]), Tensor.zeros([3, 4], dtype: .float64))
    }
    expectStopMessage(result, op: "einsum", ["expected scalar type Float but found Double"])
  }
}
