import Testing

@testable import Descent

// Finite-difference checks, in float64, of the reductions and selections of the vocabulary
// (norm, prod, amax/amin, sort, topk, kthvalue, median), the index adds, unfold, diagonal and
// einsum.

@Suite struct GradcheckSelectionTests {
  /// Distinct values and magnitudes, away from 0: a [2, 3, 4] tensor.
  static let distinct = GradcheckReductionTests.distinct + 0.13

  @Test func norms() {
    let x = Self.distinct
    for p: NormOrder in [2, 1, 3, 1.5, 0.5, .infinity, -.infinity, .fro] {
      expectGradcheck([x]) { $0[0].norm(p: p) }
      expectGradcheck([x]) { $0[0].norm(p: p, dim: 1) }
      expectGradcheck([x]) { $0[0].norm(p: p, dims: [0, 2], keepDim: true) }
    }
    expectGradcheck([values([], [-0.7])]) { $0[0].norm() }
  }

  @Test func normGradientAtZeroIsZero() {
    for p: NormOrder in [2, 3, 1.5, 0.5, 1, .infinity] {
      let x = Tensor.zeros([3], dtype: .float64).requiresGrad_()
      x.norm(p: p).backward()
      #expect(x.grad?.toDoubles() == [0, 0, 0], "p = \(p)")
    }
    // The 0-"norm" counts nonzeros: its gradient is zero everywhere.
    let y = values([3], [1, 0, 2]).requiresGrad_()
    y.norm(p: 0).backward()
    #expect(y.grad?.toDoubles() == [0, 0, 0])
    // Ties at the largest magnitude share the ∞-norm's gradient.
    let z = values([4], [1, -3, 3, 2]).requiresGrad_()
    z.norm(p: .infinity).backward()
    #expect(z.grad?.toDoubles() == [0, -0.5, 0.5, 0])
  }

  @Test func products() {
    let x = Self.distinct
    expectGradcheck([x]) { $0[0].prod() }
    expectGradcheck([x]) { $0[0].prod(dim: 1) }
    expectGradcheck([x]) { $0[0].prod(dim: -1, keepDim: true) }
    // Zeros: one and two in a row (prod is a polynomial: exact differences there).
    let zeros = values([2, 3], [2, 0, 3, 0, 0, 1.5])
    expectGradcheck([zeros]) { $0[0].prod(dim: 1) }
    expectGradcheck([zeros]) { $0[0].prod(dim: 0) }
    expectGradcheck([values([3], [2, 0, 3])]) { $0[0].prod() }
    let v = values([3], [2, 0, 3]).requiresGrad_()
    v.prod().backward()
    #expect(v.grad?.toDoubles() == [0, 6, 0])
  }

  @Test func extremes() {
    let x = Self.distinct
    expectGradcheck([x]) { $0[0].amax() }
    expectGradcheck([x]) { $0[0].amin(dim: 1) }
    expectGradcheck([x]) { $0[0].amax(dims: [0, 2], keepDim: true) }
    // Ties share evenly; for two that is also the central difference there.
    expectGradcheck([values([2, 3], [1, 3, 3, 2, -2, 2])]) { $0[0].amax(dim: 1) }
    let t = values([2, 3], [1, 3, 3, 2, 2, 2]).requiresGrad_()
    t.amax(dim: 1).sum().backward()
    let expected = [0, 0.5, 0.5, 1.0 / 3, 1.0 / 3, 1.0 / 3]
    let shares = t.grad?.toDoubles() ?? []
    #expect(shares.count == 6 && zip(shares, expected).allSatisfy { Swift.abs($0 - $1) < 1e-15 })
  }

  @Test func sorting() {
    let x = Self.distinct
    expectGradcheck([x]) { $0[0].sort().values }
    expectGradcheck([x]) { $0[0].sort(dim: 0, descending: true).values }
    expectGradcheck([x]) { $0[0].topk(2).values }
    expectGradcheck([x]) { $0[0].topk(3, dim: 1, largest: false).values }
    expectGradcheck([x]) { $0[0].kthvalue(2, dim: 2).values }
    expectGradcheck([x]) { $0[0].kthvalue(1, dim: 0, keepDim: true).values }
    expectGradcheck([x]) { $0[0].median(dim: 1).values }
    expectGradcheck([x]) { $0[0].median() }
  }

