/// The public doors to the backward pass (`Engine.swift`): `backward` accumulates gradients
/// into `grad`, `grad(_:_:)` returns them as values.
extension Tensor {
  /// Computes the gradient of this tensor with respect to the leaves that require grad and adds
  /// it to their `grad`, like `loss.backward()`.
  ///
  /// - Parameters:
  ///   - gradient: the gradient of some scalar with respect to this tensor; omit it for a
  ///     one-element tensor (a loss).
  ///   - retainGraph: keep the graph so that backward can run through it again; defaults to
  ///     `createGraph`.
  ///   - createGraph: record the backward pass itself, so that the gradients are differentiable
  ///     (gradient penalties, Hessian-vector products).
  ///   - inputs: accumulate into these tensors only (leaves or not), running only the part of
  ///     the graph that leads to them.
  public func backward(
    gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false,
    inputs: [Tensor]? = nil
  ) {
    if isPoisoned || gradient?.isPoisoned == true { return }
    do throws(OpError) {
      let seed = try seedGradient(gradient, op: "backward")
      guard let root = gradientEdge else { return }
      if let inputs {
        guard !inputs.isEmpty else {
          throw OpError("backward", "'inputs' argument to backward() cannot be empty.")
        }
        try checkDifferentiable(inputs, op: "backward")
      }
      _ = BackwardPass(
        root: root, gradient: seed, target: inputs.map { .accumulate($0) } ?? .allLeaves,
        retainGraph: retainGraph ?? createGraph, createGraph: createGraph
      ).run()
    } catch {
      _ = Tensor.failed(error, inputs: [self])
    }
  }

  /// The gradient backward starts from: `gradient` converted to this tensor's dtype, or ones
  /// for a one-element tensor. Throws PyTorch's messages for a tensor outside the graph, a
  /// missing gradient for a tensor of several elements, and a gradient of another shape.
  func seedGradient(_ gradient: Tensor?, op: String) throws(OpError) -> Tensor {
    guard requiresGradFlag else {
      throw OpError(
        op,
        "element 0 of tensors does not require grad and does not have a grad_fn (shape \(shapeText(shape))). Create the leaves with requiresGrad: true and compute outside noGrad."
      )
    }
    guard let gradient else {
      guard count == 1 else {
        throw OpError(
          op,
          "grad can be implicitly created only for scalar outputs, but this tensor has shape \(shapeText(shape)). Reduce it first (loss.mean(), loss.sum()) or pass the gradient of the output (backward(gradient:), grad(_:_:gradOutputs:)) with shape \(shapeText(shape))."
        )
      }
      return Tensor.ones(shape, dtype: dtype)
    }
    guard gradient.shape == shape else {
      throw OpError(
        op,
        "Mismatch in shape: grad_output[0] has a shape of \(shapeText(gradient.shape)) and output[0] has a shape of \(shapeText(shape)). Pass a gradient of the output's shape."
      )
    }
    return gradient.converted(to: dtype)
  }
}

/// Throws unless every tensor of `inputs` is one a gradient can be computed for.
private func checkDifferentiable(_ inputs: [Tensor], op: String) throws(OpError) {
  for (index, input) in inputs.enumerated() where !input.requiresGradFlag {
    throw OpError(
      op,
      "One of the differentiated Tensors does not require grad (input \(index), shape \(shapeText(input.shape))). Create it with requiresGrad: true."
    )
  }
}

/// The gradients of `outputs` with respect to `inputs`, returned instead of accumulated into
/// `grad` (PyTorch's `torch.autograd.grad`).
///
/// ```swift
/// let x = Tensor([1, 2, 3], requiresGrad: true)
/// let y = (x * x * x).sum()
/// let dx = grad(y, [x], createGraph: true)[0]!      // 3x²
/// let d2x = grad(dx.sum(), [x])[0]!                 // 6x
/// ```
///
/// - Parameters:
///   - outputs: the tensor to differentiate.
///   - inputs: the tensors to differentiate with respect to.
///   - gradOutputs: the gradient of some scalar with respect to `outputs` (the vector of a
///     vector-Jacobian product); needed unless `outputs` has one element.
///   - retainGraph: keep the graph for another pass; defaults to `createGraph`.
///   - createGraph: record the computation of the gradients, for higher derivatives.
///   - allowUnused: return nil for an input the output does not depend on, instead of
///     stopping.
/// - Returns: one gradient per input, in order.
public func grad(
  _ outputs: Tensor, _ inputs: [Tensor], gradOutputs: Tensor? = nil, retainGraph: Bool? = nil,
  createGraph: Bool = false, allowUnused: Bool = false
) -> [Tensor?] {
  let placeholder = inputs.map { _ in Tensor.poisoned() as Tensor? }
  return Tensor.op([outputs] + inputs + (gradOutputs.map { [$0] } ?? []), placeholder: placeholder)
  { () throws(OpError) in
    let seed = try outputs.seedGradient(gradOutputs, op: "grad")
    try checkDifferentiable(inputs, op: "grad")
    guard let root = outputs.gradientEdge else { return inputs.map { _ in nil } }
    let gradients = BackwardPass(
      root: root, gradient: seed, target: .capture(inputs),
      retainGraph: retainGraph ?? createGraph, createGraph: createGraph
    ).run()
    if !allowUnused, let unused = gradients.firstIndex(where: { $0 == nil }) {
      throw OpError(
        "grad",
        "One of the differentiated Tensors appears to not have been used in the graph (input \(unused), shape \(shapeText(inputs[unused].shape))). Set allowUnused: true if this is the desired behavior."
      )
    }
    return gradients.enumerated().map { index, gradient in
      gradient.map { inputs[index].shape == $0.shape ? $0 : $0.sumTo(inputs[index].shape) }
    }
  }
}
