import Testing

@testable import Descent

// Second derivatives of every differentiable op, by finite differences of the recorded
// gradient (`gradgradcheck`), in float64. Inputs sit away from kinks and ties, as for
// `gradcheck` (GradcheckTests.swift holds the input helpers).

/// Expects `gradgradcheck` to pass for `function` at `inputs`.
func expectGradgradcheck(
  _ inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3,
  sourceLocation: SourceLocation = #_sourceLocation, _ function: @escaping ([Tensor]) -> Tensor
) {
  let result = gradgradcheck(function, inputs: inputs, eps: eps, atol: atol, rtol: rtol)
  #expect(result.passed, Comment(rawValue: result.description), sourceLocation: sourceLocation)
}

@Suite struct GradgradcheckTests {
  @Test(arguments: [
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs", "relu", "neg", "square",
    "pow3", "powHalf", "clamp", "leakyRelu", "elu", "gelu", "geluTanh", "reciprocalScalar",
  ])
  func elementwise(_ name: String) {
    let x = positive([2, 3], seed: 11) - 1.1  // in [-0.6, 0.9): no zero, kinks avoided
    let p = positive([2, 3], seed: 12)
    switch name {
    case "exp": expectGradgradcheck([x]) { $0[0].exp() }
    case "log": expectGradgradcheck([p]) { $0[0].log() }
    case "sqrt": expectGradgradcheck([p]) { $0[0].sqrt() }
    case "sin": expectGradgradcheck([x]) { $0[0].sin() }
    case "cos": expectGradgradcheck([x]) { $0[0].cos() }
    case "tanh": expectGradgradcheck([x]) { $0[0].tanh() }
    case "sigmoid": expectGradgradcheck([x]) { $0[0].sigmoid() }
    case "abs": expectGradgradcheck([x]) { $0[0].abs() }
    case "relu": expectGradgradcheck([x]) { $0[0].relu() }
    case "neg": expectGradgradcheck([x]) { -$0[0] }
    case "square": expectGradgradcheck([x]) { $0[0] ** 2 }
    case "pow3": expectGradgradcheck([x]) { $0[0].pow(3) }
    case "powHalf": expectGradgradcheck([p]) { $0[0].pow(0.5) }
    case "clamp": expectGradgradcheck([x]) { $0[0].clamp(min: -0.3, max: 0.5) }
    case "leakyRelu": expectGradgradcheck([x]) { $0[0].leakyRelu(negativeSlope: 0.1) }
    case "elu": expectGradgradcheck([x]) { $0[0].elu(alpha: 1.5) }
    case "gelu": expectGradgradcheck([x]) { $0[0].gelu() }
    case "geluTanh": expectGradgradcheck([x]) { $0[0].gelu(approximateTanh: true) }
    case "reciprocalScalar": expectGradgradcheck([p]) { 2 / $0[0] }
    default: Issue.record("unknown op \(name)")
    }
  }

