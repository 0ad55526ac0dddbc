import Testing

@testable import Descent

// The fused fast paths of the training step against the general ops they stand for: the
// results must agree bit for bit, not only within a tolerance, because the fused paths claim
// to do the same arithmetic in the same order.

@Suite("Fused fast paths agree with the general ops bit for bit")
struct FusedPathTests {
  /// Values of `t` as Doubles, for exact comparison.
  private func values(_ t: Tensor?) -> [Double] { t?.toDoubles() ?? [] }

  @Test(arguments: [DType.float32, .float64], [Reduction.mean, .sum])
  func mseLossFusedEqualsGeneral(dtype: DType, reduction: Reduction) {
    manualSeed(7)
    let base = Tensor.randn([5, 3], dtype: dtype)
    let goal = Tensor.randn([5, 3], dtype: dtype)
    // Dense operands take the fused path; transposed views of the same values take the
    // general one (difference, square, reduce).
    let x = base.detach().requiresGrad_()
    let y = goal.detach().requiresGrad_()
    let xT = base.T.contiguous().detach().requiresGrad_()
    let yT = goal.T.contiguous().detach().requiresGrad_()
    let fused = mseLoss(x, y, reduction: reduction)
    let general = mseLoss(xT.T, yT.T, reduction: reduction)
    #expect(values(fused) == values(general))
    (fused * 3).backward()
    (general * 3).backward()
    #expect(values(x.grad) == values(xT.grad!.T))
    #expect(values(y.grad) == values(yT.grad!.T))
  }

  @Test func mseLossFusedKeepsPyTorchsNodeAndEmptyMeanIsNaN() {
    let x = Tensor([1, 2, 3], requiresGrad: true)
    #expect(mseLoss(x, Tensor([0, 0, 0])).gradFn?.name == "MseLossBackward0")
    #expect(mseLoss(Tensor.zeros([0]), Tensor.zeros([0])).item().isNaN)
  }

  @Test(arguments: [DType.float32, .float64])
  func squareGradientEqualsTwoOps(dtype: DType) {
    manualSeed(3)
    let x = Tensor.randn([4, 3], dtype: dtype, requiresGrad: true)
    let upstream = Tensor.randn([4, 3], dtype: dtype)
    x.pow(2).backward(gradient: upstream)
    let expected = noGrad { upstream * (x * 2) }
    #expect(values(x.grad) == values(expected))
  }

  @Test(arguments: [DType.float32, .float64])
  func linearEqualsMatmulPlusBias(dtype: DType) {
    manualSeed(5)
    let layer = Linear(7, 33, dtype: dtype)
    let input = Tensor.randn([9, 7], dtype: dtype, requiresGrad: true)
    let out = layer(input)
    let reference = noGrad { input.matmul(layer.weight.T) + layer.bias! }
    #expect(values(out) == values(reference))
    let upstream = Tensor.randn([9, 33], dtype: dtype)
    out.backward(gradient: upstream)
    #expect(values(input.grad) == values(noGrad { upstream.matmul(layer.weight) }))
    #expect(values(layer.weight.grad) == values(noGrad { upstream.T.matmul(input) }))
    #expect(values(layer.bias!.grad) == values(noGrad { upstream.sum(dim: 0) }))
  }
}

@Suite("Matrix products on views GEMM cannot read directly")
struct StridedOperandTests {
  @Test(arguments: [DType.float32, .float64])
  func broadcastAndSteppedOperandsEqualTheirDenseCopies(dtype: DType) {
    manualSeed(11)
    // A broadcast row (stride 0) and a column slice of a wider matrix (rows 40 apart, 3 wide):
    // neither is row- nor column-major, so both are copied before GEMM.
    let row = Tensor.randn([1, 40], dtype: dtype).expand([30, 40])
    let wide = Tensor.randn([40, 40], dtype: dtype)
    let slice = wide[.all, 5..<8]
    #expect(
      row.matmul(slice).toDoubles() == row.contiguous().matmul(slice.contiguous()).toDoubles())
    let weight = Tensor.randn([3, 40], dtype: dtype)
    #expect(linear(row, weight).toDoubles() == linear(row.contiguous(), weight).toDoubles())
  }
}

@Suite("Matrix products with an empty inner dimension")
struct EmptyInnerDimensionTests {
  @Test func productsOverNothingAreZeros() {
    #expect(
      Tensor.ones([3, 0]).matmul(Tensor.ones([0, 4])).toDoubles() == Array(repeating: 0, count: 12))
    #expect(
      Tensor.ones([2, 3, 0]).matmul(Tensor.ones([0, 2])).toDoubles()
        == Array(repeating: 0, count: 12))
    #expect(
      linear(Tensor.ones([5, 0]), Tensor.ones([2, 0])).toDoubles() == Array(repeating: 0, count: 10)
    )
  }
}

@Suite("Reused storage blocks")
struct BlockReuseTests {
  @Test func aReusedBlockNeverLeaksOldValuesIntoZerosOrResults() {
    // 256 KiB: above the size whose blocks are kept for reuse when freed.
    let n = 64 * 1024
    do {
      let old = Tensor.full([n], 7)
      #expect(old.sum().item() == Double(7 * n))
    }
    let zeros = Tensor.zeros([n])
    #expect(zeros.sum().item() == 0)
    do { _ = Tensor.full([n], 3) }
    let product = Tensor.ones([256, 256]).matmul(Tensor.zeros([256, 256]))
    #expect(product.abs().max().item() == 0)
  }

  @Test func aBlockAboveTheReusedSizesIsMappedAndReadsAsZeros() {
    // 20 MiB: above the reused sizes, mapped afresh (zeros without a fill) and unmapped.
    // Sums of small integers below 2^24 are exact in float32.
    let n = 5 << 20
    do {
      let old = Tensor.full([n], 1)
      #expect(old.sum().item() == Double(n))
    }
    let zeros = Tensor.zeros([n])
    #expect(zeros.sum().item() == 0)
    _ = zeros.fill_(2)
    #expect(zeros.sum().item() == Double(2 * n))
  }
}
