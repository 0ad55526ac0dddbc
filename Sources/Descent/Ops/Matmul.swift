import CDescentKernels

/// Matrix products: `matmul` for 1-D, 2-D and batched operands with broadcasting of batch
/// dimensions, on the C GEMM kernels. Transposed views go to GEMM as they are (its packing
/// reads them), so `x.matmul(w.T)` never copies.

/// A 2-D operand as GEMM sees it: a tensor's storage with two sizes and two steps, possibly
/// transposed, with no tensor made for the transpose.
struct MatrixView {
  let tensor: Tensor
  let rows: Int
  let columns: Int
  let rowStride: Int
  let columnStride: Int

  /// The matrix `matrix` (2-D).
  @inline(__always) init(_ matrix: Tensor) {
    tensor = matrix
    (rows, columns) = (matrix.shape[0], matrix.shape[1])
    (rowStride, columnStride) = (matrix.strides[0], matrix.strides[1])
  }

  /// The transpose of `matrix` (2-D), as `matrix.T` would view it.
  @inline(__always) init(transposeOf matrix: Tensor) {
    tensor = matrix
    (rows, columns) = (matrix.shape[1], matrix.shape[0])
    (rowStride, columnStride) = (matrix.strides[1], matrix.strides[0])
  }

  @inline(__always) func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
    tensor.pointer(T.self)
  }
}

/// A matrix GEMM can read directly: row-major (`trans == 0`) or a transposed row-major block.
private struct MatrixOperand {
  let tensor: Tensor
  let trans: Int32
  let leading: Int

  init(_ matrix: MatrixView) {
    let (rows, columns) = (matrix.rows, matrix.columns)
    let (rowStride, columnStride) = (matrix.rowStride, matrix.columnStride)
    // GEMM reads rows `leading` elements apart: that needs unit steps along the row and rows
    // that do not overlap. Broadcast (stride 0) and other strided views are copied first.
    let rowMajor =
      (columns <= 1 || columnStride == 1) && (rows <= 1 || rowStride >= Swift.max(columns, 1))
    let columnMajor =
      (rows <= 1 || rowStride == 1) && (columns <= 1 || columnStride >= Swift.max(rows, 1))
    if rowMajor {
      tensor = matrix.tensor
      trans = 0
      leading = rows <= 1 ? Swift.max(columns, 1) : rowStride
    } else if columnMajor {
      tensor = matrix.tensor
      trans = 1
      leading = columns <= 1 ? Swift.max(rows, 1) : columnStride
    } else {
      tensor = matrix.tensor.aliasing(
        shape: [rows, columns], strides: [rowStride, columnStride]
      ).dense()
      trans = 0
      leading = Swift.max(columns, 1)
    }
  }
}

