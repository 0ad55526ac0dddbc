/// Batched matrix products without broadcasting: `bmm` and `baddbmm`, one GEMM per batch
/// entry on the operands' own strides (a transposed batch goes to GEMM as it is).

/// `beta·x + alpha·p`; with beta 0 the first operand is ignored, NaN included, as in PyTorch.
struct ScaledSumKernel: NumericBinaryKernel {
  let beta: Double
  let alpha: Double
  @inline(__always) func callAsFunction<T: NumericScalar>(_ x: T, _ p: T) -> T {
    let product = alpha == 1 ? p : T.multiply(T(fromDouble: alpha), p)
    if beta == 0 { return product }
    return T.add(beta == 1 ? x : T.multiply(T(fromDouble: beta), x), product)
  }
}

extension Tensor {
  /// The batched product `self[b] · other[b]` of two 3-D tensors `[B, n, m]` and `[B, m, p]`,
  /// giving `[B, n, p]` (`bmm`). No broadcasting: the batch sizes must be equal (`matmul`
  /// broadcasts). Both operands must have the same dtype; int64 works too.
  public func bmm(_ other: Tensor) -> Tensor {
    Tensor.op(self, other) { () throws(OpError) in
      let out = try batchedProduct(self, other, op: "bmm")
      recordBatchedProduct("BmmBackward0", out, self, other)
      return out
    }
  }

  /// `beta·self + alpha·(batch1 · batch2)` for 3-D `batch1` `[B, n, m]` and `batch2`
  /// `[B, m, p]` (`baddbmm`). This tensor broadcasts to `[B, n, p]`; with `beta` 0 it is
  /// ignored (NaN and inf included), as in PyTorch.
  public func baddbmm(_ batch1: Tensor, _ batch2: Tensor, beta: Double = 1, alpha: Double = 1)
    -> Tensor
  {
    Tensor.op([self, batch1, batch2]) { () throws(OpError) in
      let product = try batchedProduct(batch1, batch2, op: "baddbmm")
      guard dtype == batch1.dtype else {
        throw OpError(
          "baddbmm",
          "Input dtypes must be the same, got: input \(dtype.cTypeName), batch1: \(batch1.dtype.cTypeName), batch2: \(batch2.dtype.cTypeName) (input \(shapeText(shape)), batch1 \(shapeText(batch1.shape)), batch2 \(shapeText(batch2.shape)))"
        )
      }
      try checkExpands(to: product.shape, op: "baddbmm")
      let out = try binary(
        self, product, ScaledSumKernel(beta: beta, alpha: alpha), op: "baddbmm", floatResult: false)
      guard requiresGradFlag || batch1.requiresGradFlag || batch2.requiresGradFlag else {
        return out
      }
      let saved1 = SavedTensor(batch1, op: "BaddbmmBackward0")
      let saved2 = SavedTensor(batch2, op: "BaddbmmBackward0")
      let inputShape = shape
      record("BaddbmmBackward0", out, [self, batch1, batch2]) { [self] g in
        let scaled = alpha == 1 ? g : g * alpha
        return [
          requiresGradFlag ? (beta == 1 ? g : g * beta).sumTo(inputShape) : nil,
          batch1.requiresGradFlag ? scaled.bmm(saved2.value.transpose(1, 2)) : nil,
          batch2.requiresGradFlag ? saved1.value.transpose(1, 2).bmm(scaled) : nil,
        ]
      }
      return out
    }
  }

  /// Throws PyTorch's `expand` message unless this tensor broadcasts to `target`.
  func checkExpands(to target: [Int], op: String) throws(OpError) {
    let shift = target.count - rank
    guard shift >= 0 else {
      throw OpError(
        op,
        "the number of sizes provided (\(target.count)) must be greater or equal to the number of dimensions in the tensor (\(rank)); shape \(shapeText(shape)) to \(shapeText(target))"
      )
    }
    for axis in 0..<rank where shape[axis] != 1 && shape[axis] != target[axis + shift] {
      throw OpError(
        op,
        "The expanded size of the tensor (\(target[axis + shift])) must match the existing size (\(shape[axis])) at non-singleton dimension \(axis + shift).  Target sizes: \(shapeText(target)).  Tensor sizes: \(shapeText(shape))"
      )
    }
  }
}

/// Records `a.bmm(b)`'s node: dA = g·Bᵀ, dB = Aᵀ·g, each itself a `bmm`.
private func recordBatchedProduct(_ name: String, _ out: Tensor, _ a: Tensor, _ b: Tensor) {
  guard a.requiresGradFlag || b.requiresGradFlag else { return }
  let savedA = SavedTensor(a, op: name)
  let savedB = SavedTensor(b, op: name)
  record(name, out, a, b) { g in
    (
      a.requiresGradFlag ? g.bmm(savedB.value.transpose(1, 2)) : nil,
      b.requiresGradFlag ? savedA.value.transpose(1, 2).bmm(g) : nil
    )
  }
}

/// `a[i] · b[i]` for every batch entry, no autograd, after PyTorch's checks.
func batchedProduct(_ a: Tensor, _ b: Tensor, op: String) throws(OpError) -> Tensor {
  let shapes = "(batch1 \(shapeText(a.shape)), batch2 \(shapeText(b.shape)))"
  guard a.rank == 3 else { throw OpError(op, "batch1 must be a 3D tensor \(shapes)") }
  guard b.rank == 3 else { throw OpError(op, "batch2 must be a 3D tensor \(shapes)") }
  let (batch, n, m) = (a.shape[0], a.shape[1], a.shape[2])
  guard b.shape[0] == batch && b.shape[1] == m else {
    throw OpError(
      op,
      "Expected size for first two dimensions of batch2 tensor to be: [\(batch), \(m)] but got: [\(b.shape[0]), \(b.shape[1])]. \(shapes)"
    )
  }
  guard a.dtype == b.dtype else {
    throw OpError(
      op,
      "expected scalar type \(a.dtype.scalarTypeName) but found \(b.dtype.scalarTypeName) \(shapes). Convert one with to(_:)."
    )
  }
  guard a.dtype != .bool else {
    throw OpError(op, "\"bmm\" not implemented for 'Bool' \(shapes)")
  }
  let p = b.shape[2]
  let out = Tensor(uninitializedShape: [batch, n, p], dtype: a.dtype)
  let (aMatrix, bMatrix) = (Array(a.strides.suffix(2)), Array(b.strides.suffix(2)))
  for entry in 0..<batch {
    let left = a.aliasing(
      shape: [n, m], strides: aMatrix, offset: a.storageOffset + entry * a.strides[0])
    let right = b.aliasing(
      shape: [m, p], strides: bMatrix, offset: b.storageOffset + entry * b.strides[0])
    matmul2D(MatrixView(left), MatrixView(right), into: out, outOffset: entry * n * p)
  }
  return out
}
