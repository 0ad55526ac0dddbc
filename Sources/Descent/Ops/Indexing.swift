/// Subscripts: `t[i]`, `t[.all, 0]`, ranges, negative indices, `.newAxis`, `.ellipsis`, and
/// advanced indexing by an int64 or bool tensor. Basic indexing gives views that share storage.

/// One entry of a subscript.
public enum TensorIndex: TensorIndexExpression, Sendable {
  /// One position; removes the dimension. Negative counts from the end.
  case at(Int)
  /// Positions `start..<end` by `step` (nil: the whole side); keeps the dimension.
  case slice(start: Int?, end: Int?, step: Int)
  /// A new dimension of size 1 (`None` in Python).
  case insertAxis
  /// As many whole dimensions as needed (`...`).
  case rest
  /// Advanced indexing by an int64 tensor (positions) or bool tensor (mask).
  case tensor(Tensor)

  /// This value as one entry of a tensor subscript.
  public var tensorIndex: TensorIndex { self }
}

/// Anything usable inside a tensor subscript: `Int`, ranges, `.all`, tensors.
public protocol TensorIndexExpression {
  /// This value as one entry of a tensor subscript.
  var tensorIndex: TensorIndex { get }
}

extension TensorIndexExpression where Self == TensorIndex {
  /// The whole dimension (`:` in Python).
  public static var all: TensorIndex { TensorIndex.slice(start: nil, end: nil, step: 1) }
  /// A new dimension of size 1 (`None` in Python).
  public static var newAxis: TensorIndex { TensorIndex.insertAxis }
  /// As many whole dimensions as needed (`...` in Python).
  public static var ellipsis: TensorIndex { TensorIndex.rest }
  /// Every `step`-th position of the dimension (`::step`).
  public static func every(_ step: Int) -> TensorIndex {
    TensorIndex.slice(start: nil, end: nil, step: step)
  }
  /// `start:end:step` in Python's spelling; nil means the whole side.
  public static func range(_ start: Int?, _ end: Int?, step: Int = 1) -> TensorIndex {
    TensorIndex.slice(start: start, end: end, step: step)
  }
}

extension Int: TensorIndexExpression {
  /// This value as one entry of a tensor subscript.
  public var tensorIndex: TensorIndex { .at(self) }
}
extension Range<Int>: TensorIndexExpression {
  /// This value as one entry of a tensor subscript.
  public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: upperBound, step: 1) }
}
extension ClosedRange<Int>: TensorIndexExpression {
  /// This value as one entry of a tensor subscript.
  public var tensorIndex: TensorIndex {
    .slice(start: lowerBound, end: upperBound == -1 ? nil : upperBound + 1, step: 1)
  }
}
extension PartialRangeFrom<Int>: TensorIndexExpression {
  /// This value as one entry of a tensor subscript.
  public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: nil, step: 1) }
}
extension PartialRangeUpTo<Int>: TensorIndexExpression {
  /// This value as one entry of a tensor subscript.
  public var tensorIndex: TensorIndex { .slice(start: nil, end: upperBound, step: 1) }
}
extension PartialRangeThrough<Int>: TensorIndexExpression {
  /// This value as one entry of a tensor subscript.
  public var tensorIndex: TensorIndex {
    .slice(start: nil, end: upperBound == -1 ? nil : upperBound + 1, step: 1)
  }
}
extension Tensor: TensorIndexExpression {
  /// This value as one entry of a tensor subscript.
  public var tensorIndex: TensorIndex { .tensor(self) }
}

extension Tensor {
  /// Indexes like PyTorch: `t[0]`, `t[.all, 1]`, `t[1..<3]`, `t[(-2)...]`, `t[mask]`,
  /// `t[indices]`. Basic indexing returns a view; the setter copies into that view.
  public subscript(_ indices: any TensorIndexExpression...) -> Tensor {
    get { indexed(indices.map { $0.tensorIndex }) }
    set { indexed(indices.map { $0.tensorIndex }).copy_(newValue) }
  }

  /// The subscript's result, stopping or poisoned on a bad index.
  func indexed(_ entries: [TensorIndex]) -> Tensor {
    Tensor.op(self) { () throws(OpError) in try index(entries) }
  }

