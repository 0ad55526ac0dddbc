import Foundation
import Testing

@testable import Descent

/// `clipGradNorm_` with a NaN or infinite gradient, against PyTorch (the `clip_nonfinite` cases
/// of Tests/Fixtures/training.json): with `errorIfNonfinite` it stops with PyTorch's message,
/// without it the norm and the scaled gradients are PyTorch's, NaN for NaN.
@Suite struct ClipNonfiniteTests {
  static let cases = TrainingFixtureFile.file?.clip_nonfinite ?? []

  /// Equal, NaN equal to NaN and zeros compared with their sign.
  static func same(_ a: Double, _ b: Double) -> Bool {
    a.isNaN ? b.isNaN : a == b && a.sign == b.sign
  }

  @Test(arguments: cases)
  func scalesToPyTorchsValuesWithoutTheError(_ c: ClipNonfiniteCase) {
    let params = c.grads.map { Tensor.zeros([$0.count], requiresGrad: true) }
    for (p, grad) in zip(params, c.grads) {
      p.grad = Tensor(shape: [grad.count], scalars: grad.map { Float($0.value) })
    }
    let total = clipGradNorm_(params, maxNorm: c.max_norm, normType: c.normType)
    #expect(total.dtype == .float32 && total.shape == [])
    #expect(Self.same(total.item(), c.total_norm.value), "total norm \(total.item())")
    for (k, (p, expected)) in zip(params, c.clipped).enumerated() {
      let got = p.grad!.toDoubles()
      #expect(
        got.count == expected.count && zip(got, expected).allSatisfy { Self.same($0, $1.value) },
        "gradient \(k): \(got) vs \(expected.map(\.value))")
    }
  }

  /// PyTorch's message up to its advice, which names Descent's argument instead.
  static func message(_ name: String) -> String {
    let text = cases.first { $0.name == name }?.error ?? "missing fixture case \(name)"
    return text.components(separatedBy: ". To disable")[0]
  }

  @Test func nanGradientStopsWhenAskedTo() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let p = Tensor.zeros([3], requiresGrad: true)
      p.grad = Tensor([0.5, .nan, -1])
      let q = Tensor.zeros([2], requiresGrad: true)
      q.grad = Tensor([2, 0.25])
      clipGradNorm_([p, q], maxNorm: 1, errorIfNonfinite: true)
    }
    expectStopMessage(
      result, op: "clip_grad_norm_", [Self.message("nan_norm2"), "errorIfNonfinite: false"])
  }

  @Test func infiniteGradientStopsWhenAskedTo() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let p = Tensor.zeros([3], requiresGrad: true)
      p.grad = Tensor([-.infinity, 1.5, -1])
      let q = Tensor.zeros([2], requiresGrad: true)
      q.grad = Tensor([2, 0.25])
      clipGradNorm_([p, q], maxNorm: 2, normType: 1, errorIfNonfinite: true)
    }
    expectStopMessage(result, op: "clip_grad_norm_", [Self.message("neg_inf_norm1")])
    let infNorm = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let p = Tensor.zeros([2], requiresGrad: true)
      p.grad = Tensor([.nan, 0.25])
      clipGradNorm_([p], maxNorm: 0.5, normType: .infinity, errorIfNonfinite: true)
    }
    expectStopMessage(infNorm, op: "clip_grad_norm_", [Self.message("nan_norm_inf")])
  }
}
