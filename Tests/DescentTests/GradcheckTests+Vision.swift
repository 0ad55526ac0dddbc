import Testing

@testable import Descent

// Finite-difference checks (float64) of the vision ops: convolutions with strides, paddings,
// dilations and groups, the poolings (ceil mode, padding, adaptive windows), batch norm in
// training and evaluation, pad, nearest interpolation, unfold and fold.

@Suite struct GradcheckVisionTests {
  @Test func conv2dWithEveryOption() {
    let x = normal([2, 4, 5, 6], seed: 300)
    expectGradcheck([x, normal([3, 4, 3, 3], seed: 301), normal([3], seed: 302)]) {
      conv2d($0[0], $0[1], $0[2])
    }
    expectGradcheck([x, normal([2, 4, 2, 3], seed: 303)]) {
      conv2d($0[0], $0[1], stride: [2, 1], padding: [1, 2], dilation: [1, 2])
    }
    expectGradcheck([x, normal([4, 2, 3, 1], seed: 304), normal([4], seed: 305)]) {
      conv2d($0[0], $0[1], $0[2], stride: 2, padding: 1, groups: 2)
    }
    expectGradcheck([x, normal([2, 4, 1, 1], seed: 306)]) { conv2d($0[0], $0[1]) }
    expectGradcheck([x, normal([2, 4, 3, 2], seed: 307)]) {
      conv2d($0[0], $0[1], padding: .same, dilation: 2)
    }
    expectGradcheck([normal([4, 5, 6], seed: 308), normal([2, 4, 2, 2], seed: 309)]) {
      conv2d($0[0], $0[1], padding: .valid)  // unbatched
    }
  }

  @Test func conv1d() {
    for (inputs, function) in conv1dCases(seed: 310) { expectGradcheck(inputs, function) }
  }

  @Test func convTranspose2d() {
    for (inputs, function) in convTranspose2dCases(seed: 320) { expectGradcheck(inputs, function) }
  }

  @Test func maxPooling() {
    for (inputs, function) in maxPoolingCases(seed: 330) { expectGradcheck(inputs, function) }
  }

  @Test func averagePooling() {
    let x = normal([2, 3, 7, 6], seed: 340)
    expectGradcheck([x]) { avgPool2d($0[0], kernelSize: 2) }
    expectGradcheck([x]) {
      avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false)
    }
    expectGradcheck([x]) { avgPool2d($0[0], kernelSize: [2, 3], divisorOverride: 5) }
    expectGradcheck([normal([2, 3, 10], seed: 341)]) {
      avgPool1d($0[0], kernelSize: 4, stride: 3, padding: 2)
    }
    expectGradcheck([x]) { adaptiveAvgPool2d($0[0], 1) }
    expectGradcheck([x]) { adaptiveAvgPool2d($0[0], [4, 5]) }
  }

  @Test func batchNormInTrainingAndEvaluation() {
    for (inputs, function) in batchNormCases(seed: 350) { expectGradcheck(inputs, function) }
  }

  @Test func padInterpolateUnfoldFold() {
    let x = normal([2, 3, 4, 5], seed: 360)
    expectGradcheck([x]) { pad($0[0], [1, 2, 0, 3], value: 0.5) }
    expectGradcheck([x]) { pad($0[0], [-1, 2, 1, -2]) }
    expectGradcheck([x]) { interpolate($0[0], scaleFactor: 2) }
    expectGradcheck([x]) { interpolate($0[0], size: [3, 7]) }
    expectGradcheck([normal([2, 3, 5], seed: 361)]) { interpolate($0[0], size: 8) }
    expectGradcheck([x]) {
      unfold($0[0], kernelSize: [2, 3], dilation: 1, padding: 1, stride: [2, 1])
    }
    expectGradcheck([normal([2, 12, 9], seed: 362)]) {
      fold($0[0], outputSize: [4, 5], kernelSize: [2, 2], padding: [0, 1], stride: [1, 2])
    }
  }
}

/// Batch norm with batch statistics (with and without weight and bias) and with running
/// statistics, as (inputs, function) pairs for gradcheck and gradgradcheck; seeds from `seed`.
func batchNormCases(seed: UInt64) -> [([Tensor], ([Tensor]) -> Tensor)] {
  let x = normal([4, 3, 2, 3], seed: seed)
  let (weight, bias) = (normal([3], seed: seed + 1), normal([3], seed: seed + 2))
  let mean = normal([3], seed: seed + 4)
  let variance = positive([3], seed: seed + 5)
  return [
    (
      [x, weight, bias],
      {
        batchNorm(
          $0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
      }
    ),
    (
      [normal([5, 3], seed: seed + 3)],
      { batchNorm($0[0], runningMean: nil, runningVar: nil, training: true, eps: 1e-3) }
    ),
    (
      [x, weight, bias],
      { batchNorm($0[0], runningMean: mean, runningVar: variance, weight: $0[1], bias: $0[2]) }
    ),
  ]
}

/// Transposed convolutions with stride, padding, output padding, groups and dilation, as
/// (inputs, function) pairs for gradcheck and gradgradcheck; seeds from `seed`.
func convTranspose2dCases(seed: UInt64) -> [([Tensor], ([Tensor]) -> Tensor)] {
  let x = normal([2, 4, 3, 4], seed: seed)
  return [
    (
      [x, normal([4, 3, 3, 3], seed: seed + 1), normal([3], seed: seed + 2)],
      { convTranspose2d($0[0], $0[1], $0[2], stride: 2, padding: 1, outputPadding: 1) }
    ),
    (
      [x, normal([4, 1, 2, 3], seed: seed + 3)],
      { convTranspose2d($0[0], $0[1], stride: [1, 2], groups: 2, dilation: [2, 1]) }
    ),
  ]
}

/// Max poolings (padding, ceil mode, dilation, unbatched, 1-D, adaptive), as (inputs,
/// function) pairs for gradcheck and gradgradcheck; seeds from `seed`.
func maxPoolingCases(seed: UInt64) -> [([Tensor], ([Tensor]) -> Tensor)] {
  let x = normal([2, 3, 7, 6], seed: seed)
  return [
    ([x], { maxPool2d($0[0], kernelSize: 2) }),
    ([x], { maxPool2d($0[0], kernelSize: [3, 2], stride: [2, 1], padding: 1, ceilMode: true) }),
    ([x], { maxPool2d($0[0], kernelSize: 2, stride: 1, dilation: 2) }),
    ([normal([3, 5, 5], seed: seed + 1)], { maxPool2d($0[0], kernelSize: 3) }),
    (
      [normal([2, 3, 11], seed: seed + 2)],
      { maxPool1d($0[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true) }
    ),
    ([x], { adaptiveMaxPool2d($0[0], [3, 4]) }),
  ]
}

/// 1-D convolutions with bias, stride, padding, dilation, groups and `.same`, as (inputs,
/// function) pairs for gradcheck and gradgradcheck; seeds from `seed`.
func conv1dCases(seed: UInt64) -> [([Tensor], ([Tensor]) -> Tensor)] {
  let x = normal([2, 4, 9], seed: seed)
  return [
    (
      [x, normal([3, 4, 3], seed: seed + 1), normal([3], seed: seed + 2)],
      { conv1d($0[0], $0[1], $0[2], stride: 2, padding: 1) }
    ),
    ([x, normal([6, 2, 2], seed: seed + 3)], { conv1d($0[0], $0[1], dilation: 3, groups: 2) }),
    ([x, normal([2, 4, 4], seed: seed + 4)], { conv1d($0[0], $0[1], padding: .same) }),
  ]
}
