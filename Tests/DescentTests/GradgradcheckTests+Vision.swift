import Testing

@testable import Descent

// Second derivatives of the vision ops in float64: their backwards take the differentiable
// formulas while a graph of the gradient is recorded (`createGraph`), so the gradient of the
// gradient must match finite differences of the recorded gradient. Inputs are random normals:
// ties in a pooling window have probability zero.

@Suite struct GradgradcheckVisionTests {
  @Test(arguments: ["plain", "strided", "groups", "pointwise", "same", "unbatched"])
  func conv2d(_ name: String) {
    let x = normal([2, 4, 5, 6], seed: 400)
    switch name {
    case "plain":
      expectGradgradcheck([x, normal([3, 4, 3, 3], seed: 401), normal([3], seed: 402)]) {
        Descent.conv2d($0[0], $0[1], $0[2])
      }
    case "strided":
      expectGradgradcheck([x, normal([2, 4, 2, 3], seed: 403)]) {
        Descent.conv2d($0[0], $0[1], stride: [2, 1], padding: [1, 2], dilation: [1, 2])
      }
    case "groups":
      expectGradgradcheck([x, normal([4, 2, 3, 1], seed: 404), normal([4], seed: 405)]) {
        Descent.conv2d($0[0], $0[1], $0[2], stride: 2, padding: 1, groups: 2)
      }
    case "pointwise":
      expectGradgradcheck([x, normal([2, 4, 1, 1], seed: 406)]) { Descent.conv2d($0[0], $0[1]) }
    case "same":
      expectGradgradcheck([x, normal([2, 4, 3, 2], seed: 407)]) {
        Descent.conv2d($0[0], $0[1], padding: .same, dilation: 2)
      }
    case "unbatched":
      expectGradgradcheck([normal([4, 5, 6], seed: 408), normal([2, 4, 2, 2], seed: 409)]) {
        Descent.conv2d($0[0], $0[1], padding: .valid)
      }
    default: Issue.record("unknown case \(name)")
    }
  }

  @Test func conv1d() {
    for (inputs, function) in conv1dCases(seed: 410) { expectGradgradcheck(inputs, function) }
  }

  @Test func convTranspose2d() {
    for (inputs, function) in convTranspose2dCases(seed: 420) {
      expectGradgradcheck(inputs, function)
    }
  }

  @Test func maxPooling() {
    for (inputs, function) in maxPoolingCases(seed: 430) { expectGradgradcheck(inputs, function) }
  }

  @Test func averagePooling() {
    let x = normal([2, 3, 7, 6], seed: 440)
    expectGradgradcheck([x]) { avgPool2d($0[0] * $0[0], kernelSize: 2) }
    expectGradgradcheck([x]) {
      avgPool2d(
        $0[0] * $0[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false)
    }
    expectGradgradcheck([x]) { avgPool2d($0[0] * $0[0], kernelSize: [2, 3], divisorOverride: 5) }
    expectGradgradcheck([normal([2, 3, 10], seed: 441)]) {
      avgPool1d($0[0] * $0[0], kernelSize: 4, stride: 3, padding: 2)
    }
  }

  @Test func adaptivePooling() {
    let x = normal([2, 3, 7, 6], seed: 450)
    expectGradgradcheck([x]) { adaptiveAvgPool2d($0[0] * $0[0], 1) }
    expectGradgradcheck([x]) { adaptiveAvgPool2d($0[0] * $0[0], [4, 5]) }
    expectGradgradcheck([normal([3, 5, 5], seed: 451)]) { adaptiveMaxPool2d($0[0], 2) }
  }

  @Test func batchNormInTrainingAndEvaluation() {
    for (inputs, function) in batchNormCases(seed: 460) { expectGradgradcheck(inputs, function) }
  }

  @Test func padAndInterpolate() {
    let x = normal([2, 3, 4, 5], seed: 470)
    expectGradgradcheck([x]) { pad($0[0] * $0[0], [1, 2, 0, 3], value: 0.5) }
    expectGradgradcheck([x]) { pad($0[0] * $0[0], [-1, 2, 1, -2]) }
    expectGradgradcheck([x]) { interpolate($0[0] * $0[0], scaleFactor: 2) }
    expectGradgradcheck([x]) { interpolate($0[0] * $0[0], size: [3, 7]) }
    expectGradgradcheck([normal([2, 3, 5], seed: 471)]) { interpolate($0[0] * $0[0], size: 8) }
  }
}
