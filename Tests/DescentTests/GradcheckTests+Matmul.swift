import Testing

@testable import Descent

// Finite-difference checks of `matmul` in every form torch.matmul accepts, and on operands
// that are views (transposed, sliced, expanded), which reach the GEMM kernel without a copy.

@Suite struct GradcheckMatmulTests {
  /// Operand shapes: 1-D·1-D, 2-D·1-D, 1-D·2-D, 2-D·2-D, batched, broadcast batched, and a
  /// 1-D or 2-D operand against a batch.
  static let shapes: [([Int], [Int])] = [
    ([3], [3]), ([2, 3], [3]), ([3], [3, 2]), ([2, 3], [3, 4]), ([2, 2, 3], [2, 3, 2]),
    ([2, 1, 2, 3], [3, 3, 2]), ([2, 2, 3], [3, 2]), ([3, 2], [2, 2, 3]), ([3], [2, 3, 2]),
    ([2, 2, 3], [3]), ([1, 3], [3, 1]),
  ]

  @Test(arguments: shapes)
  func matmulShapes(_ shapes: ([Int], [Int])) {
    expectGradcheck([normal(shapes.0, seed: 100), normal(shapes.1, seed: 101)]) {
      $0[0].matmul($0[1])
    }
  }

  @Test func mmAndDot() {
    expectGradcheck([normal([2, 3], seed: 102), normal([3, 2], seed: 103)]) { $0[0].mm($0[1]) }
    expectGradcheck([normal([4], seed: 104), normal([4], seed: 105)]) { $0[0].dot($0[1]) }
    expectGradcheck([normal([3], seed: 106)]) { $0[0].dot($0[0]) }
  }

  @Test func transposedOperands() {
    let a = normal([3, 2], seed: 107)
    let b = normal([4, 3], seed: 108)
    expectGradcheck([a, b]) { $0[0].T.matmul($0[1].T) }  // [2, 3]·[3, 4]
    expectGradcheck([a, b]) { $0[1].matmul($0[0]) }
    expectGradcheck([a, b]) { $0[0].T.matmul($0[1].transpose(0, 1)) * 2 }
    expectGradcheck([normal([2, 3, 2], seed: 109), normal([2, 2, 3], seed: 110)]) {
      $0[0].transpose(-1, -2).matmul($0[1].transpose(1, 2))
    }
    expectGradcheck([a]) { $0[0].T.matmul($0[0]) }  // Gram matrix: one input on both sides
  }

  @Test func slicedAndSteppedOperands() {
    let a = normal([4, 5], seed: 111)
    let b = normal([6, 3], seed: 112)
    expectGradcheck([a, b]) { $0[0][1..<3, .every(2)].matmul($0[1][.every(2)]) }  // [2,3]·[3,3]
    expectGradcheck([a, b]) { $0[0][.all, 0].matmul($0[1][..<4]) }  // strided 1-D·2-D
    expectGradcheck([a, b]) { $0[0][..<3, ..<3].matmul($0[1][0, ..<3]) }
  }

  @Test
  func expandedOperands() {
    // Zero strides: a row or a column repeated by expand.
    let row = normal([1, 3], seed: 113)
    let column = normal([3, 1], seed: 114)
    let w = normal([3, 2], seed: 115)
    expectGradcheck([row, w]) { $0[0].expand([4, 3]).matmul($0[1]) }
    expectGradcheck([column, w]) { $0[0].expand([3, 3]).matmul($0[1]) }
    expectGradcheck([row, w]) { $0[1].T.matmul($0[0].T.expand([3, 4])) }
  }

  @Test
  func expandedOperandsGiveTheValuesOfDenseCopies() {
    // The smallest case: a repeated row times the identity is the repeated row.
    let repeated = Tensor([[1, 2, 3]]).expand([2, 3]).matmul(Tensor.eye(3))
    #expect(repeated.toDoubles() == [1, 2, 3, 1, 2, 3])
    let column = Tensor([[1], [2], [3]]).expand([3, 2]).matmul(Tensor.eye(2))
    #expect(column.toDoubles() == [1, 1, 2, 2, 3, 3])
    // The forward value, not just its derivative: the same product on contiguous copies.
    let w = normal([3, 2], seed: 116)
    for operand in [
      normal([1, 3], seed: 117).expand([4, 3]), normal([3, 1], seed: 118).expand([3, 3]),
      normal([3, 3], seed: 119).T, normal([4, 6], seed: 120)[.all, .every(2)],
    ] {
      let product = operand.matmul(w).toDoubles()
      let reference = operand.contiguous().clone().matmul(w).toDoubles()
      #expect(
        zip(product, reference).allSatisfy { Swift.abs($0 - $1) < 1e-12 },
        "shape \(operand.shape) strides \(operand.strides)")
    }
    let v = normal([3], seed: 121)
    for operand in [
      normal([1, 3], seed: 122).expand([2, 3]), normal([3, 1], seed: 123).expand([3, 3]),
    ] {
      let product = operand.matmul(v).toDoubles()
      let reference = operand.contiguous().clone().matmul(v).toDoubles()
      #expect(
        zip(product, reference).allSatisfy { Swift.abs($0 - $1) < 1e-12 },
        "matrix·vector, shape \(operand.shape) strides \(operand.strides)")
      let left = v.matmul(operand.T).toDoubles()
      let leftReference = v.matmul(operand.T.contiguous().clone()).toDoubles()
      #expect(
        zip(left, leftReference).allSatisfy { Swift.abs($0 - $1) < 1e-12 },
        "vector·matrix, shape \(operand.T.shape) strides \(operand.T.strides)")
    }
  }

  @Test func linearLayerComposite() {
    // x·Wᵀ + b, then tanh and a mean: the shape of a training step.
    expectGradcheck([
      normal([4, 3], seed: 124), normal([2, 3], seed: 125), normal([2], seed: 126),
    ]) {
      ($0[0].matmul($0[1].T) + $0[2]).tanh().mean()
    }
  }
}
