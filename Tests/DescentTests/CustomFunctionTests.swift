import Foundation
import Testing

@testable import Descent

// Custom autograd functions (`Function`, PyTorch's torch.autograd.Function): several inputs and
// outputs, needsInputGrad, non-differentiable outputs, state on the context, names in the
// graph, gradcheck and second derivatives, and the messages for a wrong backward.

/// (a, b) -> [a * b, a + b], with one optional gradient per input.
private enum ProductAndSum: Function {
  static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> [Tensor] {
    ctx.saveForBackward(inputs[0], inputs[1])
    return [inputs[0] * inputs[1], inputs[0] + inputs[1]]
  }
  static func backward(_ ctx: FunctionContext, _ gradOutputs: [Tensor]) -> [Tensor?] {
    let (a, b) = (ctx.savedTensors[0], ctx.savedTensors[1])
    let (product, sum) = (gradOutputs[0], gradOutputs[1])
    return [
      ctx.needsInputGrad[0] ? product * b + sum : nil,
      ctx.needsInputGrad[1] ? product * a + sum : nil,
    ]
  }
}

/// x -> [scale * x.max(dim: 0), argmax as a non-differentiable output]; the scale is
/// non-tensor state on the context.
private enum ScaledMax: Function {
  static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> [Tensor] {
    let (values, indices) = inputs[0].max(dim: 0)
    ctx.scale = 3.0
    ctx.indices = indices
    ctx.inputShape = inputs[0].shape
    ctx.markNonDifferentiable(indices)
    return [values * 3, indices]
  }
  static func backward(_ ctx: FunctionContext, _ gradOutputs: [Tensor]) -> [Tensor?] {
    let scale = ctx["scale", as: Double.self]!
    let indices = ctx["indices", as: Tensor.self]!
    let shape = ctx["inputShape", as: [Int].self]!
    let gradient = Tensor.zeros(shape, dtype: gradOutputs[0].dtype)
      .scatterAdd(0, indices.unsqueeze(0), (gradOutputs[0] * scale).unsqueeze(0))
    return [gradient]
  }
}

/// Returns two gradients for one input.
private enum TooManyGradients: Function {
  static func forward(_ ctx: FunctionContext, _ input: Tensor) -> Tensor { input * 2 }
  static func backward(_ ctx: FunctionContext, _ gradOutputs: [Tensor]) -> [Tensor?] {
    [gradOutputs[0], gradOutputs[0]]
  }
}

/// Returns a gradient of the wrong shape.
private enum WrongShapeGradient: Function {
  static func forward(_ ctx: FunctionContext, _ input: Tensor) -> Tensor { input.sum() }
  static func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) -> Tensor {
    gradOutput.expand([3])
  }
}

private typealias Legendre = AutogradFixtureTests.LegendrePolynomial3

@Suite struct CustomFunctionTests {
  @Test func theNodeIsNamedAfterTheTypeInGradFnAndMakeDot() {
    let x = Tensor([0.5, -0.25], requiresGrad: true)
    let y = Legendre.apply(x)
    #expect(y.gradFn?.name == "LegendrePolynomial3Backward")
    #expect(makeDot(y.sum()).contains("label=LegendrePolynomial3Backward"))
  }

  @Test func gradcheckAndGradgradcheckPassThroughACustomFunction() {
    let x = normal([2, 3], seed: 5)
    let first = gradcheck({ Legendre.apply($0[0]) }, inputs: [x])
    #expect(first.passed, Comment(rawValue: first.description))
    expectGradgradcheck([x]) { Legendre.apply($0[0]) }
  }

  @Test func theSecondDerivativeOfP3Is15x() throws {
    let x = Tensor([0.5, -0.25, 2], dtype: .float64, requiresGrad: true)
    let first = try #require(grad(Legendre.apply(x).sum(), [x], createGraph: true)[0])
    let second = try #require(grad(first.sum(), [x])[0])
    // P3 = (5x³ - 3x) / 2, P3' = (15x² - 3) / 2, P3'' = 15x.
    #expect(first.toDoubles() == [0.375, -1.03125, 28.5])
    #expect(second.toDoubles() == [7.5, -3.75, 30])
  }

  @Test func severalInputsAndOutputs() {
    let a = Tensor([1, 2, 3], dtype: .float64, requiresGrad: true)
    let b = Tensor([4, 5, 6], dtype: .float64, requiresGrad: true)
    let outputs = ProductAndSum.apply(a, b)
    #expect(outputs.count == 2)
    #expect(outputs[0].toDoubles() == [4, 10, 18])
    #expect(outputs[1].toDoubles() == [5, 7, 9])
    (outputs[0] * 2 + outputs[1] * 3).sum().backward()
    // d/da = 2b + 3, d/db = 2a + 3
    #expect(a.grad?.toDoubles() == [11, 13, 15])
    #expect(b.grad?.toDoubles() == [5, 7, 9])
    let check = gradcheck(
      { ProductAndSum.apply($0[0], $0[1])[0] * ProductAndSum.apply($0[0], $0[1])[1] },
      inputs: [normal([3], seed: 7), normal([3], seed: 8)])
    #expect(check.passed, Comment(rawValue: check.description))
  }

  @Test func anOutputWithoutAGradientGetsZerosInBackward() {
    let a = Tensor([1, 2], dtype: .float64, requiresGrad: true)
    let b = Tensor([3, 4], dtype: .float64, requiresGrad: true)
    ProductAndSum.apply(a, b)[1].sum().backward()
    #expect(a.grad?.toDoubles() == [1, 1])
    #expect(b.grad?.toDoubles() == [1, 1])
  }

  @Test func needsInputGradSaysWhichInputsWantAGradient() {
    let a = Tensor([1, 2], dtype: .float64, requiresGrad: true)
    let b = Tensor([3, 4], dtype: .float64)
    let product = ProductAndSum.apply(a, b)[0]
    product.sum().backward()
    #expect(a.grad?.toDoubles() == [3, 4])
    #expect(b.grad == nil)
  }

  @Test func markedOutputsAreOutsideTheGraphAndStateReachesBackward() {
    let x = Tensor(shape: [2, 3], scalars: [1.0, 5, 2, 4, 0, 6], requiresGrad: true)
    let outputs = ScaledMax.apply([x])
    #expect(outputs[0].requiresGrad)
    #expect(!outputs[1].requiresGrad)
    #expect(outputs[1].toArray(as: Int64.self) == [1, 0, 1])
    outputs[0].sum().backward()
    #expect(x.grad?.toDoubles() == [0, 3, 0, 3, 0, 3])
  }

  @Test func withoutGradModeNothingIsRecorded() {
    let x = Tensor([0.5], requiresGrad: true)
    let y = noGrad { Legendre.apply(x) }
    #expect(y.gradFn == nil)
    #expect(!y.requiresGrad)
  }

  @Test func aBackwardReturningTooManyGradientsStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2], requiresGrad: true)
      TooManyGradients.apply(x).sum().backward()
    }
    expectStopMessage(
      result, op: "TooManyGradientsBackward",
      [
        "function TooManyGradientsBackward returned an incorrect number of gradients (expected 1, got 2)"
      ])
  }

  @Test func aBackwardReturningAGradientOfTheWrongShapeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6), requiresGrad: true)
      WrongShapeGradient.apply(x).backward()
    }
    expectStopMessage(
      result, op: "WrongShapeGradientBackward",
      [
        "Function WrongShapeGradientBackward returned an invalid gradient at index 0 - got [3] but expected shape compatible with [2, 3]"
      ])
  }
}
