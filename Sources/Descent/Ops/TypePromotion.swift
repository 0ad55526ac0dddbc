/// The dtype an op on two tensors computes in (`torch.result_type`). A 0-d tensor beside one
/// with dimensions only counts when its category (bool < integer < floating) is higher:
/// `float32[3] + float64[]` is float32, but `int64[3] + float64[]` is float64.
/// `DType.promote` alone would widen the first to float64.
func resultType(_ a: Tensor, _ b: Tensor) -> DType {
  if (a.rank == 0) == (b.rank == 0) { return DType.promote(a.dtype, b.dtype) }
  let (dimensioned, zeroDim) = a.rank == 0 ? (b.dtype, a.dtype) : (a.dtype, b.dtype)
  func category(_ type: DType) -> Int { type == .bool ? 0 : (type.isFloatingPoint ? 2 : 1) }
  return category(zeroDim) > category(dimensioned)
    ? DType.promote(dimensioned, zeroDim) : dimensioned
}
