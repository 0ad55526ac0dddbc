/// An n-dimensional array with reverse-mode automatic differentiation, like `torch.Tensor`.
///
/// Tensors are reference types, as in PyTorch: an optimizer updates the very parameter a model
/// holds. Views (`reshaped`, `transpose`, slicing) share storage with the tensor they come from.
public final class Tensor: @unchecked Sendable {
  // The layout never changes after creation (views are new tensors), so these are `let`:
  // that also spares every access a dynamic exclusivity check.
  let storage: Storage
  /// The size of each dimension; `[]` for a 0-d (scalar) tensor.
  public let shape: [Int]
  /// The distance in elements between neighbours along each dimension.
  public let strides: [Int]
  /// The position of the first element in the storage, in elements.
  public let storageOffset: Int
  /// The element type.
  public let dtype: DType

  // The autograd fields below are read by every op and every backward step. They are
  // `@exclusivity(unchecked)`: each access would otherwise make a dynamic exclusivity check
  // (a thread-local access set), a measurable share of a small training step. No access to
  // them is held across another: each is a plain read or write.
  @exclusivity(unchecked) var requiresGradFlag = false
  /// The node that computes this tensor's gradient, or nil for a leaf.
  @exclusivity(unchecked) public internal(set) var gradFn: Node?
  /// For a leaf that requires grad: the node that accumulates into `grad` (created once).
  @exclusivity(unchecked) var accumulateNode: Node?
  /// The gradient accumulated by `backward()`; nil until the first backward reaches this leaf.
  @exclusivity(unchecked) public var grad: Tensor?
  /// For a view (`reshaped`, `transpose`, subscripts…): the tensor whose storage it shows.
  /// In-place writes through a view check the base, since they change it too.
  @exclusivity(unchecked) var viewBase: Tensor?
  /// True for the placeholder an op returns after an error inside `withOpErrors`. A `let`:
  /// ops read it on every call, and a `var` would cost each read an exclusivity check.
  public let isPoisoned: Bool

  /// Wraps existing storage (no copy).
  init(
    storage: Storage, shape: [Int], strides: [Int], offset: Int = 0, dtype: DType,
    poisoned: Bool = false
  ) {
    self.storage = storage
    self.shape = shape
    self.strides = strides
    self.storageOffset = offset
    self.dtype = dtype
    self.isPoisoned = poisoned
  }

  deinit {
    // The graph may outlive a leaf; its AccumulateGrad node must not reach it afterwards.
    accumulateNode?.leaf = nil
  }

  /// A contiguous tensor with uninitialised memory. `sharingStrides` may pass the strides of a
  /// contiguous tensor of the same shape, to reuse its array instead of building another.
  init(uninitializedShape shape: [Int], dtype: DType, sharingStrides: [Int]? = nil) {
    let bytes = Tensor.byteCount(of: shape, dtype: dtype)
    self.storage = Storage(byteCount: bytes, describing: shape)
    self.shape = shape
    self.strides = sharingStrides ?? Tensor.contiguousStrides(shape)
    self.storageOffset = 0
    self.dtype = dtype
    self.isPoisoned = false
  }

  private static let unitStride = [1]

  /// The bytes a contiguous tensor of `shape` needs; a shape whose size overflows stops with
  /// the shape instead of an arithmetic trap.
  @inline(__always)
  static func byteCount(of shape: [Int], dtype: DType) -> Int {
    var total = dtype.itemSize
    for size in shape {
      let (product, overflow) = total.multipliedReportingOverflow(by: size)
      if overflow || size < 0 {
        opFailure(
          "Tensor",
          "shape \(shapeText(shape)) of \(dtype) has \(size < 0 ? "a negative dimension" : "more elements than memory can hold"); check the sizes passed to the op that made it"
        )
      }
      total = product
    }
    return total
  }

  /// Row-major strides for a shape.
  static func contiguousStrides(_ shape: [Int]) -> [Int] {
    // Small ranks without a loop: this runs for every result tensor.
    switch shape.count {
    case 0: return []
    case 1: return unitStride
    case 2: return [shape[1], 1]
    default: break
    }
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[axis] = step
      // Wrapping: a shape with a zero dimension has no elements, and the product of the other
      // dimensions may exceed Int without meaning anything (its strides are never used).
      step = step &* shape[axis]
    }
    return strides
  }

  /// The number of elements.
  public var count: Int { shape.reduce(1, *) }
  /// The number of elements (PyTorch's `numel()`).
  public func numel() -> Int { count }
  /// The number of dimensions.
  public var rank: Int { shape.count }
  /// The number of dimensions (PyTorch's `dim()`).
  public func dim() -> Int { shape.count }
  /// `size(d)`, with negative `d` counting from the end (0 for a poisoned tensor).
  public func size(_ dim: Int) -> Int {
    Tensor.op([self], placeholder: 0) { () throws(OpError) in
      shape[try normalizedDim(dim, op: "size")]
    }
  }

  /// True when the elements lie in row-major order with no gaps.
  public var isContiguous: Bool {
    var expected = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
      if strides[axis] != expected { return false }
      expected = expected &* shape[axis]  // wraps only for shapes with no elements
    }
    return true
  }

  /// Pointer to the first element, typed. The caller must match `T` to `dtype`.
  @inline(__always) func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
    storage.pointer(T.self) + storageOffset
  }

  /// Turns a possibly negative dimension into an index in `0..<rank`, or throws PyTorch's
  /// message.
  func normalizedDim(_ dim: Int, op: String, rank: Int? = nil) throws(OpError) -> Int {
    let n = rank ?? shape.count
    let lo = n == 0 ? -1 : -n
    let hi = n == 0 ? 0 : n - 1
    guard dim >= lo && dim <= hi else {
      throw OpError(
        op,
        "Dimension out of range (expected to be in range of [\(lo), \(hi)], but got \(dim)) for a tensor of shape \(shapeText(shape))"
      )
    }
    return dim < 0 ? dim + Swift.max(n, 1) : dim
  }
}

extension Tensor {
  /// Elements in row-major order, converted to `T`.
  public func toArray<T: TensorScalar>(as _: T.Type = T.self) -> [T] {
    let source = converted(to: T.dtype).dense()
    let n = source.count
    return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
      buffer.baseAddress!.initialize(from: source.pointer(T.self), count: n)
      initialized = n
    }
  }

  /// Elements as `Double` (exact for float32 and float64).
  public func toDoubles() -> [Double] { toArray(as: Double.self) }
  /// Elements as `Float`.
  public func toFloats() -> [Float] { toArray(as: Float.self) }

  /// The value of a one-element tensor, as `Double` (PyTorch's `item()`).
  public func item() -> Double {
    guard count == 1 else {
      _ = Tensor.failed(
        OpError(
          "item",
          "a Tensor with \(count) elements cannot be converted to Scalar (shape \(shapeText(shape))); index it or reduce it first"
        ), inputs: [self])
      return .nan
    }
    switch dtype {
    case .float32: return Double(pointer(Float.self).pointee)
    case .float64: return pointer(Double.self).pointee
    case .int64: return Double(pointer(Int64.self).pointee)
    case .bool: return pointer(Bool.self).pointee ? 1 : 0
    }
  }

  /// The value of a one-element tensor as `T`.
  public func item<T: TensorScalar>(as _: T.Type) -> T {
    let value = item()  // checks the count
    guard count == 1 else { return T(fromDouble: value) }
    return converted(to: T.dtype).dense().pointer(T.self).pointee
  }
}