/// `out[m×n] = a[m×k] · b[k×n]` for matrices of one dtype, no autograd (zeros when k is 0).
func matmul2D(_ a: MatrixView, _ b: MatrixView, into out: Tensor, outOffset: Int = 0) {
  let (m, k, n) = (a.rows, a.columns, b.columns)
  if m == 0 || n == 0 { return }
  if k == 0 {
    let z = out.storage.data + (out.storageOffset + outOffset) * out.dtype.itemSize
    z.initializeMemory(as: UInt8.self, repeating: 0, count: m * n * out.dtype.itemSize)
    return
  }
  if m * n * k <= 512 && out.dtype.isFloatingPoint {
    // Tiny products (a Linear(1, 1) on 30 points) cost more in GEMM's packing than in
    // arithmetic: a direct loop on the strided operands is several times faster.
    func direct<T: FloatScalar>(_: T.Type) {
      let x = a.pointer(T.self)
      let y = b.pointer(T.self)
      let z = out.pointer(T.self) + outOffset
      let (ra, ca, rb, cb) = (a.rowStride, a.columnStride, b.rowStride, b.columnStride)
      for i in 0..<m {
        for j in 0..<n {
          var total: T = 0
          for p in 0..<k { total += x[i * ra + p * ca] * y[p * rb + j * cb] }
          z[i * n + j] = total
        }
      }
    }
    if out.dtype == .float32 { direct(Float.self) } else { direct(Double.self) }
    return
  }
  let left = MatrixOperand(a)
  let right = MatrixOperand(b)
  switch out.dtype {
  case .float32:
    descent_sgemm(
      left.trans, right.trans, m, n, k, 1, left.tensor.pointer(Float.self), left.leading,
      right.tensor.pointer(Float.self), right.leading, 0, out.pointer(Float.self) + outOffset, n)
  case .float64:
    descent_dgemm(
      left.trans, right.trans, m, n, k, 1, left.tensor.pointer(Double.self), left.leading,
      right.tensor.pointer(Double.self), right.leading, 0, out.pointer(Double.self) + outOffset, n)
  default:
    // Integer products are rare (no GEMM kernel); a plain loop on the strided operands.
    let x = a.pointer(Int64.self)
    let y = b.pointer(Int64.self)
    let z = out.pointer(Int64.self) + outOffset
    let (ra, ca, rb, cb) = (a.rowStride, a.columnStride, b.rowStride, b.columnStride)
    for i in 0..<m {
      for j in 0..<n {
        var total: Int64 = 0
        for p in 0..<k { total = total &+ x[i * ra + p * ca] &* y[p * rb + j * cb] }
        z[i * n + j] = total
      }
    }
  }
}

/// `a · b` for matrices of one floating dtype as a new dense tensor, no autograd: the hot path
/// of `Linear` and of backward, without `matmul`'s broadcasting bookkeeping.
func product(_ a: MatrixView, _ b: MatrixView) -> Tensor {
  let out = Tensor(uninitializedShape: [a.rows, b.columns], dtype: a.tensor.dtype)
  matmul2D(a, b, into: out)
  return out
}

extension Tensor {
  /// The matrix product, with `torch.matmul`'s rules: 1-D·1-D is a dot product, a 1-D operand
  /// gains a dimension that is removed afterwards, and batch dimensions broadcast.
  public func matmul(_ other: Tensor) -> Tensor {
    Tensor.op(self, other) { () throws(OpError) in try matrixProduct(other) }
  }

