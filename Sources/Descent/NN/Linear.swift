/// `Linear`: y = x·Wᵀ + b, the fully connected layer, and its functional form.

/// y = x·Wᵀ + b over the last dimension of `input` (`torch.nn.functional.linear`), as one op:
/// the transposed weight goes to GEMM as a view, and the bias is added in place.
public func linear(_ input: Tensor, _ weight: Tensor, _ bias: Tensor? = nil) -> Tensor {
  guard weight.rank == 2, input.rank >= 1, input.shape[input.rank - 1] == weight.shape[1] else {
    opFailure(
      "linear",
      "mat1 and mat2 shapes cannot be multiplied (input \(shapeText(input.shape)), weight \(shapeText(weight.shape))): the last dimension of the input must equal in_features = \(weight.rank == 2 ? weight.shape[1] : -1)"
    )
  }
  if let bias, bias.shape != [weight.shape[0]] {
    opFailure(
      "linear",
      "bias of shape \(shapeText(bias.shape)) does not match out_features = \(weight.shape[0]) (weight \(shapeText(weight.shape)))"
    )
  }
  if input.rank != 2 {
    // Batch dimensions (or none) fold into rows, as PyTorch does.
    let rows = input.reshaped([-1, weight.shape[1]])
    let out = linear(rows, weight, bias)
    return out.reshaped(Array(input.shape.dropLast()) + [weight.shape[0]])
  }
  guard input.dtype == weight.dtype, bias.map({ $0.dtype == weight.dtype }) ?? true,
    weight.dtype.isFloatingPoint
  else {
    opFailure(
      "linear",
      "expected input, weight and bias of one floating dtype, but got input \(input.dtype), weight \(weight.dtype)\(bias.map { ", bias \($0.dtype)" } ?? "") (shapes \(shapeText(input.shape)) and \(shapeText(weight.shape))). Convert with to(_:)."
    )
  }
  // The transposed weight goes to GEMM as a view of its storage, not as a tensor.
  let out = product(MatrixView(input), MatrixView(transposeOf: weight))
  if let bias { addRows(out, bias) }
  guard input.requiresGradFlag || weight.requiresGradFlag || bias?.requiresGradFlag == true
  else { return out }
  let savedInput = SavedTensor(input, op: "AddmmBackward0")
  let savedWeight = SavedTensor(weight, op: "AddmmBackward0")
  let backward: (Tensor) -> [Tensor?] = { g in
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

/// `out[i, j] += bias[j]` for a fresh [rows, n] result: a direct row loop for dense float
/// tensors of one dtype, else the broadcasting in-place add.
private func addRows(_ out: Tensor, _ bias: Tensor) {
  func run<T: FloatScalar>(_: T.Type) {
    let (target, source) = (out.pointer(T.self), UnsafePointer(bias.pointer(T.self)))
    let n = bias.count
    for row in 0..<out.shape[0] {
      let line = target + row * n
      for j in 0..<n { line[j] = line[j] + source[j] }
    }
  }
  guard out.isContiguous, bias.isContiguous, out.dtype == bias.dtype, out.rank == 2,
    out.shape[1] == bias.count
  else { return out.addInPlace(bias) }
  switch out.dtype {
  case .float32: run(Float.self)
  case .float64: run(Double.self)
  default: out.addInPlace(bias)
  }
}

/// A fully connected layer, `torch.nn.Linear`: weight `[out, in]` and bias `[out]`, both from
/// U(−1/√in, 1/√in) as PyTorch initialises them (and, after `manualSeed`, the same values).
public final class Linear: Module {
  /// The number of input features.
  public let inFeatures: Int
  /// The number of output features.
  public let outFeatures: Int
  /// `[outFeatures, inFeatures]`.
  public let weight: Tensor
  /// `[outFeatures]`, or nil with `bias: false`.
  public let bias: Tensor?

  public init(
    _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
    generator: Generator? = nil
  ) {
    guard inFeatures >= 0, outFeatures >= 0 else {
      opFailure(
        "Linear",
        "in_features and out_features must be non-negative (got \(inFeatures), \(outFeatures))")
    }
    guard dtype.isFloatingPoint else {
      opFailure("Linear", "the dtype of a layer's parameters must be floating point (got \(dtype))")
    }
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    self.weight = Tensor.zeros([outFeatures, inFeatures], dtype: dtype)
    self.bias = bias ? Tensor.zeros([outFeatures], dtype: dtype) : nil
    super.init()
    resetParameters(generator: generator)
    weight.requiresGrad = true
    self.bias?.requiresGrad = true
  }

  /// PyTorch's `reset_parameters`: Kaiming-uniform with a = √5 for the weight, which is
  /// U(−1/√in, 1/√in), then the bias from the same range; the weight is drawn first.
  public func resetParameters(generator: Generator? = nil) {
    noGrad {
      kaimingUniform_(weight, a: 5.0.squareRoot(), generator: generator)
      if let bias {
        let bound = inFeatures > 0 ? 1 / Double(inFeatures).squareRoot() : 0
        bias.uniform_(-bound, bound, generator: generator)
      }
    }
  }

  public override func forward(_ input: Tensor) -> Tensor { linear(input, weight, bias) }

  public override var extraRepr: String {
    "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
  }
}
