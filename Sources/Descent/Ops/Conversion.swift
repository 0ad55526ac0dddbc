/// Conversions between dtypes and layouts: `to(dtype)` (differentiable), and the raw `dense()`
/// and `converted(to:)` that kernels read their operands through.
extension Tensor {
  /// This tensor converted to `dtype` (itself when already of that type), like `to(dtype)`.
  /// Gradients flow back through float-to-float conversions.
  public func to(_ target: DType) -> Tensor {
    if target == dtype { return self }
    let out = converted(to: target)
    if target.isFloatingPoint {
      let source = dtype
      record("ToCopyBackward0", out, self) { g in
        GradMode.isEnabled ? g.to(source) : g.converted(to: source)
      }
    }
    return out
  }

  /// `float()`: float32.
  public func float() -> Tensor { to(.float32) }
  /// `double()`: float64.
  public func double() -> Tensor { to(.float64) }
  /// `long()`: int64.
  public func long() -> Tensor { to(.int64) }
}

extension Tensor {
  /// This tensor's data as a contiguous tensor of the same dtype: itself when already
  /// contiguous, else a copy. No autograd: kernels use it to read their operands.
  func dense() -> Tensor {
    if isContiguous { return self }
    switch dtype {
    case .float32: return mapUnary(self, Float.self, Float.self) { $0 }
    case .float64: return mapUnary(self, Double.self, Double.self) { $0 }
    case .int64: return mapUnary(self, Int64.self, Int64.self) { $0 }
    case .bool: return mapUnary(self, Bool.self, Bool.self) { $0 }
    }
  }

  /// A copy converted to `target` (no autograd; `to(_:)` is the differentiable form).
  func converted(to target: DType) -> Tensor {
    if target == dtype { return self }
    func convert<S: TensorScalar>(_: S.Type) -> Tensor {
      switch target {
      case .float32: return mapUnary(self, S.self, Float.self) { Float(fromDouble: $0.asDouble) }
      case .float64: return mapUnary(self, S.self, Double.self) { $0.asDouble }
      case .int64: return mapUnary(self, S.self, Int64.self) { Int64(fromDouble: $0.asDouble) }
      case .bool: return mapUnary(self, S.self, Bool.self) { $0.asDouble != 0 }
      }
    }
    switch dtype {
    case .float32: return convert(Float.self)
    case .float64: return convert(Double.self)
    case .int64:
      // Int64 → Int64 never reaches here; Int64 → float goes through Double, exact up to 2^53.
      return convert(Int64.self)
    case .bool: return convert(Bool.self)
    }
  }
}
