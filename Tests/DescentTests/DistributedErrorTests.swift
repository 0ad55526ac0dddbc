import Foundation
import Testing

@testable import Descent

/// Bad input to the collectives and to DistributedDataParallel stops with a message naming the
/// operation and the tensors. Each case runs in a child process that starts MPI as a group of one
/// (a program not started by a launcher), so these need an installed MPI library, as the
/// collectives do; elsewhere they are skipped with the reason.
@Suite(.enabled(if: MPIOnThisMachine.library != nil, MPIOnThisMachine.skipReason))
struct DistributedErrorTests {
  @Test func aNonContiguousTensorStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let group = try ProcessGroup.mpi()
      group.allReduce(Tensor.ones([2, 3]).transpose(0, 1), op: .sum)
    }
    expectStopMessage(
      result, op: "allReduce",
      ["Tensors must be contiguous (got shape [3, 2] with strides [1, 3]); call contiguous() first"]
    )
  }

  @Test func aBoolTensorStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let group = try ProcessGroup.mpi()
      group.broadcast(Tensor.ones([4], dtype: .bool), from: 0)
    }
    expectStopMessage(
      result, op: "broadcast",
      ["collectives take float32, float64 and int64 tensors, not torch.bool (shape [4])"])
  }

  @Test func aRootOutsideTheGroupStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let group = try ProcessGroup.mpi()
      group.broadcast(Tensor.ones([4]), from: 1)
    }
    expectStopMessage(
      result, op: "broadcast", ["root 1 is not a rank of this group of 1 (ranks 0…0)"])
  }

  @Test func anAllGatherOutputOfTheWrongSizeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let group = try ProcessGroup.mpi()
      group.allGather(into: Tensor.zeros([5]), Tensor.ones([4]))
    }
    expectStopMessage(
      result, op: "allGather",
      [
        "output tensor size must be equal to world_size times input tensor size: the output is 5 float32 elements, the input 4 float32 elements and the group has 1 ranks"
      ])
  }

  @Test func anOutputThatIsAViewOfTheInputStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let group = try ProcessGroup.mpi()
      let input = Tensor.ones([4])
      group.allGather(into: input.reshaped([1, 4]), input)
    }
    expectStopMessage(
      result, op: "allGather",
      ["the input and the output must not share memory (the output is a view of it)"])
  }

  @Test func aReduceScatterOfAScalarStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let group = try ProcessGroup.mpi()
      _ = group.reduceScatter(Tensor(shape: [], scalars: [Float(1)]), op: .sum)
    }
    expectStopMessage(
      result, op: "reduceScatter",
      [
        "the input's first dimension must divide into the group's 1 ranks, but the input has shape []"
      ])
  }

  @Test func aReduceScatterOutputOfTheWrongSizeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let group = try ProcessGroup.mpi()
      group.reduceScatter(into: Tensor.zeros([3], dtype: .float64), Tensor.ones([4]), op: .avg)
    }
    expectStopMessage(
      result, op: "reduceScatter",
      [
        "input tensor must be the same size as output size times world size: the input is 4 float32 elements, the output 3 float64 elements and the group has 1 ranks"
      ])
  }

  @Test func aModelWithoutParametersStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = DistributedDataParallel(ReLU(), group: try ProcessGroup.mpi())
    }
    expectStopMessage(
      result, op: "DistributedDataParallel",
      [
        "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient."
      ])
  }

  @Test func aBucketCapThatIsNotPositiveStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = DistributedDataParallel(Linear(2, 1), group: try ProcessGroup.mpi(), bucketCapMB: 0)
    }
    expectStopMessage(
      result, op: "DistributedDataParallel", ["bucketCapMB must be positive, got 0.0"])
  }

  @Test func aParameterWithoutGradientStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let ddp = DistributedDataParallel(TwoHeads(), group: try ProcessGroup.mpi())
      ddp(Tensor.ones([3, 2])).sum().backward()
    }
    expectStopMessage(
      result, op: "DistributedDataParallel",
      [
        "Expected to have finished reduction in the prior iteration before starting a new one: parameters that did not receive a gradient: module.unused.weight, module.unused.bias"
      ])
  }
}

/// A model with a layer its forward pass never uses.
private final class TwoHeads: Module {
  let used = Linear(2, 1)
  let unused = Linear(2, 1)
  override func forward(_ x: Tensor) -> Tensor { used(x) }
}
