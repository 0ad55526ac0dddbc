import Testing

@testable import Descent

// `grad(_:_:)` and `backward(gradient:retainGraph:createGraph:inputs:)`: gradients as values,
// gradients of gradients, and passes that touch only some tensors. Expected values are
// derivatives worked by hand (d/dx x³ = 3x², d²/dx² x³ = 6x).

@Suite struct GradTests {
  @Test func gradReturnsGradientsWithoutTouchingGrad() throws {
    let x = Tensor([1, 2, 3], requiresGrad: true)
    let w = Tensor(2.0, requiresGrad: true)
    let y = (x * x * x * w).sum()
    let gradients = grad(y, [x, w])
    #expect(gradients[0]?.toDoubles() == [6, 24, 54])
    #expect(gradients[1]?.item() == 36)
    #expect(x.grad == nil && w.grad == nil)
    #expect(gradients[0]?.requiresGrad == false)
  }

  @Test func secondDerivativesWithCreateGraph() throws {
    let x = Tensor([1, 2, 3], requiresGrad: true)
    let y = (x * x * x).sum()
    let dx = try #require(grad(y, [x], createGraph: true)[0])
    #expect(dx.toDoubles() == [3, 12, 27])
    #expect(dx.requiresGrad)
    let d2x = try #require(grad(dx.sum(), [x])[0])
    #expect(d2x.toDoubles() == [6, 12, 18])
  }

  @Test func savedOutputsCarryTheirGraphInTheSecondPass() throws {
    // d/dx e^(2x) = 2e^(2x); d²/dx² = 4e^(2x): exp saves its output, which must stay in the
    // graph when the first pass is recorded.
    let x = Tensor([0.5, -1], dtype: .float64, requiresGrad: true)
    let y = (x * 2).exp().sum()
    let first = try #require(grad(y, [x], createGraph: true)[0])
    let second = try #require(grad(first.sum(), [x])[0])
    let expected = x.toDoubles().map { 4 * Double.exp(2 * $0) }
    for (got, want) in zip(second.toDoubles(), expected) { #expect(abs(got - want) < 1e-12) }
  }

  @Test func gradOutputsGiveAVectorJacobianProduct() throws {
    let x = Tensor([1, 2], requiresGrad: true)
    let y = x * x  // Jacobian diag(2x)
    let vjp = grad(y, [x], gradOutputs: Tensor([10, 100]))[0]
    #expect(vjp?.toDoubles() == [20, 400])
  }

  @Test func anUnusedInputIsNilWithAllowUnused() {
    let x = Tensor([1, 2], requiresGrad: true)
    let unused = Tensor([3], requiresGrad: true)
    let gradients = grad((x * 2).sum(), [x, unused], allowUnused: true)
    #expect(gradients[0]?.toDoubles() == [2, 2])
    #expect(gradients[1] == nil)
  }

  @Test func gradWithRespectToAnIntermediateTensor() throws {
    let x = Tensor([1, 2], requiresGrad: true)
    let h = x * 3
    let y = (h * h).sum()  // dy/dh = 2h = [6, 12]
    let gradients = grad(y, [h, x])
    #expect(gradients[0]?.toDoubles() == [6, 12])
    #expect(gradients[1]?.toDoubles() == [18, 36])
  }

  @Test func backwardWithInputsAccumulatesOnlyIntoThose() {
    let a = Tensor([1, 2], requiresGrad: true)
    let b = Tensor([3, 4], requiresGrad: true)
    let h = a * b
    (h * 2).sum().backward(inputs: [a, h])
    #expect(a.grad?.toDoubles() == [6, 8])
    #expect(b.grad == nil)
    #expect(h.grad?.toDoubles() == [2, 2])
  }

  @Test func backwardWithCreateGraphLeavesADifferentiableGrad() throws {
    let x = Tensor([1, 2], dtype: .float64, requiresGrad: true)
    (x * x * x).sum().backward(createGraph: true)
    let first = try #require(x.grad)
    #expect(first.toDoubles() == [3, 12])
    #expect(first.requiresGrad)
    let second = try #require(grad(first.sum(), [x])[0])
    #expect(second.toDoubles() == [6, 12])
  }

  @Test func gradOfANonScalarWithoutGradOutputsStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2], requiresGrad: true)
      _ = grad(x * 2, [x])
    }
    expectStopMessage(
      result, op: "grad", ["grad can be implicitly created only for scalar outputs", "[2]"])
  }

  @Test func anUnusedInputWithoutAllowUnusedStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2], requiresGrad: true)
      let other = Tensor([1], requiresGrad: true)
      _ = grad((x * 2).sum(), [other])
    }
    expectStopMessage(
      result, op: "grad",
      [
        "One of the differentiated Tensors appears to not have been used in the graph",
        "Set allowUnused: true",
      ])
  }

  @Test func aSecondPassThroughAFreedGraphStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2], requiresGrad: true)
      let y = (x.exp()).sum()
      _ = grad(y, [x])
      _ = grad(y, [x])
    }
    expectStopMessage(
      result, op: "backward", ["Trying to backward through the graph a second time"])
  }
}
