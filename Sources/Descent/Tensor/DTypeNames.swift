/// The names PyTorch's C++ core gives dtypes in its messages: `expected scalar type Float but
/// found Double` uses the scalar type names, `got mask with dtype long int` the C type names.
extension DType {
  /// PyTorch's ScalarType name: `Float`, `Double`, `Long`, `Bool`.
  var scalarTypeName: String {
    switch self {
    case .float32: return "Float"
    case .float64: return "Double"
    case .int64: return "Long"
    case .bool: return "Bool"
    }
  }

  /// The C++ type name PyTorch prints for a dtype (`float`, `double`, `long int`, `bool`).
  var cTypeName: String {
    switch self {
    case .float32: return "float"
    case .float64: return "double"
    case .int64: return "long int"
    case .bool: return "bool"
    }
  }
}
