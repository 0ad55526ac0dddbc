import Testing

@testable import Descent

// Finite-difference checks of every differentiable op's backward, in float64.
//
// `gradcheck` copies its inputs to float64 leaves that require grad (index tensors and masks
// stay as they are and get no gradient). Inputs sit away from kinks (0 for abs and relu, the
// bounds of clamp) and from ties (max, min, maximum, minimum), so that a step of `eps` never
// crosses one. Shapes are small: the numerical Jacobian costs two evaluations per element.
// This file: the checker itself and elementwise ops; see the `+Reductions` and `+Shapes` files
// for the rest.

/// Expects `gradcheck` to pass for `function` at `inputs`, reporting the worst entry if not.
func expectGradcheck(
  _ inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3,
  sourceLocation: SourceLocation = #_sourceLocation, _ function: ([Tensor]) -> Tensor
) {
  let result = gradcheck(function, inputs: inputs, eps: eps, atol: atol, rtol: rtol)
  #expect(result.passed, Comment(rawValue: result.description), sourceLocation: sourceLocation)
}

/// Seeded standard normal float64 values, the same on every run.
func normal(_ shape: [Int], seed: UInt64) -> Tensor {
  Tensor.randn(shape, dtype: .float64, generator: Generator(seed: seed))
}

/// Seeded values in [0.5, 2), for ops that need positive inputs away from 0 (log, sqrt, a
/// divisor, a base raised to a tensor power).
func positive(_ shape: [Int], seed: UInt64) -> Tensor {
  Tensor.rand(shape, dtype: .float64, generator: Generator(seed: seed)) * 1.5 + 0.5
}

/// A float64 tensor of explicit values.
func values(_ shape: [Int], _ scalars: [Double]) -> Tensor {
  Tensor(shape: shape, scalars: scalars)
}

@Suite struct GradcheckTests {
  // MARK: The checker itself

  @Test func checkerFailsOnAWrongGradient() {
    // d(x·x)/dx = 2x, but detaching one factor makes autograd report x.
    let result = gradcheck({ x in x[0].detach() * x[0] }, inputs: [values([3], [0.5, -1.5, 2])])
    #expect(!result.passed)
    #expect(result.detail.contains("analytical"))
    #expect(result.maxAbsoluteError > 0.4)
  }

  @Test func checkerFailsOnAnOutputThatDoesNotRequireGrad() {
    let result = gradcheck({ x in x[0].detach() * 2 }, inputs: [values([2], [1, 2])])
    #expect(!result.passed)
    #expect(result.detail.contains("does not require grad"))
  }

  @Test func checkerFailsOnAGradientOnePercentOff() {
    // The detached term changes the value (numerical slope 1.01) but not the analytical 1.
    let result = gradcheck({ x in x[0] + (x[0] * 0.01).detach() }, inputs: [values([2], [1, 2])])
    #expect(!result.passed)
    #expect(result.maxAbsoluteError > 0.009 && result.maxAbsoluteError < 0.011)
  }

  @Test func checkerWorksInFloat64AndLeavesNoGrad() {
    let input = Tensor([1.5, -0.5], dtype: .float32)
    var seen: [DType] = []
    let result = gradcheck(
      { x in
        seen.append(x[0].dtype)
        return x[0] * x[0]
      }, inputs: [input])
    #expect(result.passed)
    #expect(Set(seen) == [.float64])
    #expect(input.grad == nil)
    #expect(input.dtype == .float32)
  }

  @Test func checkerKeepsIndexAndMaskInputsAsTheyAre() {
    // Integral and bool inputs are not differentiated and keep their dtype.
    let index = Tensor(integers: [2, 0])
    let mask = Tensor([true, false, true])
    let result = gradcheck(
      { t in t[0].indexSelect(0, t[1]).sum() + t[0].maskedSelect(t[2]).sum() * 2 },
      inputs: [values([3], [1, 2, 3]), index, mask])
    #expect(result.passed, Comment(rawValue: result.description))
  }

  // MARK: + − * / between tensors, with broadcasting

  /// Operand pairs for each broadcasting pattern ([3, 1] with [1, 4], trailing, 0-d), and equal shapes.
  static let broadcastPairs: [([Int], [Int])] = [
    ([2, 3], [2, 3]), ([3, 1], [1, 4]), ([2, 3, 4], [4]), ([4], [2, 3, 4]), ([], [3]),
    ([3], []), ([2, 1, 3], [4, 1]),
  ]

