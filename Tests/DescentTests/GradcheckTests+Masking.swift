import Testing

@testable import Descent

// Finite-difference checks, in float64, of the ops attention and masking use: maskedFill,
// tril/triu, bmm/baddbmm, cumsum/cumprod, repeat, repeatInterleave, flip and roll; and the
// differentiable forms their backward passes take while a graph of the gradient is recorded.

@Suite struct GradcheckMaskingTests {
  static let mask = Tensor(shape: [2, 3], scalars: [true, false, false, true, true, false])

  @Test func maskedFill() {
    expectGradcheck([normal([2, 3], seed: 100)]) { $0[0].maskedFill(Self.mask, -2.5) }
    // A mask of more dimensions broadcasts the result; a [3] mask repeats over rows.
    expectGradcheck([normal([3], seed: 101)]) { $0[0].maskedFill(Self.mask, 7) }
    expectGradcheck([normal([2, 3], seed: 102)]) {
      $0[0].maskedFill(Tensor([true, false, true]), 0)
    }
    // The value as a 0-d tensor gets a gradient too.
    expectGradcheck([normal([2, 3], seed: 103), normal([], seed: 104)]) {
      $0[0].maskedFill(Self.mask, $0[1])
    }
  }

  @Test func inPlaceMaskedFillEqualsOutOfPlace() {
    let x = normal([2, 3], seed: 105)
    let expected = x.maskedFill(Self.mask, -1).toDoubles()
    let version = x.storage.version
    x.maskedFill_(Self.mask, -1)
    #expect(x.toDoubles() == expected)
    #expect(x.storage.version == version + 1)
    // Recorded when the tensor is in a graph: the gradient is zero where it was filled.
    let leaf = normal([2, 3], seed: 106).requiresGrad_()
    let y = leaf * 1
    y.maskedFill_(Self.mask, 0)
    y.sum().backward()
    #expect(leaf.grad?.toDoubles() == [0, 1, 1, 0, 0, 1])
    // A transposed (non-contiguous) target is written through its strides.
    let t = Tensor.zeros([3, 2], dtype: .float64).transpose(0, 1)
    t.maskedFill_(Self.mask, 5)
    #expect(t.toDoubles() == [5, 0, 0, 5, 5, 0])
  }

  @Test func triangles() {
    let x = normal([2, 3, 4], seed: 107)
    for diagonal in [-2, -1, 0, 1, 3] {
      expectGradcheck([x]) { $0[0].tril(diagonal: diagonal) }
      expectGradcheck([x]) { $0[0].triu(diagonal: diagonal) }
    }
  }

  @Test func batchedProducts() {
    let a = normal([2, 3, 4], seed: 108)
    let b = normal([2, 4, 2], seed: 109)
    expectGradcheck([a, b]) { $0[0].bmm($0[1]) }
    // Transposed views go to GEMM as they are.
    expectGradcheck([normal([2, 4, 3], seed: 110), b]) { $0[0].transpose(1, 2).bmm($0[1]) }
    expectGradcheck([a, normal([2, 2, 4], seed: 111)]) { $0[0].bmm($0[1].transpose(1, 2)) }
    for input in [
      normal([2, 3, 2], seed: 112), normal([2], seed: 113), normal([3, 1], seed: 114),
    ] {
      expectGradcheck([input, a, b]) { $0[0].baddbmm($0[1], $0[2]) }
      expectGradcheck([input, a, b]) { $0[0].baddbmm($0[1], $0[2], beta: 0.5, alpha: -2) }
      expectGradcheck([input, a, b]) { $0[0].baddbmm($0[1], $0[2], beta: 0) }
    }
  }

