import RealModule

/// Layer normalisation over the last dimension as one op: one pass per row for the statistics
/// and the affine output, one for the gradients (PyTorch's `native_layer_norm` and its
/// backward), instead of the dozen ops of the composed `layerNorm`. The Transformer layers use
/// it; it gives the composed form's values up to rounding.

/// (x − mean) / √(var + eps) · weight + bias over the last dimension (biased variance), with
/// `weight` and `bias` of the last dimension's size (either may be nil).
func fusedLayerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Double) -> Tensor {
  let width = x.shape.last ?? 1
  let source = x.dense()
  let (out, statistics) = x.dtype.dispatchFloat(
    LayerNormForward(x: source, weight: weight?.dense(), bias: bias?.dense(), eps: eps))
  let inputs = [x] + [weight, bias].compactMap { $0 }
  guard GradMode.isEnabled, inputs.contains(where: \.requiresGradFlag) else { return out }
  let name = "NativeLayerNormBackward0"
  let savedX = SavedTensor(x, op: name)
  let savedWeight = weight.map { SavedTensor($0, op: name) }
  let needs = (x.requiresGradFlag, weight?.requiresGradFlag == true, bias?.requiresGradFlag == true)
  record(name, out, inputs) { g in
    var grads: [Tensor?]
    if GradMode.isEnabled {
      // The same gradients as differentiable ops of x, weight and g.
      let xv = savedX.value
      let mean = xv.mean(dim: -1, keepDim: true)
      let centred = xv - mean
      let rstd = (centred.square().mean(dim: -1, keepDim: true) + eps).rsqrt()
      let normalized = centred * rstd
      let dNormalized = savedWeight.map { g * $0.value } ?? g
      let dx =
        rstd
        * (dNormalized - dNormalized.mean(dim: -1, keepDim: true)
          - normalized * (dNormalized * normalized).mean(dim: -1, keepDim: true))
      let rows = g.reshaped([-1, width])
      grads = [
        needs.0 ? dx : nil,
        needs.1 ? (rows * normalized.reshaped([-1, width])).sum(dim: 0) : nil,
        needs.2 ? rows.sum(dim: 0) : nil,
      ]
    } else {
      let result = g.dtype.dispatchFloat(
        LayerNormBackward(
          x: source, weight: savedWeight?.value.dense(), g: g.dense(), statistics: statistics,
          needs: needs))
      grads = [result.0, result.1, result.2]
    }
    if weight == nil { grads.remove(at: 1) }
    return bias == nil ? Array(grads.prefix(grads.count - 1)) : grads
  }
  return out
}

/// The output, and per row the mean and 1/√(var + eps) (`[rows, 2]`), kept for backward.
private struct LayerNormForward: FloatRoutine {
  let x: Tensor
  let weight: Tensor?
  let bias: Tensor?
  let eps: Double

  func run<T: FloatScalar>(_: T.Type) -> (Tensor, Tensor) {
    let width = x.shape.last ?? 1
    let rows = width == 0 ? 0 : x.count / width
    let out = Tensor(uninitializedShape: x.shape, dtype: T.dtype)
    let (source, target) = (x.pointer(T.self), out.pointer(T.self))
    let (w, b) = (weight?.pointer(T.self), bias?.pointer(T.self))
    let statistics = Tensor(uninitializedShape: [rows, 2], dtype: T.dtype)
    let stats = statistics.pointer(T.self)
    let epsilon = T(fromDouble: eps)
    for r in 0..<rows {
      let row = source + r * width
      var total: T = 0
      for j in 0..<width { total += row[j] }
      let mean = total / T(width)
      var squares: T = 0
      for j in 0..<width {
        let d = row[j] - mean
        squares += d * d
      }
      let rstd = 1 / T.sqrt(squares / T(width) + epsilon)
      (stats[2 * r], stats[2 * r + 1]) = (mean, rstd)
      let line = target + r * width
      for j in 0..<width {
        var y = (row[j] - mean) * rstd
        if let w { y *= w[j] }
        if let b { y += b[j] }
        line[j] = y
      }
    }
    return (out, statistics)
  }
}

private struct LayerNormBackward: FloatRoutine {
  let x: Tensor
  let weight: Tensor?
  let g: Tensor
  let statistics: Tensor
  let needs: (Bool, Bool, Bool)

  func run<T: FloatScalar>(_: T.Type) -> (Tensor?, Tensor?, Tensor?) {
    let stats = statistics.pointer(T.self)
    let width = x.shape.last ?? 1
    let rows = statistics.shape[0]
    let dx = needs.0 ? Tensor(uninitializedShape: x.shape, dtype: T.dtype) : nil
    let dw = needs.1 ? Tensor.zeros([width], dtype: T.dtype) : nil
    let db = needs.2 ? Tensor.zeros([width], dtype: T.dtype) : nil
    let (source, gradient) = (x.pointer(T.self), g.pointer(T.self))
    let w = weight?.pointer(T.self)
    let (pdx, pdw, pdb) = (dx?.pointer(T.self), dw?.pointer(T.self), db?.pointer(T.self))
    let n = T(width)
    for r in 0..<rows {
      let (mean, rstd) = (stats[2 * r], stats[2 * r + 1])
      let (row, gr) = (source + r * width, gradient + r * width)
      var sumD: T = 0
      var sumDX: T = 0
      for j in 0..<width {
        let xhat = (row[j] - mean) * rstd
        let d = gr[j] * (w?[j] ?? 1)
        sumD += d
        sumDX += d * xhat
        if let pdw { pdw[j] += gr[j] * xhat }
        if let pdb { pdb[j] += gr[j] }
      }
      guard let pdx else { continue }
      let line = pdx + r * width
      let (meanD, meanDX) = (sumD / n, sumDX / n)
      for j in 0..<width {
        let xhat = (row[j] - mean) * rstd
        let d = gr[j] * (w?[j] ?? 1)
        line[j] = rstd * (d - meanD - xhat * meanDX)
      }
    }
    return (dx, dw, db)
  }
}
