/// `to(dtype)`, and the `description` that prints a tensor the way PyTorch does.
extension Tensor {
  /// This tensor converted to `dtype` (itself when already of that type), like `to(dtype)`.
  /// Gradients flow back through float-to-float conversions.
  public func to(_ target: DType) -> Tensor {
    if target == dtype { return self }
    let out = converted(to: target)
    if target.isFloatingPoint {
      let source = dtype
      record("ToCopyBackward0", out, self) { g in g.converted(to: source) }
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

extension Tensor: CustomStringConvertible {
  /// What `print(tensor)` shows in PyTorch, e.g.
  /// `tensor([-4., 6., 1.], grad_fn=<AddBackward0>)`.
  public var description: String {
    var suffixes: [String] = []
    if let gradFn {
      suffixes.append("grad_fn=<\(gradFn.name)>")
    } else if requiresGradFlag {
      suffixes.append("requires_grad=True")
    }
    let values: FormatterValues
    switch dtype {
    case .float32, .float64: values = .floating(toArray(as: Double.self))
    case .int64: values = .integer(toArray(as: Int64.self))
    case .bool: values = .boolean(toArray(as: Bool.self))
    }
    return formatTensor(values, shape: shape, dtype: dtype, suffixes: suffixes)
  }
}
