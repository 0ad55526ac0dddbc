/// The element type of a tensor, with PyTorch's names and promotion rules.
public enum DType: Int, Sendable, CaseIterable, CustomStringConvertible {
  /// True or false (`torch.bool`).
  case bool = 0
  /// 64-bit signed integers (`torch.int64`, `torch.long`).
  case int64 = 1
  /// 32-bit floating point, the default (`torch.float32`, `torch.float`).
  case float32 = 2
  /// 64-bit floating point (`torch.float64`, `torch.double`).
  case float64 = 3

  /// Bytes per element.
  public var itemSize: Int {
    switch self {
    case .bool: return 1
    case .int64, .float64: return 8
    case .float32: return 4
    }
  }

  /// True for float32 and float64: the types autograd can differentiate.
  public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

  /// PyTorch's spelling, as `print(t.dtype)` shows it.
  public var description: String {
    switch self {
    case .bool: return "torch.bool"
    case .int64: return "torch.int64"
    case .float32: return "torch.float32"
    case .float64: return "torch.float64"
    }
  }

  /// The type two tensor operands promote to (`torch.promote_types`).
  public static func promote(_ a: DType, _ b: DType) -> DType {
    a.rawValue >= b.rawValue ? a : b
  }

  /// The dtype of `tensor op scalar`: a floating scalar lifts an integral tensor to the default
  /// float dtype; otherwise the tensor's dtype wins (PyTorch's "wrapped number" rule).
  static func promote(_ tensor: DType, scalarIsFloatingPoint: Bool) -> DType {
    if scalarIsFloatingPoint && !tensor.isFloatingPoint { return .float32 }
    if tensor == .bool { return .int64 }
    return tensor
  }
}

/// A Swift type that can be a tensor's element.
public protocol TensorScalar: Sendable {
  /// The dtype of tensors holding this type.
  static var dtype: DType { get }
  /// Exact conversion from the storage's value as Double (Int64 beyond 2^53 excepted).
  init(fromDouble value: Double)
  /// The value as a Double, as the storage holds it.
  var asDouble: Double { get }
}

extension Float: TensorScalar {
  /// `float32`.
  public static var dtype: DType { .float32 }
  /// The nearest `Float`.
  @inline(__always) public init(fromDouble value: Double) { self = Float(value) }
  /// The value as a `Double`, exactly.
  @inline(__always) public var asDouble: Double { Double(self) }
}

extension Double: TensorScalar {
  /// `float64`.
  public static var dtype: DType { .float64 }
  /// The value itself.
  @inline(__always) public init(fromDouble value: Double) { self = value }
  /// The value itself.
  @inline(__always) public var asDouble: Double { self }
}

extension Int64: TensorScalar {
  /// `int64`.
  public static var dtype: DType { .int64 }
  /// The value truncated toward zero; NaN gives 0 and values out of range saturate.
  @inline(__always) public init(fromDouble value: Double) {
    // Like a C cast but without trapping: NaN and out-of-range values saturate.
    if value.isNaN {
      self = 0
    } else if value >= 9.2233720368547758e18 {
      self = .max
    } else if value
      <= -9.2233720368547758e18
    {
      self = .min
    } else {
      self = Int64(value)
    }
  }
  /// The nearest `Double`.
  @inline(__always) public var asDouble: Double { Double(self) }
}

extension Bool: TensorScalar {
  /// `bool`.
  public static var dtype: DType { .bool }
  /// True for any nonzero value.
  @inline(__always) public init(fromDouble value: Double) { self = value != 0 }
  /// 1 for true, 0 for false.
  @inline(__always) public var asDouble: Double { self ? 1 : 0 }
}
