/// Tensors made from Swift values and by the factory functions (`zeros`, `arange`, …).
extension Tensor {
  /// A tensor from flat values and a shape; stops when the count does not fit the shape.
  public convenience init<T: TensorScalar>(shape: [Int], scalars: [T], requiresGrad: Bool = false) {
    for size in shape where size < 0 {
      opFailure("Tensor(shape:scalars:)", "negative dimension \(size) in shape \(shapeText(shape))")
    }
    let expected = shape.reduce(1, *)
    guard scalars.count == expected else {
      opFailure(
        "Tensor(shape:scalars:)",
        "shape \(shapeText(shape)) holds \(expected) elements but \(scalars.count) values were given. Give \(expected) values or change the shape."
      )
    }
    self.init(uninitializedShape: shape, dtype: T.dtype)
    scalars.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { pointer(T.self).initialize(from: base, count: expected) }
    }
    if requiresGrad { self.requiresGrad = true }
  }

  /// A tensor from flat values of any supported Swift type, stored as `dtype`.
  convenience init<T: TensorScalar>(shape: [Int], scalars: [T], dtype: DType) {
    let raw = Tensor(shape: shape, scalars: scalars)
    let converted = raw.converted(to: dtype)
    self.init(
      storage: converted.storage, shape: shape, strides: converted.strides, dtype: dtype)
  }

  /// A 0-d tensor holding one value, float32 by default: `Tensor(3.5)`.
  public convenience init(_ value: Double, dtype: DType = .float32, requiresGrad: Bool = false) {
    self.init(shape: [], scalars: [value], dtype: dtype)
    if requiresGrad { self.requiresGrad = true }
  }

  /// A 1-d tensor, float32 by default as in PyTorch: `Tensor([1, 2, 3])`.
  public convenience init(_ values: [Double], dtype: DType = .float32, requiresGrad: Bool = false) {
    self.init(shape: [values.count], scalars: values, dtype: dtype)
    if requiresGrad { self.requiresGrad = true }
  }

  /// A 2-d tensor from rows: `Tensor([[1], [2]])`. Rows of unequal length stop with the row.
  public convenience init(
    _ rows: [[Double]], dtype: DType = .float32, requiresGrad: Bool = false
  ) {
    let (shape, flat) = flattenNested(rows.map { ($0.count, $0) })
    self.init(shape: [rows.count] + shape, scalars: flat, dtype: dtype)
    if requiresGrad { self.requiresGrad = true }
  }

  /// A 3-d tensor from nested arrays.
  public convenience init(
    _ blocks: [[[Double]]], dtype: DType = .float32, requiresGrad: Bool = false
  ) {
    let inner = blocks.map { Tensor($0, dtype: .float64) }
    let shapes = Set(inner.map { $0.shape })
    guard shapes.count <= 1 else {
      let first = inner[0].shape
      let bad = inner.firstIndex { $0.shape != first }!
      opFailure(
        "Tensor",
        "expected sequence of shape \(shapeText(first)) at dim 1 (got \(shapeText(inner[bad].shape)) at index \(bad))"
      )
    }
    let flat = inner.flatMap { $0.toArray(as: Double.self) }
    self.init(shape: [blocks.count] + (inner.first?.shape ?? [0]), scalars: flat, dtype: dtype)
    if requiresGrad { self.requiresGrad = true }
  }

  /// A 1-d tensor from typed Swift values, keeping their type: `[Int]` gives int64, `[Bool]`
  /// bool, `[Float]` float32, `[Double]` float64 unless `dtype` says otherwise.
  public convenience init<T: TensorScalar>(_ values: [T], dtype: DType? = nil) {
    self.init(shape: [values.count], scalars: values, dtype: dtype ?? T.dtype)
  }

  /// A 1-d int64 tensor from Swift `Int`s (class labels, indices). It is labelled because an
  /// unlabelled `[Int]` overload would capture literals: `Tensor([1, 2])` is float32, as the
  /// design table promises.
  public convenience init(integers values: [Int], dtype: DType = .int64) {
    self.init(shape: [values.count], scalars: values.map { Int64($0) }, dtype: dtype)
  }
}

/// Checks that nested rows have equal lengths and flattens them.
private func flattenNested(_ rows: [(Int, [Double])]) -> ([Int], [Double]) {
  guard let first = rows.first else { return ([0], []) }
  for (index, row) in rows.enumerated() where row.0 != first.0 {
    opFailure(
      "Tensor",
      "expected sequence of length \(first.0) at dim 1 (got \(row.0) at row \(index)); every row of a tensor literal needs the same length"
    )
  }
  return ([first.0], rows.flatMap { $0.1 })
}

extension Tensor {
  /// A tensor filled with `value`.
  public static func full(
    _ shape: [Int], _ value: Double, dtype: DType = .float32, requiresGrad: Bool = false
  ) -> Tensor {
    for size in shape where size < 0 {
      opFailure("full", "negative dimension \(size) in shape \(shapeText(shape))")
    }
    let out = Tensor(uninitializedShape: shape, dtype: dtype)
    out.fillStorage(value)
    if requiresGrad { out.requiresGrad = true }
    return out
  }

