/// Gradient checking by finite differences in float64, like `torch.autograd.gradcheck`.

/// What `gradcheck` found: whether every analytical derivative matched the numerical one, and
/// the worst mismatch.
public struct GradcheckResult: CustomStringConvertible, Sendable {
  /// True when every entry of every Jacobian agreed within tolerance.
  public let passed: Bool
  /// The largest |analytical − numerical| seen.
  public let maxAbsoluteError: Double
  /// The worst entry, in words (empty when there was none).
  public let detail: String

  /// A readable description, as `print` shows it.
  public var description: String {
    passed
      ? "gradcheck passed (max error \(maxAbsoluteError))" : "gradcheck failed: \(detail)"
  }
}

/// Compares the gradients backward computes for `function` at `inputs` with central finite
/// differences, entry by entry of the Jacobian.
///
/// Floating-point inputs are copied to float64 leaves that require grad, so the check is
/// precise; integral and bool inputs (index tensors, masks) are copied as they are and not
/// differentiated. `function` must build its result only from the tensors it is given.
/// - Returns: the outcome; `passed` is false when some entry differs by more than
///   `atol + rtol · |numerical|`.
@discardableResult
public func gradcheck(
  _ function: ([Tensor]) -> Tensor, inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5,
  rtol: Double = 1e-3
) -> GradcheckResult {
  // Integral and bool inputs (indices, masks) keep their dtype and get no gradient.
  let leaves = inputs.map { input -> Tensor in
    guard input.dtype.isFloatingPoint else { return input.detach().copyData() }
    let leaf = input.detach().converted(to: .float64).copyData()
    leaf.requiresGrad = true
    return leaf
  }
  let output = function(leaves).detach()
  let outputCount = output.count
  var worst = 0.0
  var detail = ""
  var passed = true
  for (inputIndex, leaf) in leaves.enumerated() where leaf.requiresGrad {
    let n = leaf.count
    // Numerical Jacobian, column by column: ∂out/∂x_j ≈ (f(x + eps) − f(x − eps)) / 2eps.
    var numerical = [[Double]](repeating: [Double](repeating: 0, count: outputCount), count: n)
    let values = leaf.pointer(Double.self)
    for j in 0..<n {
      let saved = values[j]
      values[j] = saved + eps
      let plus = noGrad { function(leaves) }.toArray(as: Double.self)
      values[j] = saved - eps
      let minus = noGrad { function(leaves) }.toArray(as: Double.self)
      values[j] = saved
      for i in 0..<outputCount { numerical[j][i] = (plus[i] - minus[i]) / (2 * eps) }
    }
    // Analytical Jacobian, row by row: backward with a one-hot output gradient.
    for i in 0..<outputCount {
      for other in leaves { other.grad = nil }
      let result = function(leaves)
      guard result.requiresGrad else {
        return GradcheckResult(
          passed: false, maxAbsoluteError: .infinity,
          detail: "the output does not require grad: no input reaches it through a recorded op")
      }
      let oneHot = Tensor.zeros(result.shape, dtype: result.dtype)
      oneHot.setElement(at: i, 1)
      result.backward(gradient: oneHot)
      let analytical = leaf.grad?.toArray(as: Double.self) ?? [Double](repeating: 0, count: n)
      for j in 0..<n {
        let error = Swift.abs(analytical[j] - numerical[j][i])
        if error > worst { worst = error }
        if error > atol + rtol * Swift.abs(numerical[j][i]) && passed {
          passed = false
          detail =
            "input \(inputIndex) (shape \(shapeText(leaf.shape))), element \(j), output element \(i): analytical \(analytical[j]) vs numerical \(numerical[j][i])"
        }
      }
    }
  }
  for leaf in leaves { leaf.grad = nil }
  return GradcheckResult(passed: passed, maxAbsoluteError: worst, detail: detail)
}

/// Checks second derivatives by finite differences (`torch.autograd.gradgradcheck`): the
/// gradient of `function` at `inputs`, computed with `createGraph`, is itself gradchecked, as a
/// function of the inputs and of the output's gradient `gradOutputs` (seeded random values of
/// the output's shape when nil).
///
/// A backward that is not differentiable (a fused kernel used while a graph is created, a value
/// computed outside the graph) fails here, while `gradcheck` passes.
@discardableResult
public func gradgradcheck(
  _ function: ([Tensor]) -> Tensor, inputs: [Tensor], gradOutputs: Tensor? = nil,
  eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3
) -> GradcheckResult {
  let differentiable = inputs.map(\.dtype.isFloatingPoint)
  let probe = noGrad {
    function(inputs.map { $0.dtype.isFloatingPoint ? $0.converted(to: .float64) : $0 })
  }
  let v =
    gradOutputs?.converted(to: .float64)
    ?? Tensor.randn(probe.shape, dtype: .float64, generator: Generator(seed: 0x5EED))
  // First derivatives as a function of the inputs and of v, flattened into one tensor.
  let firstDerivatives: ([Tensor]) -> Tensor = { all in
    enableGrad {
      let leaves = Array(all.dropLast())
      let output = function(leaves)
      let wrt = leaves.indices.filter { differentiable[$0] && leaves[$0].requiresGradFlag }
      let gradients = grad(
        output, wrt.map { leaves[$0] }, gradOutputs: all.last!, createGraph: true,
        allowUnused: true)
      let pieces = zip(wrt, gradients).map { index, gradient in
        (gradient ?? Tensor.zeros(leaves[index].shape, dtype: .float64)).reshaped([-1])
      }
      return Tensor.cat(pieces)
    }
  }
  return gradcheck(firstDerivatives, inputs: inputs + [v], eps: eps, atol: atol, rtol: rtol)
}