  @Test func sortIsStableAndTopkUnsortedHoldsTheSameElements() {
    let ties = Tensor([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
    #expect(
      ties.argsort().toArray(as: Int64.self) == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map { $0 + 1 }
        + [0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
    #expect(ties.argsort(descending: true).toArray(as: Int64.self).prefix(3) == [0, 2, 4])
    let x = normal([7], seed: 400)
    let sorted = x.topk(4)
    let unsorted = x.topk(4, sorted: false)
    #expect(
      Set(unsorted.indices.toArray(as: Int64.self)) == Set(sorted.indices.toArray(as: Int64.self)))
  }

  @Test func indexAdds() {
    let base = normal([4, 3], seed: 401)
    let source = normal([3, 3], seed: 402)
    let index = Tensor(integers: [0, 2, 2])
    expectGradcheck([base, source]) { $0[0].indexAdd(0, index, $0[1]) }
    // A transposed source, along dim 1.
    expectGradcheck([base, normal([3, 4], seed: 429)]) {
      $0[0].indexAdd(1, Tensor(integers: [1, 1, 0]), $0[1].transpose(0, 1), alpha: -1.5)
    }
    let scatterIndex = Tensor(shape: [3, 2], scalars: [Int64(0), 0, 3, 1, 2, 2])
    expectGradcheck([normal([3, 4], seed: 403), normal([3, 2], seed: 404)]) {
      $0[0].scatterAdd(1, scatterIndex, $0[1])
    }
    // A source larger than the index: the rest of it gets a zero gradient.
    expectGradcheck([normal([3, 4], seed: 405), normal([3, 5], seed: 406)]) {
      $0[0].scatterAdd(1, scatterIndex, $0[1])
    }
  }

  @Test func inPlaceIndexAddsEqualOutOfPlace() {
    let base = normal([4, 3], seed: 407)
    let source = normal([3, 3], seed: 408)
    let index = Tensor(integers: [3, 0, 3])
    let expected = base.indexAdd(0, index, source, alpha: 2).toDoubles()
    let target = base.clone()
    target.indexAdd_(0, index, source, alpha: 2)
    #expect(target.toDoubles() == expected)
    let scatterIndex = Tensor(shape: [2, 3], scalars: [Int64(1), 0, 3, 1, 1, 2])
    let scattered = base.scatterAdd(0, scatterIndex, source.slice(0, end: 2)).toDoubles()
    let inPlace = base.clone()
    inPlace.scatterAdd_(0, scatterIndex, source.slice(0, end: 2))
    #expect(inPlace.toDoubles() == scattered)
    // A transposed target is written through its strides.
    let transposed = base.T.contiguous().T
    transposed.indexAdd_(0, index, source, alpha: 2)
    #expect(transposed.toDoubles() == expected)
    // In a graph, the in-place form is recorded: gradients reach both operands.
    let leaf = normal([4, 3], seed: 409).requiresGrad_()
    let src = normal([3, 3], seed: 410).requiresGrad_()
    let y = leaf * 1
    y.indexAdd_(0, index, src, alpha: 2)
    y.sum().backward()
    #expect(leaf.grad?.toDoubles() == [Double](repeating: 1, count: 12))
    #expect(src.grad?.toDoubles() == [Double](repeating: 2, count: 9))
  }

  @Test func unfoldAndDiagonal() {
    let x = normal([2, 7], seed: 411)
    expectGradcheck([x]) { $0[0].unfold(dimension: 1, size: 3, step: 1) }
    expectGradcheck([x]) { $0[0].unfold(dimension: 1, size: 2, step: 3) }
    expectGradcheck([x]) { $0[0].unfold(dimension: 0, size: 2, step: 1) }
    #expect(x.unfold(dimension: 1, size: 3, step: 2).storage === x.storage)
    let m = normal([3, 4], seed: 412)
    for offset in [-2, 0, 1, 3] { expectGradcheck([m]) { $0[0].diagonal(offset: offset) } }
    expectGradcheck([normal([2, 3, 3], seed: 413)]) { $0[0].diagonal(dim1: 1, dim2: 2) }
  }

  @Test func einsumContractions() {
    let a = normal([2, 3], seed: 414)
    let b = normal([3, 4], seed: 415)
    let s = normal([3, 3], seed: 416)
    expectGradcheck([a, b]) { einsum("ij,jk->ik", $0[0], $0[1]) }
    expectGradcheck([a, b]) { einsum("ij,jk", $0[0], $0[1]) }
    expectGradcheck([s]) { einsum("ii", $0[0]) }
    expectGradcheck([s]) { einsum("ii->i", $0[0]) }
    expectGradcheck([a, a]) { einsum("ij,ij->ij", $0[0], $0[1]) }
    expectGradcheck([normal([3], seed: 417), normal([4], seed: 418)]) {
      einsum("i,j->ij", $0[0], $0[1])
    }
    expectGradcheck([normal([2, 2, 3, 4], seed: 419), normal([2, 2, 5, 4], seed: 420)]) {
      einsum("bhqd,bhkd->bhqk", $0[0], $0[1])
    }
    expectGradcheck([normal([2, 3, 4], seed: 421), normal([4, 2], seed: 422)]) {
      einsum("...ij,...jk->...ik", $0[0], $0[1])
    }
    expectGradcheck([
      normal([2, 3], seed: 423), normal([4, 3, 2], seed: 424), normal([2, 2], seed: 425),
    ]) {
      einsum("bn,anm,bm->ba", $0[0], $0[1], $0[2])
    }
    expectGradcheck([normal([2, 1], seed: 426), b]) { einsum("ij,jk->ik", $0[0], $0[1]) }
  }

  @Test func einsumEqualsMatmulAndSum() {
    let a = normal([4, 5, 6], seed: 427)
    let b = normal([4, 6, 3], seed: 428)
    let viaEinsum = einsum("bij,bjk->bik", a, b).toDoubles()
    let viaMatmul = a.matmul(b).toDoubles()
    #expect(zip(viaEinsum, viaMatmul).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
    let trace = einsum("ii", Tensor.eye(4, dtype: .float64) * 2.5).item()
    #expect(trace == 10)
  }
}