  @Test(arguments: ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "where"])
  func binary(_ name: String) {
    let a = normal([2, 3], seed: 21)
    let b = positive([3], seed: 22)
    switch name {
    case "add": expectGradgradcheck([a, b]) { $0[0] + $0[1] }
    case "sub": expectGradgradcheck([a, b]) { $0[0] - $0[1] }
    case "mul": expectGradgradcheck([a, b]) { $0[0] * $0[1] }
    case "div": expectGradgradcheck([a, b]) { $0[0] / $0[1] }
    case "pow": expectGradgradcheck([positive([2, 3], seed: 23), b]) { $0[0] ** $0[1] }
    case "maximum": expectGradgradcheck([a, b]) { $0[0].maximum($0[1]) }
    case "minimum": expectGradgradcheck([a, b]) { $0[0].minimum($0[1]) }
    case "where":
      expectGradgradcheck([a, b]) { Tensor.where($0[0].gt(0), $0[0] * $0[0], $0[1] * 3) }
    default: Issue.record("unknown op \(name)")
    }
  }

  @Test(arguments: [
    "sum", "sumDim", "mean", "meanDims", "max", "maxDim", "min", "var", "std", "logsumexp",
    "softmax", "logSoftmax", "norm", "prod", "cumsum",
  ])
  func reductions(_ name: String) {
    let x = normal([3, 4], seed: 31)
    switch name {
    case "sum": expectGradgradcheck([x]) { ($0[0] * $0[0]).sum() }
    case "sumDim": expectGradgradcheck([x]) { ($0[0] * $0[0]).sum(dim: 1) }
    case "mean": expectGradgradcheck([x]) { ($0[0] * $0[0]).mean() }
    case "meanDims": expectGradgradcheck([x]) { $0[0].exp().mean(dims: [0, 1], keepDim: true) }
    case "max": expectGradgradcheck([x]) { ($0[0] * $0[0]).max() }
    case "maxDim": expectGradgradcheck([x]) { ($0[0] * $0[0]).max(dim: 1).values }
    case "min": expectGradgradcheck([x]) { $0[0].exp().min(dim: 0).values }
    case "var": expectGradgradcheck([x]) { $0[0].var(dim: 1) }
    case "std": expectGradgradcheck([x]) { $0[0].std(dim: 0) }
    case "logsumexp": expectGradgradcheck([x]) { $0[0].logsumexp(dim: 1) }
    case "softmax": expectGradgradcheck([x]) { $0[0].softmax(dim: 1) }
    case "logSoftmax": expectGradgradcheck([x]) { $0[0].logSoftmax(dim: 0) }
    case "norm": expectGradgradcheck([x]) { $0[0].norm(p: 2, dim: 1) }
    case "prod": expectGradgradcheck([x]) { $0[0].prod(dim: 1) }
    case "cumsum": expectGradgradcheck([x]) { ($0[0] * $0[0]).cumsum(dim: 1) }
    default: Issue.record("unknown op \(name)")
    }
  }

  @Test(arguments: ["mm", "mv", "dot", "batched", "linear", "linearNoBias", "bmm"])
  func products(_ name: String) {
    let a = normal([2, 3], seed: 41)
    let b = normal([3, 4], seed: 42)
    switch name {
    case "mm": expectGradgradcheck([a, b]) { ($0[0].matmul($0[1])) ** 2 }
    case "mv": expectGradgradcheck([a, normal([3], seed: 43)]) { $0[0].matmul($0[1]).exp() }
    case "dot":
      expectGradgradcheck([normal([3], seed: 44), normal([3], seed: 45)]) {
        $0[0].dot($0[1]) ** 2
      }
    case "batched":
      expectGradgradcheck([normal([2, 2, 3], seed: 46), b]) { $0[0].matmul($0[1]).tanh() }
    case "linear":
      expectGradgradcheck([a, normal([4, 3], seed: 47), normal([4], seed: 48)]) {
        linear($0[0], $0[1], $0[2]).tanh()
      }
    case "linearNoBias":
      expectGradgradcheck([a, normal([4, 3], seed: 49)]) { linear($0[0], $0[1]) ** 2 }
    case "bmm":
      expectGradgradcheck([normal([2, 2, 3], seed: 50), normal([2, 3, 2], seed: 51)]) {
        $0[0].bmm($0[1]).sigmoid()
      }
    default: Issue.record("unknown op \(name)")
    }
  }

  @Test(arguments: [
    "mse", "mseSum", "mseNone", "l1", "huber", "smoothL1", "bce", "bceWithLogits", "nll",
    "crossEntropy", "crossEntropyProbabilities",
  ])
  func losses(_ name: String) {
    let x = normal([3, 4], seed: 61)
    let y = normal([3, 4], seed: 62)
    let probability =
      Tensor.rand([3, 4], dtype: .float64, generator: Generator(seed: 63)) * 0.8
      + 0.1
    let labels = Tensor(integers: [1, 0, 3])
    switch name {
    case "mse": expectGradgradcheck([x, y]) { mseLoss($0[0].tanh(), $0[1]) }
    case "mseSum": expectGradgradcheck([x, y]) { mseLoss($0[0], $0[1], reduction: .sum) }
    case "mseNone": expectGradgradcheck([x, y]) { mseLoss($0[0], $0[1], reduction: .none) }
    case "l1": expectGradgradcheck([x, y]) { l1Loss($0[0] * $0[0], $0[1]) }
    case "huber": expectGradgradcheck([x, y]) { huberLoss($0[0] * $0[0], $0[1], delta: 0.7) }
    case "smoothL1": expectGradgradcheck([x, y]) { smoothL1Loss($0[0] * $0[0], $0[1], beta: 0.6) }
    case "bce":
      expectGradgradcheck([probability, y.sigmoid()]) { binaryCrossEntropy($0[0], $0[1]) }
    case "bceWithLogits":
      expectGradgradcheck([x, y.sigmoid()]) { binaryCrossEntropyWithLogits($0[0], $0[1]) }
    case "nll": expectGradgradcheck([x, labels]) { nllLoss($0[0].logSoftmax(dim: 1), $0[1]) }
    case "crossEntropy": expectGradgradcheck([x, labels]) { crossEntropy($0[0], $0[1]) }
    case "crossEntropyProbabilities":
      expectGradgradcheck([x, y.softmax(dim: 1)]) { crossEntropy($0[0], $0[1]) }
    default: Issue.record("unknown op \(name)")
    }
  }

  @Test(arguments: [
    "reshape", "transpose", "permute", "expand", "index", "slice", "gather", "indexSelect",
    "maskedSelect", "cat", "stack", "toFloat64", "unsqueeze", "split", "layerNorm", "maskedFill",
    "tril",
  ])
  func shapes(_ name: String) {
    let x = normal([2, 3], seed: 71)
    switch name {
    case "reshape": expectGradgradcheck([x]) { ($0[0] * $0[0]).reshaped([3, 2]) }
    case "transpose": expectGradgradcheck([x]) { ($0[0] * $0[0]).transpose(0, 1) }
    case "permute": expectGradgradcheck([x]) { ($0[0] * $0[0]).permute([1, 0]) }
    case "expand": expectGradgradcheck([normal([3], seed: 72)]) { ($0[0] * $0[0]).expand([2, 3]) }
    case "index": expectGradgradcheck([x]) { ($0[0] * $0[0])[1] }
    case "slice": expectGradgradcheck([x]) { ($0[0] * $0[0])[.all, 1..<3] }
    case "gather":
      expectGradgradcheck([x, Tensor(shape: [2, 2], scalars: [Int64(2), 0, 1, 1])]) {
        ($0[0] * $0[0]).gather(1, $0[1])
      }
    case "indexSelect":
      expectGradgradcheck([x, Tensor(integers: [2, 0, 2])]) {
        ($0[0] * $0[0]).indexSelect(1, $0[1])
      }
    case "maskedSelect":
      expectGradgradcheck([x]) { ($0[0] * $0[0]).maskedSelect(Tensor([true, false, true])) }
    case "cat":
      expectGradgradcheck([x, normal([1, 3], seed: 73)]) {
        Tensor.cat([$0[0] * $0[0], $0[1]], dim: 0)
      }
    case "stack":
      expectGradgradcheck([x, normal([2, 3], seed: 74)]) {
        Tensor.stack([$0[0] * $0[1], $0[1]], dim: 1)
      }
    case "toFloat64":
      // The float32 step rounds to about 1e-7 relative: a step of 1e-3 keeps that rounding
      // below the tolerance of the finite differences (1e-7 / 1e-3).
      expectGradgradcheck([x], eps: 1e-3) { ($0[0] * $0[0]).to(.float32).to(.float64) * 2 }
    case "unsqueeze": expectGradgradcheck([x]) { ($0[0] * $0[0]).unsqueeze(1) }
    case "split": expectGradgradcheck([x]) { ($0[0] * $0[0]).split(2, dim: 1)[1] }
    case "layerNorm": expectGradgradcheck([x]) { layerNorm($0[0], normalizedShape: [3]) }
    case "maskedFill":
      expectGradgradcheck([x]) {
        ($0[0] * $0[0]).maskedFill(
          Tensor(shape: [2, 3], scalars: [true, false, false, false, false, true]), 0.5)
      }
    case "tril": expectGradgradcheck([normal([3, 3], seed: 75)]) { ($0[0] * $0[0]).tril() }
    default: Issue.record("unknown op \(name)")
    }
  }
}