  private func matrixProduct(_ other: Tensor) throws(OpError) -> Tensor {
    guard rank >= 1 && other.rank >= 1 else {
      throw OpError(
        "matmul",
        "both arguments to matmul need to be at least 1D, but they are \(rank)D and \(other.rank)D (shapes \(shapeText(shape)) and \(shapeText(other.shape)))"
      )
    }
    guard dtype == other.dtype else {
      throw OpError(
        "matmul",
        "expected both operands to have the same dtype, but got: \(dtype) != \(other.dtype) (shapes \(shapeText(shape)) and \(shapeText(other.shape))). Convert one with to(_:)."
      )
    }
    let a = rank == 1 ? aliasing(shape: [1, shape[0]], strides: [0, strides[0]]) : self
    let b =
      other.rank == 1
      ? other.aliasing(shape: [other.shape[0], 1], strides: [other.strides[0], 0]) : other
    let (m, k) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (k2, n) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
    guard k == k2 else {
      let what = rank <= 2 && other.rank <= 2 ? "mat1 and mat2" : "batched operands"
      throw OpError(
        "matmul",
        "\(what) shapes cannot be multiplied (\(m)x\(k) and \(k2)x\(n)); shapes \(shapeText(shape)) and \(shapeText(other.shape)): the last dimension of the first must equal the second-to-last of the second."
      )
    }
    let batchA = Array(a.shape.dropLast(2))
    let batchB = Array(b.shape.dropLast(2))
    let batch = try broadcastShapes(batchA, batchB, op: "matmul")
    if !dtype.isFloatingPoint && dtype != .int64 {
      throw OpError(
        "matmul",
        "\"addmm\" not implemented for '\(dtype)' (shapes \(shapeText(shape)) and \(shapeText(other.shape)))"
      )
    }
    let out3 = Tensor(uninitializedShape: batch + [m, n], dtype: dtype)
    let batches = batch.reduce(1, *)
    if batch.isEmpty {
      matmul2D(MatrixView(a), MatrixView(b), into: out3, outOffset: 0)
    } else if batches > 0 {
      // Broadcast views of the data only: no graph nodes for these internal steps.
      let ea = a.aliasing(
        shape: batch + [m, k],
        strides: broadcastStrides(shape: a.shape, strides: a.strides, to: batch + [m, k]))
      let eb = b.aliasing(
        shape: batch + [k, n],
        strides: broadcastStrides(shape: b.shape, strides: b.strides, to: batch + [k, n]))
      let batchStridesA = Array(ea.strides.dropLast(2))
      let batchStridesB = Array(eb.strides.dropLast(2))
      forEachOffset(
        shape: batch, stridesA: batchStridesA, baseA: ea.storageOffset, stridesB: batchStridesB,
        baseB: eb.storageOffset
      ) { index, offsetA, offsetB in
        let matrixA = ea.aliasing(
          shape: [m, k], strides: Array(ea.strides.suffix(2)), offset: offsetA)
        let matrixB = eb.aliasing(
          shape: [k, n], strides: Array(eb.strides.suffix(2)), offset: offsetB)
        matmul2D(MatrixView(matrixA), MatrixView(matrixB), into: out3, outOffset: index * m * n)
      }
    }
    var outShape = batch
    if rank > 1 { outShape.append(m) }
    if other.rank > 1 { outShape.append(n) }
    let out =
      outShape == out3.shape
      ? out3 : out3.aliasing(shape: outShape, strides: Tensor.contiguousStrides(outShape))
    let name: String
    switch (rank, other.rank) {
    case (1, 1): name = "DotBackward0"
    case (2, 2): name = "MmBackward0"
    case (2, 1): name = "MvBackward0"
    default: name = "MatmulBackward0"
    }
    if requiresGradFlag || other.requiresGradFlag {
      let savedA = SavedTensor(self, op: name)
      let savedB = SavedTensor(other, op: name)
      record(name, out, self, other) { [self] g in
        // With the 1-D operands viewed as matrices: dA = g·Bᵀ, dB = Aᵀ·g, summed over
        // broadcast batch dimensions.
        let g3 = g.reshaped(batch + [m, n])
        let matrixA = savedA.value.rank == 1 ? savedA.value.unsqueeze(0) : savedA.value
        let matrixB = savedB.value.rank == 1 ? savedB.value.unsqueeze(1) : savedB.value
        let gradA =
          requiresGradFlag
          ? g3.matmul(matrixB.transpose(-1, -2)).sumTo(matrixA.shape).reshaped(shape) : nil
        let gradB =
          other.requiresGradFlag
          ? matrixA.transpose(-1, -2).matmul(g3).sumTo(matrixB.shape).reshaped(other.shape) : nil
        return (gradA, gradB)
      }
    }
    return out
  }

  /// Matrix product of 2-D tensors (`mm`).
  public func mm(_ other: Tensor) -> Tensor {
    matmul(other, bothOfRank: 2, op: "mm", "self must be a matrix and mat2 must be a matrix")
  }

  /// Dot product of 1-D tensors (`dot`).
  public func dot(_ other: Tensor) -> Tensor {
    matmul(
      other, bothOfRank: 1, op: "dot",
      "1D tensors expected, but got \(rank)D and \(other.rank)D tensors")
  }

  /// `matmul` restricted to two operands of rank `required`, as `mm` and `dot` are; otherwise
  /// `op`'s error, PyTorch's `message` followed by the two shapes.
  private func matmul(
    _ other: Tensor, bothOfRank required: Int, op: String, _ message: @autoclosure () -> String
  ) -> Tensor {
    guard rank == required && other.rank == required else {
      return Tensor.failed(
        OpError(op, "\(message()) (shapes \(shapeText(shape)) and \(shapeText(other.shape)))"),
        inputs: [self, other])
    }
    return matmul(other)
  }
}
