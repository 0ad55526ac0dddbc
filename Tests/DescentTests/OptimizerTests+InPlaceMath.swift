import Testing

@testable import Descent

/// The fused in-place ops against the out-of-place ops they stand for.
@Suite struct OptimizerInPlaceMathTests {
  /// A float tensor with values away from zero (for division and square roots).
  func sample(_ shape: [Int], _ dtype: DType, seed: UInt64) -> Tensor {
    let g = Generator(seed: seed)
    return (Tensor.rand(shape, generator: g).to(dtype) + 0.5)
  }

  @Test(arguments: [DType.float32, .float64])
  func opsMatchTheirOutOfPlaceFormulas(_ dtype: DType) {
    let x = sample([3, 4], dtype, seed: 1)
    let a = sample([3, 4], dtype, seed: 2)
    let b = sample([3, 4], dtype, seed: 3)
    func check(_ name: String, _ op: (Tensor) -> Tensor, _ expected: Tensor) {
      let target = x.clone()
      let version = target.storage.version
      let result = op(target)
      #expect(result === target, "\(name) returns self")
      #expect(target.storage.version > version, "\(name) bumps the version")
      #expect(target.toDoubles() == expected.toDoubles(), "\(name)")
      #expect(target.dtype == dtype)
    }
    check("add_", { $0.add_(a, alpha: -0.25) }, x + a * -0.25)
    check("add_ scalar", { $0.add_(0.5) }, x + 0.5)
    check("mul_ scalar", { $0.mul_(0.9) }, x * 0.9)
    check("mul_", { $0.mul_(a) }, x * a)
    check("div_ scalar", { $0.div_(1.7) }, x / 1.7)
    check("div_", { $0.div_(a) }, x / a)
    check("addcmul_", { $0.addcmul_(a, b, value: 0.3) }, x + a * 0.3 * b)
    check("addcdiv_", { $0.addcdiv_(a, b, value: -0.3) }, x + a * -0.3 / b)
    check("lerp_ small", { $0.lerp_(a, weight: 0.1) }, x + (a - x) * 0.1)
    check("lerp_ large", { $0.lerp_(a, weight: 0.75) }, a - (a - x) * 0.25)
    check("sqrt_", { $0.sqrt_() }, x.sqrt())
    check("neg_", { $0.neg_() }, -x)
    check("maximum_", { $0.maximum_(a) }, x.maximum(a))
    check("clamp_", { $0.clamp_(min: 0.8, max: 1.2) }, x.clamp(min: 0.8, max: 1.2))
  }

  @Test func lerpEndsExactly() {
    let x = Tensor([0.1, 3, -7])
    let end = Tensor([5, 1e-3, 2])
    #expect(x.clone().lerp_(end, weight: 1).toDoubles() == end.toDoubles())
    #expect(x.clone().lerp_(end, weight: 0).toDoubles() == x.toDoubles())
  }

  @Test func operandsBroadcastAndConvert() {
    let x = Tensor([[1, 2], [3, 4]])
    x.add_(Tensor([10, 20], dtype: .float64), alpha: 2)
    #expect(x.toDoubles() == [21, 42, 23, 44] && x.dtype == .float32)
    x.addcmul_(Tensor([1]), Tensor([[1], [2]]), value: -1)
    #expect(x.toDoubles() == [20, 41, 21, 42])
  }

  @Test func stridedSelfIsUpdatedThroughItsView() {
    let base = Tensor([[1, 2, 3], [4, 5, 6]])
    let view = base.t()
    view.mul_(Tensor([[1, 10], [2, 20], [3, 30]]))
    #expect(base.toDoubles() == [1, 4, 9, 40, 100, 180])
    base[0].sqrt_()
    #expect(base.toDoubles().prefix(3) == [1, 2, 3])
  }

  @Test func nanPropagatesThroughMaximumAndClamp() {
    let x = Tensor([.nan, 1, 2])
    x.maximum_(Tensor([0, .nan, 3]))
    let values = x.toDoubles()
    #expect(values[0].isNaN && values[1].isNaN && values[2] == 3)
    let y = Tensor([.nan, -5, 5]).clamp_(min: -1, max: 1).toDoubles()
    #expect(y[0].isNaN && y[1] == -1 && y[2] == 1)
    // As in PyTorch, max wins when min > max.
    #expect(Tensor([0, 5]).clamp_(min: 2, max: 1).toDoubles() == [1, 1])
  }

  @Test func aLeafMayChangeInsideNoGrad() {
    let w = Tensor([1, 2], requiresGrad: true)
    noGrad { w.add_(Tensor([1, 1]), alpha: -0.5).mul_(2) }
    #expect(w.toDoubles() == [1, 3] && w.isLeaf && w.requiresGrad)
  }

  @Test func gradientsFlowThroughInPlaceOpsOnGraphTensors() {
    let w = Tensor([1, 2, 3], requiresGrad: true)
    let a = Tensor([4, 5, 6], requiresGrad: true)
    let y = w * 2
    y.addcmul_(a, a, value: 0.5)  // y = 2w + a²/2
    y.lerp_(Tensor([0, 0, 0]), weight: 0.25)  // y = 0.75·(2w + a²/2)
    y.sum().backward()
    #expect(w.grad?.toDoubles() == [1.5, 1.5, 1.5])
    #expect(a.grad?.toDoubles() == [3, 3.75, 4.5])
    #expect(!y.isLeaf)
  }

  @Test func gradientsSeeTheValueBeforeAnInPlaceProduct() {
    let w = Tensor([1, 2], requiresGrad: true)
    let a = Tensor([3, 4], requiresGrad: true)
    let y = w * 2
    y.mul_(a).div_(Tensor([2, 2]))  // y = w·a
    y.sum().backward()
    #expect(w.grad?.toDoubles() == [3, 4])
    #expect(a.grad?.toDoubles() == [1, 2])
  }
}
