/// Comparisons (bool results) and logical ops.
extension Tensor {
  /// A 0-d tensor for comparing with a Swift number, in the dtype PyTorch would compare in.
  func comparand(_ value: Double) -> Tensor {
    let type = DType.promote(dtype, scalarIsFloatingPoint: value.rounded() != value)
    return Tensor(shape: [], scalars: [value], dtype: type)
  }

  private func compared<K: NumericBinaryKernel>(_ other: Tensor, _ kernel: K, _ op: String)
    -> Tensor
  {
    Tensor.op(self, other) { () throws(OpError) in try compare(self, other, kernel, op: op) }
  }

  /// Elementwise `==` (`eq`).
  public func eq(_ other: Tensor) -> Tensor { compared(other, EqualKernel(), "eq") }
  /// Elementwise `!=` (`ne`).
  public func ne(_ other: Tensor) -> Tensor { compared(other, NotEqualKernel(), "ne") }
  /// Elementwise `<` (`lt`).
  public func lt(_ other: Tensor) -> Tensor { compared(other, LessKernel(), "lt") }
  /// Elementwise `<=` (`le`).
  public func le(_ other: Tensor) -> Tensor { compared(other, LessEqualKernel(), "le") }
  /// Elementwise `>` (`gt`).
  public func gt(_ other: Tensor) -> Tensor { compared(other, GreaterKernel(), "gt") }
  /// Elementwise `>=` (`ge`).
  public func ge(_ other: Tensor) -> Tensor { compared(other, GreaterEqualKernel(), "ge") }
  /// `self == value` elementwise, as a bool tensor.
  public func eq(_ value: Double) -> Tensor { eq(comparand(value)) }
  /// `self != value` elementwise, as a bool tensor.
  public func ne(_ value: Double) -> Tensor { ne(comparand(value)) }
  /// `self < value` elementwise, as a bool tensor.
  public func lt(_ value: Double) -> Tensor { lt(comparand(value)) }
  /// `self <= value` elementwise, as a bool tensor.
  public func le(_ value: Double) -> Tensor { le(comparand(value)) }
  /// `self > value` elementwise, as a bool tensor.
  public func gt(_ value: Double) -> Tensor { gt(comparand(value)) }
  /// `self >= value` elementwise, as a bool tensor.
  public func ge(_ value: Double) -> Tensor { ge(comparand(value)) }

  /// Elementwise `==` (`torch.eq`), as a bool tensor.
  public static func .== (a: Tensor, b: Tensor) -> Tensor { a.eq(b) }
  /// Elementwise `!=` (`torch.ne`), as a bool tensor.
  public static func .!= (a: Tensor, b: Tensor) -> Tensor { a.ne(b) }
  /// Elementwise `<` (`torch.lt`), as a bool tensor.
  public static func .< (a: Tensor, b: Tensor) -> Tensor { a.lt(b) }
  /// Elementwise `<=` (`torch.le`), as a bool tensor.
  public static func .<= (a: Tensor, b: Tensor) -> Tensor { a.le(b) }
  /// Elementwise `>` (`torch.gt`), as a bool tensor.
  public static func .> (a: Tensor, b: Tensor) -> Tensor { a.gt(b) }
  /// Elementwise `>=` (`torch.ge`), as a bool tensor.
  public static func .>= (a: Tensor, b: Tensor) -> Tensor { a.ge(b) }
  /// Elementwise `== b`, as a bool tensor.
  public static func .== (a: Tensor, b: Double) -> Tensor { a.eq(b) }
  /// Elementwise `!= b`, as a bool tensor.
  public static func .!= (a: Tensor, b: Double) -> Tensor { a.ne(b) }
  /// Elementwise `< b`, as a bool tensor.
  public static func .< (a: Tensor, b: Double) -> Tensor { a.lt(b) }
  /// Elementwise `<= b`, as a bool tensor.
  public static func .<= (a: Tensor, b: Double) -> Tensor { a.le(b) }
  /// Elementwise `> b`, as a bool tensor.
  public static func .> (a: Tensor, b: Double) -> Tensor { a.gt(b) }
  /// Elementwise `>= b`, as a bool tensor.
  public static func .>= (a: Tensor, b: Double) -> Tensor { a.ge(b) }

  /// `f` of the truth values of this tensor and `other` (nonzero is true), broadcast.
  private func logical(_ other: Tensor, op: String, _ f: (Bool, Bool) -> Bool) throws(OpError)
    -> Tensor
  {
    try mapBinary(
      converted(to: .bool), other.converted(to: .bool), Bool.self, Bool.self, op: op, f)
  }

  func logicalAnd(checked other: Tensor) throws(OpError) -> Tensor {
    try logical(other, op: "logical_and") { $0 && $1 }
  }
  func logicalOr(checked other: Tensor) throws(OpError) -> Tensor {
    try logical(other, op: "logical_or") { $0 || $1 }
  }

  /// Elementwise logical and of truth values (nonzero is true).
  public func logicalAnd(_ other: Tensor) -> Tensor {
    Tensor.op(self, other) { () throws(OpError) in try logicalAnd(checked: other) }
  }
  /// Elementwise logical or.
  public func logicalOr(_ other: Tensor) -> Tensor {
    Tensor.op(self, other) { () throws(OpError) in try logicalOr(checked: other) }
  }
  /// Elementwise logical not.
  public func logicalNot() -> Tensor {
    Tensor.op(self) { mapUnary(converted(to: .bool), Bool.self, Bool.self) { !$0 } }
  }

  /// True when every element is nonzero (`all`), as a Swift Bool.
  public func all() -> Bool {
    converted(to: .bool).dense().toArray(as: Bool.self).allSatisfy { $0 }
  }
  /// True when some element is nonzero (`any`), as a Swift Bool.
  public func any() -> Bool { converted(to: .bool).dense().toArray(as: Bool.self).contains(true) }
}
