/// Running sums and products along a dimension (`cumsum`, `cumprod`), beside their backward.
/// Float32 runs accumulate in Double and round each output, as PyTorch's CPU kernels do;
/// integral and bool inputs give int64.

/// The running sum or product of dense `x` along the middle axis of `[outer, n, inner]`,
/// forwards or (`reverse`) from the end.
private struct Scan: NumericRoutine {
  let x: MiddleAxis
  let product: Bool
  let reverse: Bool

  func run<T: NumericScalar>(_: T.Type) -> Tensor {
    let (outer, n, inner) = x.sizes
    let out = Tensor(uninitializedShape: x.data.shape, dtype: T.dtype)
    let source = x.data.pointer(T.self)
    let target = out.pointer(T.self)
    let start: T.Accumulator = product ? .one : .zero
    var totals = [T.Accumulator](repeating: start, count: inner)
    for o in 0..<outer {
      for i in 0..<inner { totals[i] = start }
      for step in 0..<n {
        let base = (o * n + (reverse ? n - 1 - step : step)) * inner
        for i in 0..<inner {
          let value = source[base + i].accumulated
          totals[i] =
            product
            ? T.Accumulator.multiply(totals[i], value) : T.Accumulator.add(totals[i], value)
          target[base + i] = T(accumulated: totals[i])
        }
      }
    }
    return out
  }
}

/// cumprod's gradient with zeros in the input, one slice at a time (PyTorch's O(n) formula):
/// before the first zero z, Σ_{j≥k} g_j·y_j / x_k; at z, y_{z−1}·Σ_{z≤j<z₂} g_j·Π_{z<i≤j} x_i
/// (z₂ the second zero); after it, 0.
private struct CumprodGradient: FloatRoutine {
  let x: MiddleAxis
  let y: Tensor
  let g: Tensor

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let (outer, n, inner) = x.sizes
    let out = Tensor(uninitializedShape: x.data.shape, dtype: T.dtype)
    let (xs, ys, gs) = (x.data.pointer(T.self), y.pointer(T.self), g.pointer(T.self))
    let target = out.pointer(T.self)
    for o in 0..<outer {
      for i in 0..<inner {
        let at = { (k: Int) in (o * n + k) * inner + i }
        var zero = n
        for k in 0..<n where xs[at(k)] == 0 {
          zero = k
          break
        }
        var total = 0.0
        for k in stride(from: zero - 1, through: 0, by: -1) {
          total += (ys[at(k)] * gs[at(k)]).asDouble
          target[at(k)] = T(fromDouble: total) / xs[at(k)]
        }
        guard zero < n else { continue }
        var running = 1.0
        var sum = gs[at(zero)].asDouble
        var k = zero + 1
        while k < n && xs[at(k)] != 0 {
          running *= xs[at(k)].asDouble
          sum += gs[at(k)].asDouble * running
          k += 1
        }
        let before = zero > 0 ? ys[at(zero - 1)].asDouble : 1
        target[at(zero)] = T(fromDouble: sum * before)
        for k in (zero + 1)..<n { target[at(k)] = 0 }
      }
    }
    return out
  }
}

extension Tensor {
  /// The running sum along `dim` (`cumsum`): element k is the sum of elements 0…k. Integral
  /// and bool tensors give int64.
  public func cumsum(dim: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "cumsum")
      let out = scanned(axis, product: false, reverse: false)
      record("CumsumBackward0", out, self) { g in g.reversedCumsum(axis) }
      return out
    }
  }

  /// The running product along `dim` (`cumprod`): element k is the product of elements 0…k.
  /// The gradient is right with zeros in the input, as PyTorch's is.
  public func cumprod(dim: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "cumprod")
      let out = scanned(axis, product: true, reverse: false)
      guard requiresGradFlag else { return out }
      let input = SavedTensor(self, op: "CumprodBackward0")
      let result = SavedTensor(output: out, op: "CumprodBackward0")
      record("CumprodBackward0", out, self) { g in
        Tensor.cumprodGradient(g, input.value, result.value, axis: axis)
      }
      return out
    }
  }

  /// The scan along `axis` without autograd; a 0-d tensor is its own scan.
  private func scanned(_ axis: Int, product: Bool, reverse: Bool) -> Tensor {
    let source = (dtype.isFloatingPoint ? self : converted(to: .int64)).dense()
    if rank == 0 { return source.copyData() }
    return source.dtype.dispatchNumeric(
      Scan(x: MiddleAxis(source, around: axis), product: product, reverse: reverse))
  }

  /// Σ_{j ≥ k} self_j along `axis`: cumsum's backward. Written as flip, cumsum, flip while a
  /// graph of the gradient is recorded; one reversed scan otherwise.
  func reversedCumsum(_ axis: Int) -> Tensor {
    if rank == 0 || shape[axis] == 1 { return self }
    if GradMode.isEnabled { return flip([axis]).cumsum(dim: axis).flip([axis]) }
    return scanned(axis, product: false, reverse: true)
  }

  /// The gradient of `y = x.cumprod(axis)` for the output gradient `g`.
  static func cumprodGradient(_ g: Tensor, _ x: Tensor, _ y: Tensor, axis: Int) -> Tensor {
    if x.rank == 0 || x.shape[axis] <= 1 { return g }
    let hasZero = x.eq(0).any()
    if GradMode.isEnabled {
      // The output is recomputed from the input, so that this formula is differentiable too.
      let output = x.cumprod(dim: axis)
      if !hasZero { return (output * g).reversedCumsum(axis) / x }
      return differentiableCumprodGradient(g, x, output, axis: axis)
    }
    if !hasZero { return (y * g).reversedCumsum(axis) / x }
    return x.dtype.dispatchFloat(
      CumprodGradient(x: MiddleAxis(x.dense(), around: axis), y: y.dense(), g: g.dense()))
  }

  /// PyTorch's O(n²) formula for inputs with zeros, from differentiable ops: the gradient of
  /// element k is Σ_{j≥k} g_j · Π_{i≤j, i≠k} x_i.
  private static func differentiableCumprodGradient(
    _ g: Tensor, _ x: Tensor, _ output: Tensor, axis: Int
  ) -> Tensor {
    let n = x.shape[axis]
    var pieces: [Tensor] = []
    for k in 0..<n {
      // Π_{i<k} x_i, and the running products after k.
      let until = k > 0 ? output.slice(axis, start: k - 1, end: k) : nil
      let after = k + 1 < n ? x.slice(axis, start: k + 1).cumprod(dim: axis) : nil
      let omitted: Tensor
      switch (until, after) {
      case (nil, let after?):
        omitted = Tensor.cat([Tensor.onesLike(x.slice(axis, start: 0, end: 1)), after], dim: axis)
      case (let until?, nil): omitted = until
      case (let until?, let after?): omitted = Tensor.cat([until, until * after], dim: axis)
      case (nil, nil): omitted = Tensor.onesLike(x)
      }
      pieces.append((g.slice(axis, start: k) * omitted).sum(dim: axis, keepDim: true))
    }
    return Tensor.cat(pieces, dim: axis)
  }
}
