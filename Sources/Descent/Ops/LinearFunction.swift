/// `linear`: y = x·Wᵀ + b over the last dimension of the input, as one op beside `matmul`.
/// The transposed weight goes to GEMM as a view of its storage (no transpose tensor), and the
/// bias is added in place. The graph is PyTorch's: `AddmmBackward0(bias, input, TBackward0(
/// weight))`, or `MmBackward0(input, TBackward0(weight))` without a bias.

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
  recordLinear(out, input, weight, bias)
  return out
}

/// Records `out = input·weightᵀ + bias` as PyTorch does: the weight reaches the product
/// through its own `TBackward0` node, and the bias comes first among the product's inputs.
///
/// The `TBackward0` node is made here rather than by `weight.T`, which would allocate a view
/// tensor on every forward. Without a recorded graph the product's backward computes the
/// weight's gradient in the weight's own layout, `gᵀ·x` ([out, in], dense), and hands it on
/// transposed without a copy; the `TBackward0` node transposes it back, again without a copy
/// and as a tensor that is no view, so that it can become `weight.grad` without a copy.
private func recordLinear(_ out: Tensor, _ input: Tensor, _ weight: Tensor, _ bias: Tensor?) {
  guard input.requiresGradFlag || weight.requiresGradFlag || bias?.requiresGradFlag == true
  else { return }
  let mode = GradMode.state
  guard mode.gradEnabled else { return }
  let name = bias == nil ? "MmBackward0" : "AddmmBackward0"
  let savedInput = SavedTensor(input, op: name)
  let savedWeight = SavedTensor(weight, op: name)
  let needsInput = input.requiresGradFlag
  let needsWeight = weight.requiresGradFlag
  let hasBias = bias != nil
  let needsBias = bias?.requiresGradFlag == true
  let transposeNode =
    needsWeight
    ? Node(
      name: "TBackward0", edge: weight.gradientEdge,
      backward: { g in GradMode.isEnabled ? g.T : g.transposedAlias() }) : nil
  // The gradient of `out` for each input of the product: the bias, the input, and `weightᵀ`
  // (shape [in, out]).
  let backward: (Tensor) -> [Tensor?] = { g in
    var grads: [Tensor?] = []
    if hasBias { grads.append(needsBias ? g.sum(dim: 0) : nil) }
    if GradMode.isEnabled {
      // Recorded: the same products as differentiable matmuls.
      let (x, w) = (savedInput.value, savedWeight.value)
      grads.append(needsInput ? g.matmul(w) : nil)
      grads.append(needsWeight ? x.t().matmul(g) : nil)
      return grads
    }
    grads.append(needsInput ? product(MatrixView(g), MatrixView(savedWeight.value)) : nil)
    grads.append(
      needsWeight
        ? product(MatrixView(transposeOf: g), MatrixView(savedInput.value)).transposedAlias()
        : nil)
    return grads
  }
  var edges: [Node?] = bias.map { [$0.gradientEdge] } ?? []
  edges += [input.gradientEdge, transposeNode]
  out.gradFn = Node(name: name, edges: edges, backward: .many(backward))
  out.requiresGradFlag = true
  if let anomalies = mode.anomalies {
    anomalies.checkForward(name, out, [input, weight] + (bias.map { [$0] } ?? []))
  }
}

extension Tensor {
  /// The matrix transpose of a 2-D tensor as a plain alias of its storage: no autograd and no
  /// view base, for gradients that only pass through a transpose on their way to a leaf.
  fileprivate func transposedAlias() -> Tensor {
    Tensor(
      storage: storage, shape: [shape[1], shape[0]], strides: [strides[1], strides[0]],
      offset: storageOffset, dtype: dtype)
  }
}
