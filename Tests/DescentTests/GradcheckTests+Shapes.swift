import Testing

@testable import Descent

// Finite-difference checks of views (reshape, squeeze, transpose, expand, …), subscripts and
// selection by index tensors, and joining and splitting.

@Suite struct GradcheckShapeTests {
  @Test func reshapeAndView() {
    let x = normal([2, 3], seed: 60)
    expectGradcheck([x]) { $0[0].reshaped([3, 2]) }
    expectGradcheck([x]) { $0[0].reshaped(-1) }
    expectGradcheck([x]) { $0[0].reshaped(1, -1, 2) * 2 }
    expectGradcheck([x]) { $0[0].T.reshaped([6]) }  // a copy: not contiguous
    expectGradcheck([x]) { $0[0].view([6, 1]) }
    expectGradcheck([x]) { $0[0].view(3, 2).T }
    expectGradcheck([normal([], seed: 61)]) { $0[0].reshaped([1, 1]) }
  }

  @Test func unsqueezeSqueezeFlatten() {
    let x = normal([2, 1, 3], seed: 62)
    expectGradcheck([x]) { $0[0].unsqueeze(0) }
    expectGradcheck([x]) { $0[0].unsqueeze(-1) }
    expectGradcheck([x]) { $0[0].unsqueeze(2) * 3 }
    expectGradcheck([x]) { $0[0].squeeze() }
    expectGradcheck([x]) { $0[0].squeeze(1) }
    expectGradcheck([x]) { $0[0].squeeze(-3) }  // size 2: no change
    expectGradcheck([x]) { $0[0].flatten() }
    expectGradcheck([normal([2, 3, 2], seed: 63)]) { $0[0].flatten(startDim: 1) }
    expectGradcheck([normal([2, 3, 2], seed: 64)]) { $0[0].flatten(startDim: 0, endDim: -2) }
  }

  @Test func transposePermuteT() {
    let x = normal([2, 3, 4], seed: 65)
    expectGradcheck([x]) { $0[0].transpose(0, 2) }
    expectGradcheck([x]) { $0[0].transpose(-1, 1) }
    expectGradcheck([x]) { $0[0].permute([2, 0, 1]) }
    expectGradcheck([x]) { $0[0].permute(1, -1, 0) * $0[0].permute(1, 2, 0) }
    let m = normal([2, 3], seed: 66)
    expectGradcheck([m]) { $0[0].T }
    expectGradcheck([m]) { $0[0].t() * 2 }
    expectGradcheck([m]) { $0[0].T.T + $0[0] }
    expectGradcheck([normal([3], seed: 67)]) { $0[0].T * 2 }  // 1-D: itself
  }

  @Test func expand() {
    expectGradcheck([normal([3, 1], seed: 68)]) { $0[0].expand([3, 4]) }
    expectGradcheck([normal([3, 1], seed: 69)]) { $0[0].expand([2, 3, 4]) }
    expectGradcheck([normal([3, 1], seed: 70)]) { $0[0].expand(-1, 2) }
    expectGradcheck([normal([], seed: 71)]) { $0[0].expand([2, 2]) }
    expectGradcheck([normal([1, 3], seed: 72), normal([2, 3], seed: 73)]) {
      $0[0].expand(as: $0[1]) * $0[1]
    }
  }

  @Test func contiguousAndClone() {
    let x = normal([2, 3], seed: 74)
    expectGradcheck([x]) { $0[0].T.contiguous() }
    expectGradcheck([x]) { $0[0].contiguous() * 2 }
    expectGradcheck([x]) { $0[0].clone() }
    expectGradcheck([x]) { $0[0].T.clone() * $0[0].T }
  }

  // MARK: Subscripts

  @Test func integerSubscripts() {
    let x = normal([3, 4], seed: 75)
    expectGradcheck([x]) { $0[0][1] }
    expectGradcheck([x]) { $0[0][-1] }
    expectGradcheck([x]) { $0[0][.all, 0] }
    expectGradcheck([x]) { $0[0][.all, -2] }
    expectGradcheck([x]) { $0[0][2, 3] }
    expectGradcheck([x]) { $0[0][0] * $0[0][2] }  // two views of one tensor
  }

  @Test func rangeSubscripts() {
    let x = normal([4, 5], seed: 76)
    expectGradcheck([x]) { $0[0][1..<3] }
    expectGradcheck([x]) { $0[0][(-2)...] }
    expectGradcheck([x]) { $0[0][..<2, 1...] }
    expectGradcheck([x]) { $0[0][.all, 1...3] }
    expectGradcheck([x]) { $0[0][...(-2), .range(-3, nil)] }
    expectGradcheck([x]) { $0[0][.every(2)] }
    expectGradcheck([x]) { $0[0][.all, .every(2)] }
    expectGradcheck([x]) { $0[0][.range(1, nil, step: 2), .range(nil, -1, step: 3)] }
  }

  @Test func newAxisEllipsisAndTensorSubscripts() {
    let x = normal([2, 3, 4], seed: 77)
    expectGradcheck([x]) { $0[0][.newAxis] }
    expectGradcheck([x]) { $0[0][.ellipsis, 1] }
    expectGradcheck([x]) { $0[0][0, .newAxis, .all, -1] }
    let rows = Tensor(integers: [1, 0, 1])
    expectGradcheck([x]) { $0[0][rows] }  // repeated index: gradients add
    let mask = Tensor(shape: [2, 3, 4], scalars: (0..<24).map { $0 % 3 == 1 })
    expectGradcheck([x]) { $0[0][mask] }
    expectGradcheck([x]) { $0[0][.all, Tensor(integers: [2, 2, 0])] }
  }

