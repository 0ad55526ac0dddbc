/// Comparisons (bool results), logical ops, `maximum`/`minimum` and `where`.

protocol CompareKernel {
  static func apply<T: NumericScalar>(_ a: T, _ b: T) -> Bool
}
enum EqualKernel: CompareKernel {
  static func apply<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a == b }
}
enum NotEqualKernel: CompareKernel {
  static func apply<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a != b }
}
enum LessKernel: CompareKernel {
  static func apply<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a < b }
}
enum LessEqualKernel: CompareKernel {
  static func apply<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a <= b }
}
enum GreaterKernel: CompareKernel {
  static func apply<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a > b }
}
enum GreaterEqualKernel: CompareKernel {
  static func apply<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a >= b }
}

/// Compares elementwise with broadcasting, in the promoted dtype (`resultType`: a float64 0-d
/// operand is rounded to float32 before it is compared with a float32 tensor, as in PyTorch).
func compare<K: CompareKernel>(_ a: Tensor, _ b: Tensor, _: K.Type, op: String) -> Tensor {
  var type = resultType(a, b)
  if type == .bool { type = .int64 }
  let x = a.converted(to: type)
  let y = b.converted(to: type)
  switch type {
  case .float32: return mapBinary(x, y, Float.self, Bool.self, op: op, K.apply)
  case .float64: return mapBinary(x, y, Double.self, Bool.self, op: op, K.apply)
  default: return mapBinary(x, y, Int64.self, Bool.self, op: op, K.apply)
  }
}

extension Tensor {
  /// A 0-d tensor for comparing with a Swift number, in the dtype PyTorch would compare in.
  func comparand(_ value: Double) -> Tensor {
    let type = DType.promote(dtype, scalarIsFloatingPoint: value.rounded() != value)
    return Tensor(shape: [], scalars: [value], dtype: type)
  }

  /// Elementwise `==` (`eq`).
  public func eq(_ other: Tensor) -> Tensor { compare(self, other, EqualKernel.self, op: "eq") }
  /// Elementwise `!=` (`ne`).
  public func ne(_ other: Tensor) -> Tensor { compare(self, other, NotEqualKernel.self, op: "ne") }
  /// Elementwise `<` (`lt`).
  public func lt(_ other: Tensor) -> Tensor { compare(self, other, LessKernel.self, op: "lt") }
  /// Elementwise `<=` (`le`).
  public func le(_ other: Tensor) -> Tensor { compare(self, other, LessEqualKernel.self, op: "le") }
  /// Elementwise `>` (`gt`).
  public func gt(_ other: Tensor) -> Tensor { compare(self, other, GreaterKernel.self, op: "gt") }
  /// Elementwise `>=` (`ge`).
  public func ge(_ other: Tensor) -> Tensor {
    compare(self, other, GreaterEqualKernel.self, op: "ge")
  }
  public func eq(_ value: Double) -> Tensor { eq(comparand(value)) }
  public func ne(_ value: Double) -> Tensor { ne(comparand(value)) }
  public func lt(_ value: Double) -> Tensor { lt(comparand(value)) }
  public func le(_ value: Double) -> Tensor { le(comparand(value)) }
  public func gt(_ value: Double) -> Tensor { gt(comparand(value)) }
  public func ge(_ value: Double) -> Tensor { ge(comparand(value)) }

  public static func .== (a: Tensor, b: Tensor) -> Tensor { a.eq(b) }
  public static func .!= (a: Tensor, b: Tensor) -> Tensor { a.ne(b) }
  public static func .< (a: Tensor, b: Tensor) -> Tensor { a.lt(b) }
  public static func .<= (a: Tensor, b: Tensor) -> Tensor { a.le(b) }
  public static func .> (a: Tensor, b: Tensor) -> Tensor { a.gt(b) }
  public static func .>= (a: Tensor, b: Tensor) -> Tensor { a.ge(b) }
  public static func .== (a: Tensor, b: Double) -> Tensor { a.eq(b) }
  public static func .!= (a: Tensor, b: Double) -> Tensor { a.ne(b) }
  public static func .< (a: Tensor, b: Double) -> Tensor { a.lt(b) }
  public static func .<= (a: Tensor, b: Double) -> Tensor { a.le(b) }
  public static func .> (a: Tensor, b: Double) -> Tensor { a.gt(b) }
  public static func .>= (a: Tensor, b: Double) -> Tensor { a.ge(b) }

