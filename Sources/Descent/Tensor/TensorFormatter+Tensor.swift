/// `print(tensor)`: the text PyTorch prints.
extension Tensor: CustomStringConvertible {
  /// What `print(tensor)` shows in PyTorch, e.g.
  /// `tensor([-4., 6., 1.], grad_fn=<AddBackward0>)`.
  public var description: String {
    if isPoisoned { return "tensor(nan, poisoned by an op error inside withOpErrors)" }
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