  func index(_ entries: [TensorIndex]) throws(OpError) -> Tensor {
    if entries.count == 1, case .tensor(let selector) = entries[0] {
      return selector.dtype == .bool
        ? try selectingMask(selector) : try selectingIndices(0, selector)
    }
    let consumed = entries.filter {
      switch $0 {
      case .at, .slice, .tensor: return true
      default: return false
      }
    }.count
    guard consumed <= rank else {
      throw OpError(
        "index",
        "too many indices for tensor of dimension \(rank) (got \(consumed) indices for shape \(shapeText(shape)))"
      )
    }
    let restPosition = entries.firstIndex {
      if case .rest = $0 { return true } else { return false }
    }
    let consumedAfterRest =
      restPosition.map { position in
        entries[(position + 1)...].filter {
          switch $0 {
          case .at, .slice, .tensor: return true
          default: return false
          }
        }.count
      } ?? 0
    var newShape: [Int] = []
    var newStrides: [Int] = []
    var offset = storageOffset
    var axis = 0
    var selects = false
    var advanced: (position: Int, tensor: Tensor)?
    for entry in entries {
      switch entry {
      case .at(let i):
        let size = shape[axis]
        guard i >= -size && i < size else {
          throw OpError(
            "index",
            "index \(i) is out of bounds for dimension \(axis) with size \(size) (shape \(shapeText(shape)))"
          )
        }
        offset += (i < 0 ? i + size : i) * strides[axis]
        axis += 1
        selects = true
      case .slice(let start, let end, let step):
        guard step > 0 else { throw OpError("index", "slice step must be positive (got \(step))") }
        let size = shape[axis]
        let (first, length) = sliceBounds(start, end, step, size: size)
        offset += first * strides[axis]
        newShape.append(length)
        newStrides.append(strides[axis] * step)
        axis += 1
      case .insertAxis:
        newShape.append(1)
        newStrides.append(1)
      case .rest:
        let remaining = rank - axis - consumedAfterRest
        for _ in 0..<remaining {
          newShape.append(shape[axis])
          newStrides.append(strides[axis])
          axis += 1
        }
      case .tensor(let selector):
        guard advanced == nil else {
          throw OpError(
            "index", "only one tensor index per subscript is supported; index in two steps")
        }
        advanced = (newShape.count, selector)
        newShape.append(shape[axis])
        newStrides.append(strides[axis])
        axis += 1
      }
    }
    while axis < rank {
      newShape.append(shape[axis])
      newStrides.append(strides[axis])
      axis += 1
    }
    let view = aliasing(shape: newShape, strides: newStrides, offset: offset)
    let inputShape = shape
    let basic = entries.map { entry -> TensorIndex in
      if case .tensor = entry { return .all } else { return entry }
    }
    record(selects ? "SelectBackward0" : "SliceBackward0", view, self) { g in
      g.placed(into: inputShape, at: basic)
    }
    guard let advanced else { return view }
    return advanced.tensor.dtype == .bool
      ? try view.selectingMask(advanced.tensor)
      : try view.selectingIndices(advanced.position, advanced.tensor)
  }

  /// Positions `(first, count)` of a Python slice on a dimension of `size`, clamped as Python
  /// clamps.
  func sliceBounds(_ start: Int?, _ end: Int?, _ step: Int, size: Int) -> (Int, Int) {
    func clamp(_ value: Int?, _ fallback: Int) -> Int {
      guard var v = value else { return fallback }
      if v < 0 { v += size }
      return Swift.min(Swift.max(v, 0), size)
    }
    let first = clamp(start, 0)
    let last = clamp(end, size)
    let length = last > first ? (last - first + step - 1) / step : 0
    return (first, length)
  }

  /// The sub-tensor at `index` along `dim`, removing that dimension (`select`), a view.
  public func select(_ dim: Int, _ index: Int) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "select")
      var entries = [TensorIndex](repeating: .slice(start: nil, end: nil, step: 1), count: axis)
      entries.append(.at(index))
      return try self.index(entries)
    }
  }

  /// Positions `start..<end` by `step` along `dim` (`narrow`/slicing), a view.
  public func slice(_ dim: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) -> Tensor {
    Tensor.op(self) { () throws(OpError) in
      let axis = try normalizedDim(dim, op: "slice")
      var entries = [TensorIndex](repeating: .slice(start: nil, end: nil, step: 1), count: axis)
      entries.append(.slice(start: start, end: end, step: step))
      return try index(entries)
    }
  }
}

extension Tensor {
  /// Zeros of `shape` with this tensor written at `entries` (basic indexing only): the
  /// backward of a select or a slice, itself differentiable (its backward indexes again).
  func placed(into shape: [Int], at entries: [TensorIndex]) -> Tensor {
    let full = Tensor.zeros(shape, dtype: dtype)
    full.indexed(entries).writeElements(self)
    full.storage.version = 0
    record("SliceBackwardBackward0", full, self) { g in g.indexed(entries) }
    return full
  }
}