  @Test(arguments: broadcastPairs)
  func addBroadcasting(_ shapes: ([Int], [Int])) {
    expectGradcheck([normal(shapes.0, seed: 1), normal(shapes.1, seed: 2)]) { $0[0] + $0[1] }
    expectGradcheck([normal(shapes.0, seed: 1), normal(shapes.1, seed: 2)]) {
      $0[0].add($0[1], alpha: -2.5)
    }
  }

  @Test(arguments: broadcastPairs)
  func subtractBroadcasting(_ shapes: ([Int], [Int])) {
    expectGradcheck([normal(shapes.0, seed: 3), normal(shapes.1, seed: 4)]) { $0[0] - $0[1] }
    expectGradcheck([normal(shapes.0, seed: 3), normal(shapes.1, seed: 4)]) {
      $0[0].sub($0[1], alpha: 0.5)
    }
  }

  @Test(arguments: broadcastPairs)
  func multiplyBroadcasting(_ shapes: ([Int], [Int])) {
    expectGradcheck([normal(shapes.0, seed: 5), normal(shapes.1, seed: 6)]) { $0[0] * $0[1] }
  }

  @Test(arguments: broadcastPairs)
  func divideBroadcasting(_ shapes: ([Int], [Int])) {
    expectGradcheck([normal(shapes.0, seed: 7), positive(shapes.1, seed: 8)]) { $0[0] / $0[1] }
    expectGradcheck([positive(shapes.0, seed: 9), normal(shapes.1, seed: 10) * 0.1 - 1]) {
      $0[0].div($0[1])
    }
  }

  @Test func sameTensorOnBothSides() {
    expectGradcheck([normal([3], seed: 11)]) { $0[0] * $0[0] + $0[0] - $0[0] / ($0[0] * $0[0] + 1) }
  }

  // MARK: Tensor and Swift number, both sides

  @Test func tensorAndScalar() {
    let x = normal([2, 3], seed: 12)
    expectGradcheck([x]) { $0[0] + 2.5 }
    expectGradcheck([x]) { 2.5 + $0[0] }
    expectGradcheck([x]) { $0[0] - 2.5 }
    expectGradcheck([x]) { 2.5 - $0[0] }
    expectGradcheck([x]) { $0[0] * -1.5 }
    expectGradcheck([x]) { -1.5 * $0[0] }
    expectGradcheck([x]) { $0[0] / 4 }
    expectGradcheck([positive([2, 3], seed: 13)]) { 3 / $0[0] }
    expectGradcheck([normal([], seed: 14)]) { 2 - $0[0] * 3 + 1 }
  }

  @Test func negation() {
    expectGradcheck([normal([2, 3], seed: 15)]) { -$0[0] }
    expectGradcheck([normal([3], seed: 16)]) { $0[0].neg() * $0[0] }
  }

  // MARK: Powers

  @Test func powerWithScalarExponent() {
    let x = normal([2, 3], seed: 17)
    expectGradcheck([x]) { $0[0].pow(3) }  // negative bases, whole exponent
    expectGradcheck([x]) { $0[0] ** 2 }
    expectGradcheck([x]) { $0[0].pow(0) }
    expectGradcheck([x]) { $0[0] ** 1 }
    expectGradcheck([x]) { $0[0] ** -2 }
    expectGradcheck([positive([2, 3], seed: 18)]) { $0[0] ** 2.5 }
    expectGradcheck([positive([2, 3], seed: 19)]) { $0[0].pow(-0.5) }
    expectGradcheck([x]) { $0[0].square() }
  }

  @Test func powerWithTensorExponent() {
    expectGradcheck([positive([2, 3], seed: 20), normal([2, 3], seed: 21)]) { $0[0] ** $0[1] }
    expectGradcheck([positive([3, 1], seed: 22), normal([1, 4], seed: 23)]) { $0[0].pow($0[1]) }
    expectGradcheck([positive([2, 3], seed: 24), normal([], seed: 25)]) { $0[0] ** $0[1] }
    expectGradcheck([positive([], seed: 26), normal([3], seed: 27)]) { $0[0] ** $0[1] }
    // Only the exponent is an input; the base is a Swift number.
    expectGradcheck([normal([3], seed: 28)]) { 2.0 ** $0[0] }
    // Only the base is an input; the exponent is a constant tensor.
    let exponent = values([3], [2, 0.5, -1])
    expectGradcheck([positive([3], seed: 29)]) { $0[0] ** exponent }
  }

  // MARK: Elementwise functions

