/// `linear`: y = x·Wᵀ + b over the last dimension of the input, as one op beside `matmul`.
/// The transposed weight goes to GEMM as a view of its storage (no transpose tensor), and the
/// bias is added in place.

/// y = x·Wᵀ + b over the last dimension of `input` (`torch.nn.functional.linear`).
public func linear(_ input: Tensor, _ weight: Tensor, _ bias: Tensor? = nil) -> Tensor {
  Tensor.op(input, weight, bias) { () throws(OpError) in
    try checkedLinear(input, weight, bias)
  }
}

private func checkedLinear(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?) throws(OpError)
  -> Tensor
{
  guard weight.rank == 2, input.rank >= 1, input.shape[input.rank - 1] == weight.shape[1] else {
    throw OpError(
      "linear",
      "mat1 and mat2 shapes cannot be multiplied (input \(shapeText(input.shape)), weight \(shapeText(weight.shape))): the last dimension of the input must equal in_features = \(weight.rank == 2 ? weight.shape[1] : -1)"
    )
  }
  if let bias, bias.shape != [weight.shape[0]] {
    throw OpError(
      "linear",
      "bias of shape \(shapeText(bias.shape)) does not match out_features = \(weight.shape[0]) (weight \(shapeText(weight.shape)))"
    )
  }
  if input.rank != 2 {
    // Batch dimensions (or none) fold into rows, as PyTorch does.
    let rows = input.reshaped([-1, weight.shape[1]])
    let out = try checkedLinear(rows, weight, bias)
    return out.reshaped(Array(input.shape.dropLast()) + [weight.shape[0]])
  }
  guard input.dtype == weight.dtype, bias.map({ $0.dtype == weight.dtype }) ?? true,
    weight.dtype.isFloatingPoint
  else {
    throw OpError(
      "linear",
      "expected input, weight and bias of one floating dtype, but got input \(input.dtype), weight \(weight.dtype)\(bias.map { ", bias \($0.dtype)" } ?? "") (shapes \(shapeText(input.shape)) and \(shapeText(weight.shape))). Convert with to(_:)."
    )
  }
  let out = product(MatrixView(input), MatrixView(transposeOf: weight))
  if let bias { out.addInPlace(bias) }
  guard input.requiresGradFlag || weight.requiresGradFlag || bias?.requiresGradFlag == true
  else { return out }
  let savedInput = SavedTensor(input, op: "AddmmBackward0")
  let savedWeight = SavedTensor(weight, op: "AddmmBackward0")
  let backward: (Tensor) -> [Tensor?] = { g in
    if GradMode.isEnabled {
      // Recorded: the same products as differentiable matmuls.
      let (x, w) = (savedInput.value, savedWeight.value)
      var grads: [Tensor?] = [
        input.requiresGradFlag ? g.matmul(w) : nil,
        weight.requiresGradFlag ? g.t().matmul(x) : nil,
      ]
      if let bias { grads.append(bias.requiresGradFlag ? g.sum(dim: 0) : nil) }
      return grads
    }
    var grads: [Tensor?] = [
      input.requiresGradFlag ? product(MatrixView(g), MatrixView(savedWeight.value)) : nil,
      weight.requiresGradFlag
        ? product(MatrixView(transposeOf: g), MatrixView(savedInput.value)) : nil,
    ]
    if let bias { grads.append(bias.requiresGradFlag ? g.sum(dim: 0) : nil) }
    return grads
  }
  if let bias {
    record("AddmmBackward0", out, [input, weight, bias], backward)
  } else {
    record("MmBackward0", out, input, weight, backward)
  }
  return out
}
