import Testing

@testable import Descent

// Finite-difference checks of reductions: over all elements, one dimension, several, with and
// without keepDim, with negative dimensions; and softmax, logSoftmax, logsumexp.

@Suite struct GradcheckReductionTests {
  /// Distinct values (no ties within eps) for max and min: a [2, 3, 4] tensor.
  static let distinct: Tensor = {
    var scalars: [Double] = []
    for i in 0..<24 {
      let step: Double = Double((i * 7) % 24) * 0.25
      let offset: Double = Double(i % 3) * 0.01
      scalars.append(step - 3 + offset)
    }
    return values([2, 3, 4], scalars)
  }()

  @Test func sum() {
    let x = normal([2, 3, 4], seed: 50)
    expectGradcheck([x]) { $0[0].sum() }
    expectGradcheck([x]) { $0[0].sum(dim: 1) }
    expectGradcheck([x]) { $0[0].sum(dim: -1, keepDim: true) }
    expectGradcheck([x]) { $0[0].sum(dims: [0, 2]) }
    expectGradcheck([x]) { $0[0].sum(dims: [-1, 0], keepDim: true) }
    expectGradcheck([x]) { $0[0].sum(dims: []) }
    expectGradcheck([normal([], seed: 51)]) { $0[0].sum() * 3 }
  }

  @Test func mean() {
    let x = normal([2, 3, 4], seed: 52)
    expectGradcheck([x]) { $0[0].mean() }
    expectGradcheck([x]) { $0[0].mean(dim: 0) }
    expectGradcheck([x]) { $0[0].mean(dim: -2, keepDim: true) }
    expectGradcheck([x]) { $0[0].mean(dims: [1, 2]) }
    expectGradcheck([x]) { $0[0].mean(dims: [0, -1], keepDim: true) }
  }

  @Test func maxAndMinOverAllElements() {
    expectGradcheck([Self.distinct]) { $0[0].max() }
    expectGradcheck([Self.distinct]) { $0[0].min() }
    // A tie at the maximum shares the gradient evenly, which is also the central difference
    // there: raising either tied entry by eps raises the max by eps, lowering it keeps it.
    expectGradcheck([values([3], [1, 2, 2])]) { $0[0].max() }
    let x = values([3], [1, 2, 2]).requiresGrad_()
    x.max().backward()
    #expect(x.grad?.toDoubles() == [0, 0.5, 0.5])
  }

  @Test func maxAndMinAlongOneDimension() {
    let x = Self.distinct
    expectGradcheck([x]) { $0[0].max(dim: 1).values }
    expectGradcheck([x]) { $0[0].max(dim: -1, keepDim: true).values }
    expectGradcheck([x]) { $0[0].min(dim: 0).values }
    expectGradcheck([x]) { $0[0].min(dim: -2, keepDim: true).values }
    expectGradcheck([values([4], [0.5, -1, 3, 2])]) { $0[0].max(dim: 0).values }
  }

  @Test func variance() {
    let x = normal([2, 3, 4], seed: 53)
    expectGradcheck([x]) { $0[0].var() }
    expectGradcheck([x]) { $0[0].var(dim: 1) }
    expectGradcheck([x]) { $0[0].var(dim: -1, keepDim: true) }
    expectGradcheck([x]) { $0[0].var(dims: [0, 2]) }
    expectGradcheck([x]) { $0[0].var(dims: [0, -1], keepDim: true) }
    expectGradcheck([x]) { $0[0].var(dim: 2, correction: 0) }
    expectGradcheck([x]) { $0[0].var(correction: 0, keepDim: true) }
  }

  @Test func standardDeviation() {
    let x = normal([2, 3, 4], seed: 54)
    expectGradcheck([x]) { $0[0].std() }
    expectGradcheck([x]) { $0[0].std(dim: 0) }
    expectGradcheck([x]) { $0[0].std(dim: -2, keepDim: true) }
    expectGradcheck([x]) { $0[0].std(dims: [1, 2], correction: 0) }
  }