  @Test func selectAndSlice() {
    let x = normal([3, 4], seed: 78)
    expectGradcheck([x]) { $0[0].select(0, 1) }
    expectGradcheck([x]) { $0[0].select(-1, -1) }
    expectGradcheck([x]) { $0[0].slice(1, start: 1, end: 3) }
    expectGradcheck([x]) { $0[0].slice(0, start: -2) }
    expectGradcheck([x]) { $0[0].slice(-1, step: 2) }
    expectGradcheck([x]) { $0[0].slice(1, start: 0, end: 100) }  // clamped end
  }

  // MARK: Selection by index tensors

  @Test func indexSelect() {
    let x = normal([3, 4], seed: 79)
    expectGradcheck([x]) { $0[0].indexSelect(0, Tensor(integers: [2, 0, 2])) }
    expectGradcheck([x]) { $0[0].indexSelect(1, Tensor(integers: [3, -1, 1])) }
    expectGradcheck([x]) { $0[0].indexSelect(-1, Tensor(integers: [0])) }
    expectGradcheck([x]) { $0[0].T.indexSelect(0, Tensor(integers: [1, 1])) }
  }

  @Test func gather() {
    let x = normal([3, 4], seed: 80)
    let columns = Tensor(shape: [3, 2], scalars: [Int64(0), 3, 1, 1, 2, 0])
    expectGradcheck([x]) { $0[0].gather(1, columns) }
    let rows = Tensor(shape: [2, 4], scalars: [Int64(2), 0, 1, 2, 0, 0, 2, 1])
    expectGradcheck([x]) { $0[0].gather(0, rows) }
    expectGradcheck([x]) { $0[0].gather(-1, columns) * 2 }
  }

  @Test func maskedSelect() {
    let x = normal([2, 3], seed: 81)
    let mask = Tensor(shape: [2, 3], scalars: [true, false, true, true, false, false])
    expectGradcheck([x]) { $0[0].maskedSelect(mask) }
    // A mask that broadcasts over the rows picks each column twice.
    let columnMask = Tensor([false, true, true])
    expectGradcheck([x]) { $0[0].maskedSelect(columnMask) }
    // A mask broadcast against a smaller input: the gradient sums over the broadcast rows.
    expectGradcheck([normal([3], seed: 82)]) { $0[0].maskedSelect(mask) }
  }

  @Test func scatterAdding() {
    let base = normal([3, 4], seed: 83)
    let source = normal([3, 2], seed: 84)
    let index = Tensor(shape: [3, 2], scalars: [Int64(0), 0, 3, 1, 2, 2])  // repeats add
    expectGradcheck([base, source]) { $0[0].scatterAdding(1, index, $0[1]) }
    let rowIndex = Tensor(shape: [2, 4], scalars: [Int64(0), 1, 2, 0, 2, 2, 1, 0])
    expectGradcheck([base, normal([2, 4], seed: 85)]) { $0[0].scatterAdding(0, rowIndex, $0[1]) }
    // Only the source is an input.
    expectGradcheck([source]) {
      Tensor.zeros([3, 4], dtype: .float64).scatterAdding(1, index, $0[0])
    }
  }

  // MARK: Joining and splitting

  @Test func cat() {
    let a = normal([2, 3], seed: 86)
    let b = normal([1, 3], seed: 87)
    let c = normal([2, 2], seed: 88)
    expectGradcheck([a, b]) { Tensor.cat([$0[0], $0[1]]) }
    expectGradcheck([a, c]) { Tensor.cat([$0[0], $0[1]], dim: 1) }
    expectGradcheck([a, c]) { Tensor.cat([$0[1], $0[0], $0[1]], dim: -1) }
    expectGradcheck([a, b]) { Tensor.cat([$0[0].T, $0[1].T], dim: 1) }
    // One input a constant.
    let constant = Tensor.ones([1, 3], dtype: .float64)
    expectGradcheck([a]) { Tensor.cat([constant, $0[0]]) }
  }

  @Test func stack() {
    let a = normal([2, 3], seed: 89)
    let b = normal([2, 3], seed: 90)
    expectGradcheck([a, b]) { Tensor.stack([$0[0], $0[1]]) }
    expectGradcheck([a, b]) { Tensor.stack([$0[0], $0[1], $0[0]], dim: 1) }
    expectGradcheck([a, b]) { Tensor.stack([$0[1], $0[0]], dim: -1) }
  }

  @Test func splitAndChunk() {
    let x = normal([5, 2], seed: 91)
    /// Weights each piece differently so that a gradient routed to the wrong piece shows.
    func weighted(_ pieces: [Tensor], dim: Int) -> Tensor {
      Tensor.cat(pieces.enumerated().map { $0.element * Double($0.offset + 1) }, dim: dim)
    }
    expectGradcheck([x]) { weighted($0[0].split(2), dim: 0) }
    expectGradcheck([x]) { weighted($0[0].split(sizes: [1, 3, 1]), dim: 0) }
    expectGradcheck([x]) { weighted($0[0].split(1, dim: -1), dim: 1) }
    expectGradcheck([x]) { weighted($0[0].chunk(3), dim: 0) }
    expectGradcheck([x]) { weighted($0[0].chunk(2, dim: 1), dim: 1) }
    expectGradcheck([x]) { $0[0].split(2)[2] }  // the short last piece alone
    #expect(x.split(2).map(\.shape) == [[2, 2], [2, 2], [1, 2]])
    #expect(x.chunk(3).map(\.shape) == [[2, 2], [2, 2], [1, 2]])
  }
}