  @Test func bmmAndBaddbmmEqualMatmul() {
    let a = normal([3, 5, 40], seed: 115)
    let b = normal([3, 40, 6], seed: 116)
    let expected = a.matmul(b).toDoubles()
    let got = a.bmm(b).toDoubles()
    #expect(
      zip(got, expected).allSatisfy { Swift.abs($0 - $1) <= 1e-12 * Swift.max(1, Swift.abs($1)) })
    let c = Tensor.full([3, 5, 6], .nan, dtype: .float64)
    // beta 0 ignores the input, NaN included.
    #expect(c.baddbmm(a, b, beta: 0).toDoubles() == got)
  }

  @Test func cumulativeSumsAndProducts() {
    let x = normal([3, 4], seed: 117)
    for dim in [0, 1, -1] {
      expectGradcheck([x]) { $0[0].cumsum(dim: dim) }
      expectGradcheck([x]) { $0[0].cumprod(dim: dim) }
    }
    expectGradcheck([normal([], seed: 118)]) { $0[0].cumprod(dim: 0) }
    // Zeros: one, two in a slice, at the start, a slice of only zeros. cumprod is a
    // polynomial, so central differences are exact there.
    for zeros in [[1], [1, 3], [0, 6], [4, 5, 6, 7]] {
      var scalars = normal([2, 4], seed: 119).toDoubles()
      for position in zeros { scalars[position] = 0 }
      let withZeros = values([2, 4], scalars)
      expectGradcheck([withZeros]) { $0[0].cumprod(dim: 1) }
      expectGradcheck([withZeros]) { $0[0].cumprod(dim: 0) }
    }
  }

  /// While a graph of the gradient is recorded (GradMode on inside backward), cumsum and
  /// cumprod differentiate through public ops; the fused kernels run otherwise. Both give the
  /// same values, and the differentiable forms have correct gradients themselves.
  @Test func cumulativeBackwardFormsAgree() {
    var scalars = normal([3, 5], seed: 120).toDoubles()
    for position in [2, 5, 8, 14] { scalars[position] = 0 }
    let x = values([3, 5], scalars)
    let g = normal([3, 5], seed: 121)
    for axis in [0, 1] {
      let y = x.cumprod(dim: axis)
      let fused = noGrad { Tensor.cumprodGradient(g, x, y, axis: axis) }.toDoubles()
      let formula = enableGrad { Tensor.cumprodGradient(g, x, y, axis: axis) }.toDoubles()
      #expect(zip(fused, formula).allSatisfy { Swift.abs($0 - $1) <= 1e-12 }, "axis \(axis)")
      let reversedFused = noGrad { g.reversedCumsum(axis) }.toDoubles()
      let reversedFormula = enableGrad { g.reversedCumsum(axis) }.toDoubles()
      #expect(zip(reversedFused, reversedFormula).allSatisfy { Swift.abs($0 - $1) <= 1e-12 })
      expectGradcheck([x]) { v in
        enableGrad { Tensor.cumprodGradient(g, v[0], v[0].cumprod(dim: axis), axis: axis) }
      }
      expectGradcheck([g]) { v in enableGrad { v[0].reversedCumsum(axis) } }
    }
  }

  @Test func repetition() {
    let x = normal([2, 3], seed: 122)
    expectGradcheck([x]) { $0[0].repeat(2, 1) }
    expectGradcheck([x]) { $0[0].repeat(2, 2, 3) }
    expectGradcheck([x]) { $0[0].transpose(0, 1).repeat(1, 2) }
    expectGradcheck([x]) { $0[0].repeatInterleave(2) }
    expectGradcheck([x]) { $0[0].repeatInterleave(3, dim: 1) }
    expectGradcheck([x]) { $0[0].repeatInterleave(Tensor(integers: [2, 0, 1]), dim: -1) }
    expectGradcheck([x]) { $0[0].repeatInterleave(Tensor(integers: [3, 1]), dim: 0) }
  }

  @Test func reordering() {
    let x = normal([2, 3, 4], seed: 123)
    expectGradcheck([x]) { $0[0].flip(0) }
    expectGradcheck([x]) { $0[0].flip(-1, 1) }
    expectGradcheck([x]) { $0[0].transpose(0, 2).flip(1) }
    expectGradcheck([x]) { $0[0].transpose(0, 2).roll([1, -1], dims: [0, 1]) }
    expectGradcheck([x]) { $0[0].roll(1, dim: 2) }
    expectGradcheck([x]) { $0[0].roll([-1, 5], dims: [0, 1]) }
    expectGradcheck([x]) { $0[0].roll(7) }
    #expect(Tensor([1, 2, 3, 4]).roll(1).toFloats() == [4, 1, 2, 3])
    #expect(Tensor([1, 2, 3, 4]).flip(0).toFloats() == [4, 3, 2, 1])
  }
}