  @Test func exponentialsAndLogarithms() {
    expectGradcheck([normal([2, 3], seed: 30)]) { $0[0].exp() }
    expectGradcheck([positive([2, 3], seed: 31)]) { $0[0].log() }
    expectGradcheck([positive([2, 3], seed: 32)]) { $0[0].sqrt() }
    expectGradcheck([normal([4], seed: 33)]) { ($0[0] * $0[0] + 1).log().sqrt().exp() }
  }

  @Test func trigonometricAndSquashing() {
    let x = normal([2, 3], seed: 34)
    expectGradcheck([x]) { $0[0].sin() }
    expectGradcheck([x]) { $0[0].cos() }
    expectGradcheck([x]) { $0[0].tanh() }
    expectGradcheck([x]) { $0[0].sigmoid() }
    expectGradcheck([x * 4]) { $0[0].sigmoid() * $0[0].tanh() }
  }

  @Test func absAndRelu() {
    // No element within eps of the kink at 0.
    let x = values([2, 3], [-1.5, -0.25, 0.3, 2, -3, 0.7])
    expectGradcheck([x]) { $0[0].abs() }
    expectGradcheck([x]) { $0[0].relu() }
    expectGradcheck([x]) { $0[0].relu() * $0[0].abs() }
  }

  @Test func clamp() {
    // Elements below, inside and above [-1, 1], none near a bound.
    let x = values([2, 3], [-1.5, -0.5, 0.2, 0.9, 1.3, -2])
    expectGradcheck([x]) { $0[0].clamp(min: -1, max: 1) }
    expectGradcheck([x]) { $0[0].clamp(min: 0) }
    expectGradcheck([x]) { $0[0].clamp(max: 0.5) }
    expectGradcheck([x]) { $0[0].clampMin(-0.7) * $0[0].clampMax(0.1) }
  }

  @Test func maximumAndMinimum() {
    let a = values([2, 3], [0.5, -1, 2, 0.1, 3, -2])
    let b = values([2, 3], [1.5, -2, 1, 0.2, -3, -1])
    expectGradcheck([a, b]) { $0[0].maximum($0[1]) }
    expectGradcheck([a, b]) { $0[0].minimum($0[1]) }
    // Broadcast [3, 1] against [1, 4], no ties.
    let c = values([3, 1], [0.15, -0.55, 1.05])
    let d = values([1, 4], [-1, 0.5, 0.3, 2])
    expectGradcheck([c, d]) { $0[0].maximum($0[1]) }
    expectGradcheck([c, d]) { $0[0].minimum($0[1]) }
    // 0-d with [3].
    expectGradcheck([values([], [0.25]), values([3], [1, -1, 0.5])]) { $0[0].maximum($0[1]) }
  }

  @Test func whereSelects() {
    let condition = Tensor([true, false, true]).reshaped([3, 1])
    expectGradcheck([normal([3, 1], seed: 35), normal([1, 4], seed: 36)]) {
      Tensor.where(condition, $0[0], $0[1])
    }
    let mask = Tensor(shape: [2, 3], scalars: [true, false, false, true, true, false])
    expectGradcheck([normal([2, 3], seed: 37), normal([], seed: 38)]) {
      Tensor.where(mask, $0[0], $0[1])
    }
    expectGradcheck([normal([3], seed: 39), normal([2, 3], seed: 40)]) {
      Tensor.where(mask, $0[0] * $0[0], $0[1].exp())
    }
  }

  @Test func conversionFromFloat32() {
    // In float32 the finite differences are coarse: a larger step and tolerance.
    expectGradcheck([normal([2, 3], seed: 41)], eps: 1e-3, atol: 1e-3, rtol: 1e-2) {
      ($0[0].to(.float32) * 3).to(.float64)
    }
    // Gradients reach a float32 leaf through to(.float64) in its own dtype.
    let x = Tensor([1, 2, 3], dtype: .float32, requiresGrad: true)
    let weights = Tensor([0.5, -1, 2], dtype: .float64)
    let y = x.to(.float64)
    #expect(y.dtype == .float64)
    #expect(y.gradFn?.name == "ToCopyBackward0")
    (y * y * weights).sum().backward()
    #expect(x.grad?.dtype == .float32)
    #expect(x.grad?.toDoubles() == [1, -4, 12])
    // double() and float() are the same conversions.
    expectGradcheck([normal([3], seed: 42)], eps: 1e-3, atol: 1e-3, rtol: 1e-2) {
      $0[0].float().double().exp()
    }
  }
}
