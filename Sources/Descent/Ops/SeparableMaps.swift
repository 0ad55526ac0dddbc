/// Average pooling, adaptive average pooling and nearest interpolation are linear and act on
/// rows and columns separately: out = Pₕ · x · Pᵥᵀ over the last two dimensions, for matrices
/// Pₕ `[outH, H]` and Pᵥ `[outW, W]`. Their gradient is then Pₕᵀ · g · Pᵥ: a statement of
/// backward made of `matmul`, differentiable, that their backward passes use when a graph of
/// the gradient is recorded (the fused loops run otherwise).

/// A linear map along one dimension, from `inputs` positions to `outputs`: row `o` gives
/// `weight` to the inputs `lo..<hi` (an empty range leaves the row zero).
struct AxisMap {
  let outputs: Int
  let inputs: Int
  let rows: [(lo: Int, hi: Int, weight: Double)]

  /// The map as a `[outputs, inputs]` matrix of `dtype`.
  func matrix(_ dtype: DType) -> Tensor {
    var values = [Double](repeating: 0, count: outputs * inputs)
    for (o, row) in rows.enumerated() where row.lo < row.hi {
      for i in row.lo..<row.hi { values[o * inputs + i] = row.weight }
    }
    return Tensor(shape: [outputs, inputs], scalars: values, dtype: dtype)
  }
}

/// Pₕᵀ · g · Pᵥ over the last two dimensions of `g`: the gradient of `x ↦ Pₕ · x · Pᵥᵀ`,
/// reshaped to `inputShape`.
func separableAdjoint(_ g: Tensor, rows: AxisMap, columns: AxisMap, inputShape: [Int]) -> Tensor {
  rows.matrix(g.dtype).T.matmul(g).matmul(columns.matrix(g.dtype)).reshaped(inputShape)
}

extension Window2D {
  /// Average pooling along the rows and along the columns, with the divisor split between
  /// them (a window's count is the product of its row and column counts; an override divides
  /// once).
  func averagingMaps(_ rule: AveragingRule) -> (rows: AxisMap, columns: AxisMap) {
    func map(outputs: Int, size: Int, kernel: Int, stride: Int, pad: Int, divide: Bool)
      -> AxisMap
    {
      AxisMap(
        outputs: outputs, inputs: size,
        rows: (0..<outputs).map { o in
          let span = AveragingRule.span(
            start: o * stride - pad, kernel: kernel, padded: size + pad, size: size)
          let count = rule.countIncludePad ? span.withPadding : span.hi - span.lo
          return (span.lo, span.hi, divide && count > 0 ? 1 / Double(count) : 1)
        })
    }
    let divide = rule.divisorOverride == nil
    var rows = map(
      outputs: outHeight, size: height, kernel: kernelHeight, stride: strideHeight, pad: padTop,
      divide: divide)
    let columns = map(
      outputs: outWidth, size: width, kernel: kernelWidth, stride: strideWidth, pad: padLeft,
      divide: divide)
    if let divisor = rule.divisorOverride {
      rows = AxisMap(
        outputs: rows.outputs, inputs: rows.inputs,
        rows: rows.rows.map { ($0.lo, $0.hi, 1 / Double(divisor)) })
    }
    return (rows, columns)
  }
}

/// PyTorch's adaptive pooling window for output `o` of `outputs` over `size` inputs:
/// ⌊o·size/outputs⌋ ..< ⌈(o+1)·size/outputs⌉.
@inline(__always)
func adaptiveRange(_ o: Int, outputs: Int, size: Int) -> (lo: Int, hi: Int) {
  (o * size / outputs, ((o + 1) * size + outputs - 1) / outputs)
}

/// Adaptive average pooling along one dimension: each output is the mean of its window.
func adaptiveAveragingMap(outputs: Int, size: Int) -> AxisMap {
  AxisMap(
    outputs: outputs, inputs: size,
    rows: (0..<outputs).map { o in
      let range = adaptiveRange(o, outputs: outputs, size: size)
      return (range.lo, range.hi, 1 / Double(range.hi - range.lo))
    })
}
