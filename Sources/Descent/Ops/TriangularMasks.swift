/// `tril` and `triu`: the lower or upper triangle of the last two dimensions, the rest zero
/// (causal attention masks), beside their backward.
extension Tensor {
  /// The lower triangle of each matrix in the last two dimensions (`tril`): elements with
  /// column − row ≤ `diagonal` are kept, the others zeroed. `diagonal` 0 is the main
  /// diagonal, positive values reach above it, negative below. Any dtype, bool included.
  public func tril(diagonal: Int = 0) -> Tensor {
    triangle(lower: true, diagonal: diagonal)
  }

  /// The upper triangle of each matrix in the last two dimensions (`triu`): elements with
  /// column − row ≥ `diagonal` are kept, the others zeroed.
  public func triu(diagonal: Int = 0) -> Tensor {
    triangle(lower: false, diagonal: diagonal)
  }

  private func triangle(lower: Bool, diagonal: Int) -> Tensor {
    let op = lower ? "tril" : "triu"
    return Tensor.op(self) { () throws(OpError) in
      guard rank >= 2 else {
        throw OpError(
          op,
          "\(op): input tensor must have at least 2 dimensions (got shape \(shapeText(shape))). Unsqueeze a vector to a matrix first."
        )
      }
      let out = copyData()
      dtype.dispatchBits(TriangleZeroing(target: out, lower: lower, diagonal: diagonal))
      record(lower ? "TrilBackward0" : "TriuBackward0", out, self) { g in
        lower ? g.tril(diagonal: diagonal) : g.triu(diagonal: diagonal)
      }
      return out
    }
  }
}

/// Zeroes, in each dense matrix of the last two dimensions, the elements outside the kept
/// triangle.
private struct TriangleZeroing: BitsRoutine {
  let target: Tensor
  let lower: Bool
  let diagonal: Int
  func run<Bits: FixedWidthInteger>(_: Bits.Type) {
    let rows = target.shape[target.rank - 2]
    let columns = target.shape[target.rank - 1]
    let matrices = rows * columns == 0 ? 0 : target.count / (rows * columns)
    let data = target.pointer(Bits.self)
    for matrix in 0..<matrices {
      for i in 0..<rows {
        let row = data + (matrix * rows + i) * columns
        // tril keeps j ≤ i + diagonal; triu keeps j ≥ i + diagonal.
        let edge = i + diagonal
        let (start, end) =
          lower ? (Swift.max(edge + 1, 0), columns) : (0, Swift.min(Swift.max(edge, 0), columns))
        if start < end { (row + start).update(repeating: 0, count: end - start) }
      }
    }
  }
}