  @Test func logsumexp() {
    let x = normal([2, 3, 4], seed: 55)
    expectGradcheck([x]) { $0[0].logsumexp(dim: 1) }
    expectGradcheck([x]) { $0[0].logsumexp(dim: -1, keepDim: true) }
    expectGradcheck([x]) { $0[0].logsumexp(dim: 0) }
    // Large values: the shift by the maximum keeps it finite and the gradient exact.
    expectGradcheck([values([3], [1000, 1001, 999.5])]) { $0[0].logsumexp(dim: 0) }
  }

  @Test func softmax() {
    let x = normal([2, 3, 4], seed: 56)
    expectGradcheck([x]) { $0[0].softmax(dim: 0) }
    expectGradcheck([x]) { $0[0].softmax(dim: 1) }
    expectGradcheck([x]) { $0[0].softmax(dim: -1) }
    expectGradcheck([values([3], [500, 501, 499])]) { $0[0].softmax(dim: 0) }
  }

  @Test func logSoftmax() {
    let x = normal([2, 3, 4], seed: 57)
    expectGradcheck([x]) { $0[0].logSoftmax(dim: 0) }
    expectGradcheck([x]) { $0[0].logSoftmax(dim: -2) }
    expectGradcheck([x]) { $0[0].logSoftmax(dim: 2) }
  }

  @Test func reductionsOfViewsAndComposites() {
    // Reductions of non-contiguous inputs, and a cross-entropy-like composite.
    let x = normal([3, 4], seed: 58)
    expectGradcheck([x]) { $0[0].T.sum(dim: 1) }
    expectGradcheck([x]) { $0[0][.all, .every(2)].mean(dim: 0) }
    expectGradcheck([x]) { $0[0].T.var(dim: 0) }
    expectGradcheck([x]) { $0[0].T.softmax(dim: 1) }
    let labels = Tensor(integers: [1, 0, 3]).reshaped([3, 1])
    expectGradcheck([x]) { -$0[0].logSoftmax(dim: 1).gather(1, labels).mean() }
  }

  @Test func zeroDimensionalInputs() {
    // A 0-d tensor accepts dim 0 or -1 and reduces over its one element, as in PyTorch.
    let x = values([], [0.7])
    expectGradcheck([x]) { $0[0].softmax(dim: 0) }
    expectGradcheck([x]) { $0[0].logSoftmax(dim: -1) }
    expectGradcheck([x]) { $0[0].logsumexp(dim: 0) }
    expectGradcheck([x]) { $0[0].logsumexp(dim: -1, keepDim: true) * 3 }
    expectGradcheck([x]) { $0[0].var(correction: 0) + $0[0] }
    expectGradcheck([x]) { $0[0].var(dim: 0, correction: 0, keepDim: true) + $0[0] }
    #expect(x.softmax(dim: 0).item() == 1)
    #expect(x.logSoftmax(dim: 0).item() == 0)
    #expect(values([], [1000]).logsumexp(dim: 0).item() == 1000)  // no overflow
    #expect(x.logsumexp(dim: 0).shape == [])
    #expect(x.var(dim: 0).item().isNaN)  // one element, Bessel's correction: 0 / 0
    #expect(x.std(dim: -1, correction: 0).item() == 0)
  }

  /// Sum, mean and max along dim 0 or -1 of a 0-d tensor: a 0-d result with a gradient, as in
  /// PyTorch (these once indexed past the empty shape, and max's result had no `gradFn`).
  @Test
  func zeroDimensionalSumMeanMax() {
    let x = values([], [0.7])
    expectGradcheck([x]) { $0[0].sum(dim: 0) }
    expectGradcheck([x]) { $0[0].mean(dim: -1) }
    expectGradcheck([x]) { $0[0].max(dim: 0).values }
    #expect(x.sum(dim: 0).shape == [] && x.max(dim: -1).values.shape == [])
  }
}
