/// Argument checks shared by the losses. Each stops with a message that names the loss (as
/// `torch.nn.functional` spells it), the shapes and dtypes involved, and a fix.

/// Checks that a regression-style loss got floating-point input and target of one shape, and
/// returns the dtype they compute in (float64 if either is).
///
/// PyTorch only warns when the shapes differ and then broadcasts: `[3, 1]` against `[3]`
/// silently becomes a `[3, 3]` loss, a classic bug. Descent refuses instead.
func checkedPointwiseOperands(_ op: String, _ input: Tensor, _ target: Tensor) throws(OpError)
  -> DType
{
  try requireFloatingLossOperand(op, "input", input)
  try requireFloatingLossOperand(op, "target", target)
  guard input.shape == target.shape else {
    let hint =
      input.count == target.count
      ? " Reshape one to the other's shape, e.g. target.reshaped(\(shapeText(input.shape)))."
      : " Give a target with one value per input element."
    // The binary cross entropies stop in PyTorch too; the others only warn there.
    let reason =
      op.hasPrefix("binary_cross_entropy")
      ? "they must be equal."
      : "PyTorch would broadcast them (with only a warning), which almost always hides a bug, so Descent requires equal shapes."
    throw OpError(
      op,
      "input shape \(shapeText(input.shape)) and target shape \(shapeText(target.shape)) differ; \(reason)\(hint)"
    )
  }
  return DType.promote(input.dtype, target.dtype)
}

/// Stops unless `tensor` (the loss's `role` operand) is float32 or float64.
func requireFloatingLossOperand(_ op: String, _ role: String, _ tensor: Tensor) throws(OpError) {
  guard tensor.dtype.isFloatingPoint else {
    let hint =
      role == "target" && tensor.dtype == .int64
      ? " An int64 target holds class indices, which crossEntropy and nllLoss take; for this loss convert it with target.to(.float32)."
      : " Convert it with .to(.float32)."
    throw OpError(
      op,
      "expected a floating-point \(role), but got \(tensor.dtype) (\(role) shape \(shapeText(tensor.shape))).\(hint)"
    )
  }
}

/// Checks that an elementwise weight (`weight`, `posWeight`) broadcasts to `shape` without
/// growing it, and returns it in `dtype`.
func checkedElementWeight(
  _ op: String, _ role: String, _ weight: Tensor?, against shape: [Int], dtype: DType
) throws(OpError) -> Tensor? {
  guard let weight else { return nil }
  try requireFloatingLossOperand(op, role, weight)
  var fits = weight.rank <= shape.count
  if fits {
    let lead = shape.count - weight.rank
    for (axis, size) in weight.shape.enumerated() where size != 1 && size != shape[lead + axis] {
      fits = false
    }
  }
  guard fits else {
    throw OpError(
      op,
      "\(role) of shape \(shapeText(weight.shape)) does not broadcast to the input shape \(shapeText(shape)); each of its dimensions must be 1 or equal the input's trailing dimension."
    )
  }
  return weight.detach().converted(to: dtype)
}

/// Checks a class weight: one float value per class.
func checkedClassWeight(_ op: String, _ weight: Tensor?, classes: Int, dtype: DType)
  throws(OpError) -> Tensor?
{
  guard let weight else { return nil }
  try requireFloatingLossOperand(op, "weight", weight)
  guard weight.rank == 1 && weight.count == classes else {
    throw OpError(
      op,
      "weight tensor should be defined either for all \(classes) classes or no classes but got weight tensor of shape: \(shapeText(weight.shape)); give a 1-D weight with \(classes) values."
    )
  }
  return weight.detach().converted(to: dtype)
}

/// Stops a loss module's `forward(_:)`: a loss needs the target as well.
func lossTakesTwoTensors(_ typeName: String, _ input: Tensor) -> Never {
  opFailure(
    typeName,
    "a loss takes two tensors, the input and the target (got only one, of shape \(shapeText(input.shape))); call loss(input, target) instead of loss(input) or forward(_:)."
  )
}