  /// Zeros (`torch.zeros`).
  public static func zeros(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false)
    -> Tensor
  {
    full(shape, 0, dtype: dtype, requiresGrad: requiresGrad)
  }

  /// Ones (`torch.ones`).
  public static func ones(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false)
    -> Tensor
  {
    full(shape, 1, dtype: dtype, requiresGrad: requiresGrad)
  }

  /// Zeros shaped like `other`, of its dtype unless given.
  public static func zerosLike(_ other: Tensor, dtype: DType? = nil) -> Tensor {
    zeros(other.shape, dtype: dtype ?? other.dtype)
  }

  /// Ones shaped like `other`, of its dtype unless given.
  public static func onesLike(_ other: Tensor, dtype: DType? = nil) -> Tensor {
    ones(other.shape, dtype: dtype ?? other.dtype)
  }

  /// `start, start + step, …` below `end` (`torch.arange`). Int64 when all three are whole
  /// numbers and no dtype is given, as in PyTorch.
  public static func arange(
    _ start: Double, _ end: Double, step: Double = 1, dtype: DType? = nil
  ) -> Tensor {
    guard step != 0 else { opFailure("arange", "step must be nonzero") }
    guard (end - start) / step >= 0 || start == end else {
      opFailure(
        "arange",
        "upper bound and larger bound inconsistent with step sign (start \(start), end \(end), step \(step))"
      )
    }
    let whole = start.rounded() == start && end.rounded() == end && step.rounded() == step
    let type = dtype ?? (whole ? .int64 : .float32)
    let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
    return Tensor(shape: [n], scalars: (0..<n).map { start + Double($0) * step }, dtype: type)
  }

  /// `0, 1, …, end - 1` (`torch.arange(end)`).
  public static func arange(_ end: Double, dtype: DType? = nil) -> Tensor {
    arange(0, end, dtype: dtype)
  }

  /// `count` evenly spaced values from `start` to `end` inclusive (`torch.linspace`).
  public static func linspace(
    _ start: Double, _ end: Double, count: Int, dtype: DType = .float32
  ) -> Tensor {
    guard count >= 0 else {
      opFailure("linspace", "number of steps must be non-negative (got \(count))")
    }
    if count == 1 { return Tensor(shape: [1], scalars: [start], dtype: dtype) }
    // PyTorch fills the first half from the start and the second half from the end, so the
    // last value is exactly `end`, in the tensor's own precision with fused multiply-adds:
    // this reproduces its values bit for bit.
    func values<T: BinaryFloatingPoint>(_: T.Type) -> [T] {
      let (first, last) = (T(start), T(end))
      let step = (last - first) / T(Swift.max(count - 1, 1))
      let half = count / 2
      return (0..<count).map { i in
        i < half ? first.addingProduct(step, T(i)) : last.addingProduct(-step, T(count - 1 - i))
      }
    }
    switch dtype {
    case .float32: return Tensor(shape: [count], scalars: values(Float.self))
    case .float64: return Tensor(shape: [count], scalars: values(Double.self))
    default: return Tensor(shape: [count], scalars: values(Double.self), dtype: dtype)
    }
  }

  /// The identity matrix, `n × m` (`torch.eye`).
  public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) -> Tensor {
    let columns = m ?? n
    let out = zeros([n, columns], dtype: dtype)
    for i in 0..<Swift.min(n, columns) { out.setElement(at: i * columns + i, 1) }
    return out
  }
}

extension Tensor {
  /// Writes `value` into every element of this tensor's (contiguous) storage region.
  func fillStorage(_ value: Double) {
    let n = count
    switch dtype {
    case .float32: pointer(Float.self).update(repeating: Float(value), count: n)
    case .float64: pointer(Double.self).update(repeating: value, count: n)
    case .int64: pointer(Int64.self).update(repeating: Int64(fromDouble: value), count: n)
    case .bool: pointer(Bool.self).update(repeating: value != 0, count: n)
    }
  }

  /// Sets the element at a storage offset (relative to `storageOffset`).
  func setElement(at offset: Int, _ value: Double) {
    switch dtype {
    case .float32: pointer(Float.self)[offset] = Float(value)
    case .float64: pointer(Double.self)[offset] = value
    case .int64: pointer(Int64.self)[offset] = Int64(fromDouble: value)
    case .bool: pointer(Bool.self)[offset] = value != 0
    }
  }

  /// A contiguous copy of the data with its own storage, outside the graph.
  func copyData() -> Tensor {
    let source = dense()
    let out = Tensor(uninitializedShape: shape, dtype: dtype)
    out.storage.data.copyMemory(
      from: source.storage.data + source.storageOffset * dtype.itemSize,
      byteCount: count * dtype.itemSize)
    return out
  }
}
