import RealModule

// Gradient clipping, like `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`: call it
// between `backward()` and `optimizer.step()`.

/// Scales the gradients of `parameters` in place so that their total norm is at most
/// `maxNorm`, and returns that total norm (before clipping) as a 0-d tensor.
///
/// The total norm is the `normType`-norm of all gradients seen as one vector (`.infinity` for
/// the largest magnitude); parameters without a gradient are ignored. As in PyTorch, the
/// gradients are multiplied by `maxNorm / (totalNorm + 1e-6)` when that is below 1, computed
/// in the gradients' dtype (float64 if any gradient is float64). A NaN or infinite norm stops
/// when `errorIfNonfinite` is true; otherwise it scales the gradients to NaN as PyTorch does.
@discardableResult
public func clipGradNorm_(
  _ parameters: [Tensor], maxNorm: Double, normType: Double = 2, errorIfNonfinite: Bool = false
) -> Tensor {
  let grads = parameters.compactMap(\.grad)
  guard !grads.isEmpty else { return Tensor(0.0) }
  let dtype: DType = grads.contains { $0.dtype == .float64 } ? .float64 : .float32
  // PyTorch takes each gradient's norm in its own dtype, then the norm of those norms.
  let norms = grads.map { grad -> Double in
    guard grad.dtype.isFloatingPoint else {
      opFailure(
        "clip_grad_norm_",
        "gradients must be floating point, got \(grad.dtype) (shape \(shapeText(grad.shape)))")
    }
    return rounded(vectorNorm(grad, normType), to: grad.dtype)
  }
  let total = rounded(vectorNorm(of: norms, normType), to: dtype)
  if errorIfNonfinite && !total.isFinite {
    opFailure(
      "clip_grad_norm_",
      "The total norm of order \(normType) for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false"
    )
  }
  let coefficient: Double
  if dtype == .float32 {
    coefficient = Double(Swift.min(Float(maxNorm) / (Float(total) + Float(1e-6)), 1))
  } else {
    coefficient = Swift.min(maxNorm / (total + 1e-6), 1)
  }
  noGrad { for grad in grads { grad.mul_(coefficient) } }
  return Tensor(total, dtype: dtype)
}

/// Clamps every gradient element of `parameters` to `[-clipValue, clipValue]` in place
/// (`clip_grad_value_`); parameters without a gradient are ignored.
public func clipGradValue_(_ parameters: [Tensor], clipValue: Double) {
  noGrad {
    for p in parameters { p.grad?.clamp_(min: -clipValue, max: clipValue) }
  }
}

/// `value` as the nearest value of `dtype` (float32 rounds), kept as a Double.
private func rounded(_ value: Double, to dtype: DType) -> Double {
  dtype == .float32 ? Double(Float(value)) : value
}

/// The `p`-norm of a tensor's elements, accumulated in Double (PyTorch's CPU accumulator for
/// float32 too).
private func vectorNorm(_ tensor: Tensor, _ p: Double) -> Double {
  let dense = tensor.dense()
  let n = dense.count
  switch dense.dtype {
  case .float32:
    let x = dense.pointer(Float.self)
    return vectorNorm(count: n, p) { Double(x[$0]) }
  default:
    let x = dense.pointer(Double.self)
    return vectorNorm(count: n, p) { x[$0] }
  }
}

private func vectorNorm(of values: [Double], _ p: Double) -> Double {
  vectorNorm(count: values.count, p) { values[$0] }
}

/// PyTorch's `vector_norm`: max |x| for ∞, min |x| for −∞, the count of non-zeros for 0,
/// (Σ|x|ᵖ)^(1/p) otherwise (a plain root for 1 and 2).
@inline(__always)
private func vectorNorm(count n: Int, _ p: Double, _ element: (Int) -> Double) -> Double {
  if n == 0 { return p == -.infinity ? .infinity : 0 }
  switch p {
  case .infinity:
    var result = 0.0
    for i in 0..<n {
      let a = Swift.abs(element(i))
      if a.isNaN { return .nan }
      result = Swift.max(result, a)
    }
    return result
  case -.infinity:
    var result = Double.infinity
    for i in 0..<n {
      let a = Swift.abs(element(i))
      if a.isNaN { return .nan }
      result = Swift.min(result, a)
    }
    return result
  case 0:
    var result = 0.0
    for i in 0..<n where element(i) != 0 { result += 1 }
    return result
  case 1:
    var sum = 0.0
    for i in 0..<n { sum += Swift.abs(element(i)) }
    return sum
  case 2:
    var sum = 0.0
    for i in 0..<n { sum += element(i) * element(i) }
    return sum.squareRoot()
  default:
    var sum = 0.0
    for i in 0..<n { sum += Double.pow(Swift.abs(element(i)), p) }
    return Double.pow(sum, 1 / p)
  }
}
