import Foundation
import Testing

@testable import Descent

// torch.autograd.functional's helpers, in-place writes through views of graph tensors
// (CopySlices) and module hooks. PyTorch's values: Tests/Fixtures/make_autograd_fixtures.py.

/// The fixture's vector function: R³ → R⁴.
private func vectorFunction(_ t: Tensor) -> Tensor {
  Tensor.stack([t[0] * t[1], t[1].sin() * t[2], t[0].exp() + t[2] ** 3, t.sum()])
}

/// The fixture's scalar function: R³ → R.
private func scalarFunction(_ t: Tensor) -> Tensor {
  (t.exp() * t.roll(1)).sum() + t.pow(3).sum()
}

@Suite struct AutogradFunctionalTests {
  @Test func jacobianHessianAndProductsMatchPyTorch() throws {
    let f = try AutogradFixtures.loaded.get().functional
    let (x, u, w) = (f.x.makeTensor(), f.u.makeTensor(), f.w.makeTensor())
    let checks: [(Tensor, OpFixtureTensor, String)] = [
      (jacobian(vectorFunction, x), f.jacobian, "jacobian"),
      (hessian(scalarFunction, x), f.hessian, "hessian"),
      (vjp(vectorFunction, x, w).vjp, f.vjp, "vjp"),
      (jvp(vectorFunction, x, u).jvp, f.jvp, "jvp"),
      (hvp(scalarFunction, x, u).hvp, f.hvp, "hvp"),
    ]
    for (got, want, name) in checks {
      let problems = opFixtureMismatches(got, want, name)
      #expect(problems.isEmpty, "\(problems)")
    }
    #expect(!x.requiresGrad, "the helpers leave their input as it was")
  }

  @Test func aWriteThroughAViewRewritesTheBaseInTheGraph() throws {
    let f = try AutogradFixtures.loaded.get().copy_slices
    let x = Tensor([1, 2, 3, 4], dtype: .float64, requiresGrad: true)
    let z = Tensor([0.5, -1.5], dtype: .float64, requiresGrad: true)
    let y = x * x
    y[1..<3] = z * 3
    y[0] += z[0]
    #expect(y.gradFn?.name == "CopySlices")
    (y * Tensor([0.1, 0.2, 0.3, 0.4], dtype: .float64)).exp().sum().backward()
    #expect(opFixtureMismatches(y, f.y, "y").isEmpty)
    #expect(opFixtureMismatches(try #require(x.grad), f.x_grad, "x.grad").isEmpty)
    #expect(opFixtureMismatches(try #require(z.grad), f.z_grad, "z.grad").isEmpty)
  }

  @Test func aWriteThroughAViewOfASavedTensorRefusesTheBackward() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2], requiresGrad: true)
      let y = x * 2
      let z = y.sin()  // saves y
      y[0] = Tensor(5.0)
      z.sum().backward()
    }
    expectStopMessage(
      result, op: "backward",
      [
        "one of the variables needed for gradient computation has been modified by an inplace operation",
        "[torch.float32 [2]], saved by SinBackward0", "is at version 1; expected version 0",
      ])
  }

  @Test func forwardHooksSeeAndReplaceInputsAndOutputs() {
    let layer = Linear(2, 1)
    noGrad {
      layer.weight.copy_(Tensor(shape: [1, 2], scalars: [Float(1), 2]))
      layer.bias!.copy_(Tensor([0.5]))
    }
    let pre = layer.registerForwardPreHook { _, input in input * 10 }
    let post = layer.registerForwardHook { _, input, output in
      #expect(input.toDoubles() == [10, 20])
      return output + 1
    }
    #expect(layer(Tensor(shape: [1, 2], scalars: [Float(1), 2])).toDoubles() == [51.5])
    pre.remove()
    post.remove()
    #expect(layer(Tensor(shape: [1, 2], scalars: [Float(1), 2])).toDoubles() == [5.5])
  }

  @Test func aFullBackwardHookSeesBothGradientsAndCanReplaceTheInputs() throws {
    let layer = Linear(2, 1)
    noGrad {
      layer.weight.copy_(Tensor(shape: [1, 2], scalars: [Float(3), -1]))
      layer.bias!.copy_(Tensor([0.0]))
    }
    let x = Tensor(shape: [1, 2], scalars: [Float(1), 2], requiresGrad: true)
    var seen: [[Double]] = []
    let handle = layer.registerFullBackwardHook { _, gradInput, gradOutput in
      seen = [gradInput[0]?.toDoubles() ?? [], gradOutput[0]?.toDoubles() ?? []]
      return gradInput.map { $0.map { $0 * 2 } }
    }
    (layer(x) * 4).sum().backward()
    #expect(seen == [[12, -4], [4]])
    #expect(x.grad?.toDoubles() == [24, -8])
    #expect(layer.weight.grad?.toDoubles() == [4, 8], "parameters keep their own gradients")
    handle.remove()
    x.grad = nil
    (layer(x) * 4).sum().backward()
    #expect(x.grad?.toDoubles() == [12, -4])
  }
}
