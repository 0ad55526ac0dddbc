/// Derivatives of whole functions, PyTorch's `torch.autograd.functional`: `jacobian`,
/// `hessian`, `vjp`, `jvp` and `hvp`, built on `grad(_:_:)`.
///
/// As in PyTorch, each input is first detached into a fresh leaf that requires grad, so the
/// caller's tensors and their `grad` are untouched; the results are detached unless
/// `createGraph` is set, in which case they stay differentiable with respect to the inputs.
/// An input the output does not depend on gets zeros.

/// ∂f/∂x for a function of one tensor: a tensor of shape `f(x).shape + x.shape`.
public func jacobian(_ function: (Tensor) -> Tensor, _ input: Tensor, createGraph: Bool = false)
  -> Tensor
{
  jacobian({ function($0[0]) }, [input], createGraph: createGraph)[0]
}

/// ∂f/∂xᵢ for each input of a function of several tensors, each of shape
/// `f(…).shape + xᵢ.shape`.
public func jacobian(
  _ function: ([Tensor]) -> Tensor, _ inputs: [Tensor], createGraph: Bool = false
) -> [Tensor] {
  let leaves = differentiableLeaves(inputs, createGraph: createGraph)
  let output = enableGrad { function(leaves) }
  // One vector-Jacobian product per output element: row i of every Jacobian.
  var rows = [[Tensor]](repeating: [], count: leaves.count)
  for i in 0..<output.count {
    let oneHot = Tensor.zeros([output.count], dtype: output.dtype)
    oneHot.setElement(at: i, 1)
    let gradients = gradientsOrZeros(
      output, leaves, gradOutputs: oneHot.reshaped(output.shape), createGraph: createGraph,
      retainGraph: true)
    for (index, gradient) in gradients.enumerated() { rows[index].append(gradient) }
  }
  return leaves.indices.map { index in
    let stacked =
      rows[index].isEmpty
      ? Tensor.zeros([0] + leaves[index].shape, dtype: leaves[index].dtype)
      : Tensor.stack(rows[index])
    let result = stacked.reshaped(output.shape + leaves[index].shape)
    return createGraph ? result : result.detach()
  }
}

/// The Hessian ∂²f/∂x² of a function of one tensor with a one-element result: a tensor of
/// shape `x.shape + x.shape`.
public func hessian(_ function: (Tensor) -> Tensor, _ input: Tensor, createGraph: Bool = false)
  -> Tensor
{
  jacobian(
    { x in
      let y = function(x)
      return gradientsOrZeros(y, [x], gradOutputs: nil, createGraph: true, retainGraph: true)[0]
    }, input, createGraph: createGraph)
}

/// f(x) and the vector-Jacobian product vᵀ·∂f/∂x (`v` may be omitted for a one-element
/// result).
public func vjp(
  _ function: (Tensor) -> Tensor, _ input: Tensor, _ v: Tensor? = nil, createGraph: Bool = false
) -> (output: Tensor, vjp: Tensor) {
  let leaf = differentiableLeaves([input], createGraph: createGraph)[0]
  let output = enableGrad { function(leaf) }
  let product = gradientsOrZeros(
    output, [leaf], gradOutputs: v, createGraph: createGraph, retainGraph: createGraph)[0]
  return createGraph ? (output, product) : (output.detach(), product.detach())
}

/// f(x) and the Jacobian-vector product ∂f/∂x·v (`v` may be omitted for a one-element input),
/// by the double-backward trick: the vector-Jacobian product is linear in its vector, and its
/// gradient with respect to that vector, along `v`, is the Jacobian-vector product.
public func jvp(
  _ function: (Tensor) -> Tensor, _ input: Tensor, _ v: Tensor? = nil, createGraph: Bool = false
) -> (output: Tensor, jvp: Tensor) {
  let leaf = differentiableLeaves([input], createGraph: createGraph)[0]
  let output = enableGrad { function(leaf) }
  let dummy = Tensor.zeros(output.shape, dtype: output.dtype, requiresGrad: true)
  let transposed = gradientsOrZeros(
    output, [leaf], gradOutputs: dummy, createGraph: true, retainGraph: true)[0]
  let direction = v ?? Tensor.ones(leaf.shape, dtype: leaf.dtype)
  let product = gradientsOrZeros(
    transposed, [dummy], gradOutputs: direction, createGraph: createGraph,
    retainGraph: createGraph)[0]
  return createGraph ? (output, product) : (output.detach(), product.detach())
}

/// f(x) and the Hessian-vector product ∂²f/∂x²·v of a function with a one-element result.
public func hvp(
  _ function: (Tensor) -> Tensor, _ input: Tensor, _ v: Tensor, createGraph: Bool = false
) -> (output: Tensor, hvp: Tensor) {
  let leaf = differentiableLeaves([input], createGraph: createGraph)[0]
  let output = enableGrad { function(leaf) }
  let gradient = gradientsOrZeros(
    output, [leaf], gradOutputs: nil, createGraph: true, retainGraph: true)[0]
  let product = gradientsOrZeros(
    gradient, [leaf], gradOutputs: v, createGraph: createGraph, retainGraph: createGraph)[0]
  return createGraph ? (output, product) : (output.detach(), product.detach())
}

/// Fresh leaves that require grad, holding the inputs' values (float inputs only are
/// differentiated). With `createGraph` they stay connected to the caller's tensors, so that
/// the results are differentiable with respect to them.
private func differentiableLeaves(_ inputs: [Tensor], createGraph: Bool) -> [Tensor] {
  inputs.map { input in
    guard input.dtype.isFloatingPoint else { return input }
    if createGraph && input.requiresGrad { return enableGrad { input.clone() } }
    return input.detach().requiresGrad_()
  }
}

/// `grad(output, inputs)`, with zeros for an input the output does not reach, and zeros for
/// every input when the output does not require grad at all.
private func gradientsOrZeros(
  _ output: Tensor, _ inputs: [Tensor], gradOutputs: Tensor?, createGraph: Bool,
  retainGraph: Bool
) -> [Tensor] {
  let gradients: [Tensor?] =
    output.requiresGrad
    ? enableGrad {
      grad(
        output, inputs, gradOutputs: gradOutputs, retainGraph: retainGraph,
        createGraph: createGraph, allowUnused: true)
    } : inputs.map { _ in nil }
  return zip(inputs, gradients).map { input, gradient in
    gradient ?? Tensor.zeros(input.shape, dtype: input.dtype)
  }
}