  /// Elementwise logical and of truth values (nonzero is true).
  public func logicalAnd(_ other: Tensor) -> Tensor {
    mapBinary(
      converted(to: .bool), other.converted(to: .bool), Bool.self, Bool.self, op: "logical_and"
    ) { $0 && $1 }
  }
  /// Elementwise logical or.
  public func logicalOr(_ other: Tensor) -> Tensor {
    mapBinary(
      converted(to: .bool), other.converted(to: .bool), Bool.self, Bool.self, op: "logical_or"
    ) { $0 || $1 }
  }
  /// Elementwise logical not.
  public func logicalNot() -> Tensor {
    mapUnary(converted(to: .bool), Bool.self, Bool.self) { !$0 }
  }

  /// True when every element is nonzero (`all`), as a Swift Bool.
  public func all() -> Bool {
    converted(to: .bool).dense().toArray(as: Bool.self).allSatisfy { $0 }
  }
  /// True when some element is nonzero (`any`), as a Swift Bool.
  public func any() -> Bool { converted(to: .bool).dense().toArray(as: Bool.self).contains(true) }

  /// Elementwise maximum with broadcasting (`torch.maximum`); on ties the gradient is split
  /// evenly, as in PyTorch.
  public func maximum(_ other: Tensor) -> Tensor {
    let out = binaryArithmetic(self, other, MaximumKernel.self, op: "maximum")
    recordMinMax("MaximumBackward0", out, other, prefersSelf: gt(other))
    return out
  }

  /// Elementwise minimum with broadcasting (`torch.minimum`).
  public func minimum(_ other: Tensor) -> Tensor {
    let out = binaryArithmetic(self, other, MinimumKernel.self, op: "minimum")
    recordMinMax("MinimumBackward0", out, other, prefersSelf: lt(other))
    return out
  }

  private func recordMinMax(_ name: String, _ out: Tensor, _ other: Tensor, prefersSelf: Tensor) {
    guard requiresGradFlag || other.requiresGradFlag else { return }
    let tie = eq(other)
    record(name, out, self, other) { [self] g in
      // Selects, not products with a 0/½/1 mask, so that an infinite gradient gives 0 (not
      // NaN) to the side that was not chosen.
      let zero = Tensor.zeros([], dtype: g.dtype)
      let halves = Tensor.where(tie, g * 0.5, zero)
      let otherWins = prefersSelf.logicalOr(tie).logicalNot()
      return [
        Tensor.unbroadcast(Tensor.where(prefersSelf, g, halves), to: self),
        Tensor.unbroadcast(Tensor.where(otherWins, g, halves), to: other),
      ]
    }
  }

  /// Picks from `a` where `condition` is true, else from `b`, with broadcasting
  /// (`torch.where`).
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let mask = condition.converted(to: .bool)
    let type = resultType(a, b)
    let x = a.converted(to: type)
    let y = b.converted(to: type)
    let shape = broadcastShapes(
      broadcastShapes(mask.shape, x.shape, op: "where"), y.shape, op: "where")
    let m = mask.expand(shape).dense()
    let xs = x.expand(shape)
    let ys = y.expand(shape)
    func run<T: TensorScalar>(_: T.Type) -> Tensor {
      let picks = m.pointer(Bool.self)
      let out = mapBinary(xs, ys, T.self, T.self, op: "where") { p, q in p }
      let second = ys.dense()
      let target = out.pointer(T.self)
      let from = second.pointer(T.self)
      for i in 0..<out.count where !picks[i] { target[i] = from[i] }
      return out
    }
    let out: Tensor
    switch type {
    case .float32: out = run(Float.self)
    case .float64: out = run(Double.self)
    case .int64: out = run(Int64.self)
    case .bool: out = run(Bool.self)
    }
    record("WhereBackward0", out, a, b) { g in
      let zeros = Tensor.zeros([], dtype: g.dtype)
      return [
        a.requiresGradFlag ? Tensor.unbroadcast(Tensor.where(m, g, zeros), to: a) : nil,
        b.requiresGradFlag ? Tensor.unbroadcast(Tensor.where(m, zeros, g), to: b) : nil,
      ]
    }
    return out
  }
}
