/// Products of elements (`prod`), over everything or along a dimension, beside a backward
/// that is right with zeros in the input, as PyTorch's.

/// The product of dense `x` over the middle axis of `[outer, n, inner]`, accumulated as sums
/// are (Double for floats, Int64 for integers).
private struct MiddleProduct: NumericRoutine {
  let x: MiddleAxis
  let outShape: [Int]

  func run<T: NumericScalar>(_: T.Type) -> Tensor {
    let (outer, n, inner) = x.sizes
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let source = x.data.pointer(T.self)
    let target = out.pointer(T.self)
    var totals = [T.Accumulator](repeating: .one, count: inner)
    for o in 0..<outer {
      for i in 0..<inner { totals[i] = .one }
      for k in 0..<n {
        let row = source + (o * n + k) * inner
        for i in 0..<inner { totals[i] = T.Accumulator.multiply(totals[i], row[i].accumulated) }
      }
      for i in 0..<inner { target[o * inner + i] = T(accumulated: totals[i]) }
    }
    return out
  }
}

extension Tensor {
  /// The product of all elements (`prod()`), a 0-d tensor; integral and bool tensors give
  /// int64.
  public func prod() -> Tensor {
    Tensor.op(self) {
      let out = rawProduct(axis: nil, keepDim: false)
      return recordProduct("ProdBackward0", out) { g, x, result in
        let y = GradMode.isEnabled ? x.prod() : result.value
        let flat = x.reshaped([-1])
        return Tensor.productGradient(g.reshaped([1]), flat, y.reshaped([1]), axis: 0)
          .reshaped(x.shape)
      }
    }
  }

  /// The product along `dim` (`prod(dim:keepdim:)`).
  public func prod(dim: Int, keepDim: Bool = false) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "prod")
      let out = rawProduct(axis: axis, keepDim: keepDim)
      return recordProduct("ProdBackward1", out) { g, x, result in
        let y =
          GradMode.isEnabled
          ? x.prod(dim: axis, keepDim: true)
          : (keepDim ? result.value : result.value.unsqueeze(axis))
        return Tensor.productGradient(keepDim ? g : g.unsqueeze(axis), x, y, axis: axis)
      }
    }
  }

  /// Records `name`, the backward of the product `out` of `self`: a 0-d input passes `g` on;
  /// any other gets `gradient(g, x, result)`, from the saved input x and the saved output.
  private func recordProduct(
    _ name: String, _ out: Tensor,
    gradient: @escaping (_ g: Tensor, _ x: Tensor, _ result: SavedTensor) -> Tensor
  ) -> Tensor {
    guard requiresGradFlag else { return out }
    let input = SavedTensor(self, op: name)
    let result = SavedTensor(output: out, op: name)
    record(name, out, self) { g in
      let x = input.value
      if x.rank == 0 { return g }
      return gradient(g, x, result)
    }
    return out
  }

  private func rawProduct(axis: Int?, keepDim: Bool) -> Tensor {
    let source = (dtype.isFloatingPoint ? self : converted(to: .int64)).dense()
    guard let axis, rank > 0 else {
      return source.dtype.dispatchNumeric(
        MiddleProduct(x: MiddleAxis(wholeOf: source), outShape: []))
    }
    return source.dtype.dispatchNumeric(
      MiddleProduct(
        x: MiddleAxis(source, around: axis), outShape: reducedShape(axis, keepDim: keepDim)))
  }

  /// The gradient of `y = x.prod(axis)` for `g` (both kept along `axis`): g·y/x without zeros;
  /// with zeros, g times the product of the other elements of the slice, from exclusive
  /// running products forwards and backwards (PyTorch's `prod_safe_zeros_backward`).
  private static func productGradient(_ g: Tensor, _ x: Tensor, _ y: Tensor, axis: Int)
    -> Tensor
  {
    let n = x.shape[axis]
    if n == 0 { return g.expand(x.shape) }
    if !x.eq(0).any() { return g * (y / x) }
    let ones = Tensor.onesLike(x.slice(axis, start: 0, end: 1))
    let forwards = Tensor.cat([ones, x.slice(axis, start: 0, end: n - 1)], dim: axis)
      .cumprod(dim: axis)
    let backwards = Tensor.cat([ones, x.slice(axis, start: 1).flip([axis])], dim: axis)
      .cumprod(dim: axis).flip([axis])
    return g * (forwards * backwards)
  }
}
