import Foundation
import Testing

@testable import Descent

/// Regressions for gradients that must stay independent and finite: the first gradient of a
/// leaf may be the backward's own tensor (moved, not copied), and masks are selects.
@Suite struct AutogradRegressionTests {
  @Test func leavesGivenOneGradientTensorStayIndependent() {
    // AddBackward0 hands the same tensor to both inputs.
    let a = Tensor([1, 2], requiresGrad: true)
    let b = Tensor([3, 4], requiresGrad: true)
    (a + b).backward(gradient: Tensor([1, 1]))
    noGrad { a.grad!.fill_(7) }
    #expect(b.grad!.toDoubles() == [1, 1])
    #expect(a.grad!.toDoubles() == [7, 7])
  }

  @Test func aGradientTheCallerHoldsIsNotTaken() {
    let x = Tensor([1, 2], requiresGrad: true)
    let upstream = Tensor([5, 6])
    (x * 1).backward(gradient: upstream)
    noGrad { x.grad!.zero_() }
    #expect(upstream.toDoubles() == [5, 6])
    // A leaf used as the root with the caller's gradient.
    let leaf = Tensor([1, 2], requiresGrad: true)
    let g = Tensor([3, 4])
    leaf.backward(gradient: g)
    noGrad { leaf.grad!.fill_(0) }
    #expect(g.toDoubles() == [3, 4])
  }

  @Test func retainedGraphAccumulatesTwice() {
    let x = Tensor([1, 2], requiresGrad: true)
    let y = (x * x).sum()
    y.backward(retainGraph: true)
    y.backward()
    #expect(x.grad!.toDoubles() == [4, 8])
  }

  @Test func oneLeafsGradientAsAnothersUpstream() {
    let x = Tensor([1, 2], requiresGrad: true)
    (x * 3).sum().backward()
    let z = Tensor([1, 1], requiresGrad: true)
    (z * 2).backward(gradient: x.grad!)
    noGrad { z.grad!.zero_() }
    #expect(x.grad!.toDoubles() == [3, 3])
  }

  @Test func infiniteUpstreamGradientsGiveZeroWhereMasked() {
    // PyTorch's threshold_backward and clamp/max backward are selects: 0 where masked, even
    // for an infinite gradient, and relu lets the gradient through at a NaN input.
    let x = Tensor([-1, .nan, 2], requiresGrad: true)
    x.relu().backward(gradient: Tensor([.infinity, 1, 1]))
    #expect(x.grad!.toDoubles() == [0, 1, 1])

    let c = Tensor([-3, 0.5, 3], requiresGrad: true)
    c.clamp(min: -1, max: 1).backward(gradient: Tensor([.infinity, 2, .infinity]))
    #expect(c.grad!.toDoubles() == [0, 2, 0])

    let m = Tensor([1, 5, 2], requiresGrad: true)
    m.max().backward(gradient: Tensor(.infinity))
    let maxGrad = m.grad!.toDoubles()
    #expect(maxGrad[0] == 0 && maxGrad[2] == 0 && maxGrad[1] == .infinity)

    let p = Tensor([1, 5], requiresGrad: true)
    let q = Tensor([3, 2], requiresGrad: true)
    p.maximum(q).backward(gradient: Tensor([.infinity, .infinity]))
    #expect(p.grad!.toDoubles() == [0, .infinity])
    #expect(q.grad!.toDoubles() == [.infinity, 0])
  }

  @Test func boolArithmeticStaysBool() {
    let a = Tensor([true, false, true])
    let b = Tensor([true, true, false])
    #expect((a + b).dtype == .bool)
    #expect((a + b).toArray(as: Bool.self) == [true, true, true])
    #expect((a * b).toArray(as: Bool.self) == [true, false, false])
    #expect(a.maximum(b).toArray(as: Bool.self) == [true, true, true])
  }
}

@Suite struct ReviewExitTests {
  @Test func boolMinusBoolStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([true]) - Tensor([false])
    }
    expectStopMessage(result, op: "sub", ["two bool tensors is not supported"])
  }

  @Test func shapeTooLargeNamesTheShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([1 << 62, 4])
    }
    expectStopMessage(
      result, op: "Tensor", ["[4611686018427387904, 4]", "more elements than memory can hold"])
  }
}

@Suite struct CSVDeviceTests {
  @Test func aDeviceIsNotReadForever() throws {
    #expect(throws: CSVError.self) { try CSVReader.read(URL(fileURLWithPath: "/dev/zero")) }
  }
}
