import Testing

@testable import Descent

// Finite-difference checks of every loss's backward in float64, for each reduction, with
// respect to the input and (where it is a float) the target. Class weights and pos weights
// are constants captured by the closure: losses give them no gradient, as PyTorch does.
// Operands sit away from kinks: |input − target| away from 0 (L1) and from beta/delta
// (smooth L1, Huber), probabilities away from 0 and 1 (BCE).

/// Seeded float64 values, uniform in [lo, hi).
private func uniform(_ shape: [Int], _ lo: Double, _ hi: Double, seed: UInt64) -> Tensor {
  Tensor.rand(shape, dtype: .float64, generator: Generator(seed: seed)) * (hi - lo) + lo
}

/// Seeded standard normal float64 values.
private func gaussian(_ shape: [Int], seed: UInt64) -> Tensor {
  Tensor.randn(shape, dtype: .float64, generator: Generator(seed: seed))
}

/// Expects `gradcheck` to pass for the loss, naming the case when it does not.
private func expectLossGradcheck(
  _ label: String, _ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
  _ function: ([Tensor]) -> Tensor
) {
  let result = gradcheck(function, inputs: inputs)
  #expect(result.passed, "\(label): \(result)", sourceLocation: sourceLocation)
}

@Suite struct LossGradcheckTests {
  @Test(arguments: Reduction.allCases)
  func regressionLosses(_ reduction: Reduction) {
    let x = gaussian([3, 4], seed: 1) * 2
    // Differences of at least 0.1 in size, never within 0.1 of beta or delta.
    let gaps = [0.3, -1.7, 2.4, -0.15, 0.9, -0.45, 1.3, -2.2, 0.2, 3.1, -0.6, 1.9]
    let y = x - Tensor(shape: [3, 4], scalars: gaps)
    let pair = [x, y]
    expectLossGradcheck("mseLoss \(reduction)", pair) {
      mseLoss($0[0], $0[1], reduction: reduction)
    }
    expectLossGradcheck("l1Loss \(reduction)", pair) { l1Loss($0[0], $0[1], reduction: reduction) }
    expectLossGradcheck("smoothL1Loss \(reduction)", pair) {
      smoothL1Loss($0[0], $0[1], reduction: reduction, beta: 0.75)
    }
    expectLossGradcheck("huberLoss \(reduction)", pair) {
      huberLoss($0[0], $0[1], reduction: reduction, delta: 1.1)
    }
  }

  @Test(arguments: Reduction.allCases)
  func binaryCrossEntropyLosses(_ reduction: Reduction) {
    let p = uniform([3, 4], 0.1, 0.9, seed: 2)
    let y = uniform([3, 4], 0.1, 0.9, seed: 3)
    let weight = uniform([4], 0.5, 2, seed: 4)
    expectLossGradcheck("binaryCrossEntropy \(reduction)", [p, y]) {
      binaryCrossEntropy($0[0], $0[1], weight: weight, reduction: reduction)
    }
    let logits = gaussian([3, 4], seed: 5) * 3
    let posWeight = uniform([4], 0.5, 3, seed: 6)
    expectLossGradcheck("binaryCrossEntropyWithLogits \(reduction)", [logits, y]) {
      binaryCrossEntropyWithLogits($0[0], $0[1], reduction: reduction)
    }
    expectLossGradcheck("binaryCrossEntropyWithLogits weights \(reduction)", [logits, y]) {
      binaryCrossEntropyWithLogits(
        $0[0], $0[1], weight: weight, reduction: reduction, posWeight: posWeight)
    }
  }

  @Test(arguments: Reduction.allCases)
  func classIndexLosses(_ reduction: Reduction) {
    let logits = gaussian([5, 4], seed: 7) * 2
    let target = Tensor(integers: [3, -100, 0, 2, 3])
    let weight = uniform([4], 0.5, 2, seed: 8)
    let logProbs = noGrad { logits.logSoftmax(dim: 1) }
    expectLossGradcheck("nllLoss \(reduction)", [logProbs, target]) {
      nllLoss($0[0], $0[1], weight: weight, reduction: reduction)
    }
    expectLossGradcheck("crossEntropy \(reduction)", [logits, target]) {
      crossEntropy($0[0], $0[1], reduction: reduction)
    }
    expectLossGradcheck("crossEntropy weight smoothing \(reduction)", [logits, target]) {
      crossEntropy($0[0], $0[1], weight: weight, reduction: reduction, labelSmoothing: 0.2)
    }
    // Positions: [N, C, d] with an int64 target [N, d]; and one unbatched sample.
    let spatial = gaussian([2, 3, 4], seed: 9)
    let spatialTarget = Tensor(shape: [2, 4], scalars: [Int64(0), 2, 1, -100, 2, 2, 0, 1])
    expectLossGradcheck("crossEntropy [N, C, d] \(reduction)", [spatial, spatialTarget]) {
      crossEntropy(
        $0[0], $0[1], weight: Tensor([1, 2, 0.5], dtype: .float64), reduction: reduction)
    }
    expectLossGradcheck("crossEntropy unbatched \(reduction)", [gaussian([4], seed: 10)]) {
      crossEntropy(
        $0[0], Tensor(shape: [], scalars: [Int64(2)]), reduction: reduction, labelSmoothing: 0.1)
    }
  }

  @Test(arguments: Reduction.allCases)
  func crossEntropyWithProbabilities(_ reduction: Reduction) {
    let logits = gaussian([3, 4], seed: 11)
    let probabilities = noGrad { gaussian([3, 4], seed: 12).softmax(dim: 1) }
    let weight = uniform([4], 0.5, 2, seed: 13)
    expectLossGradcheck("crossEntropy probabilities \(reduction)", [logits, probabilities]) {
      crossEntropy($0[0], $0[1], weight: weight, reduction: reduction, labelSmoothing: 0.15)
    }
    let spatial = gaussian([2, 3, 2], seed: 14)
    let spatialTarget = noGrad { gaussian([2, 3, 2], seed: 15).softmax(dim: 1) }
    expectLossGradcheck(
      "crossEntropy probabilities [N, C, d] \(reduction)", [spatial, spatialTarget]
    ) {
      crossEntropy($0[0], $0[1], reduction: reduction)
    }
  }
}
