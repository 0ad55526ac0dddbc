/// Mean squared error between `input` and `target` (`torch.nn.functional.mse_loss`):
/// (input − target)², reduced.
///
/// Both tensors must be floating point and of one shape (PyTorch would broadcast differing
/// shapes; Descent stops). Gradients flow to both. The node is `MseLossBackward0`.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
  let type = checkedPointwiseOperands("mse_loss", input, target)
  if reduction != .none && input.dtype == target.dtype && input.isContiguous
    && target.isContiguous
  {
    switch input.dtype {
    case .float32: return fusedMSELoss(input, target, reduction, Float.self)
    case .float64: return fusedMSELoss(input, target, reduction, Double.self)
    default: break
    }
  }
  let difference = noGrad { input.converted(to: type) - target.converted(to: type) }
  let values = noGrad { difference * difference }
  return recordPointwiseLoss(
    "MseLossBackward0", values: values, input: input, target: target, reduction: reduction
  ) { _, wantTarget in
    // d/dx (x − y)² = 2(x − y); d/dy is its negation.
    let slope = difference * 2
    return (slope, wantTarget ? -slope : nil)
  }
}

/// The reduced MSE of dense operands of one dtype in one pass each way, with no intermediate
/// tensors: the same arithmetic, in the same order, as the general path (d = x − y summed as
/// d², then d·2 times the upstream gradient), so the two agree bit for bit.
private func fusedMSELoss<T: FloatScalar>(
  _ input: Tensor, _ target: Tensor, _ reduction: Reduction, _: T.Type
) -> Tensor {
  let n = input.count
  let x = input.pointer(T.self)
  let y = target.pointer(T.self)
  var total = T.Accumulator.zero
  for i in 0..<n {
    let d = x[i] - y[i]
    total = T.Accumulator.add(total, (d * d).accumulated)
  }
  let sum = T(accumulated: total)
  let out = Tensor(uninitializedShape: [], dtype: T.dtype)
  out.pointer(T.self)[0] = reduction == .mean ? sum / T(fromDouble: Double(n)) : sum
  guard input.requiresGradFlag || target.requiresGradFlag else { return out }
  let savedInput = SavedTensor(input, op: "MseLossBackward0")
  let savedTarget = SavedTensor(target, op: "MseLossBackward0")
  record("MseLossBackward0", out, input, target) { g in
    let upstream = g.converted(to: T.dtype).pointer(T.self)[0]
    let scale = reduction == .mean ? upstream / T(fromDouble: Double(n)) : upstream
    let (x, y) = (savedInput.value.pointer(T.self), savedTarget.value.pointer(T.self))
    let dInput =
      input.requiresGradFlag
      ? Tensor(uninitializedShape: input.shape, dtype: T.dtype, sharingStrides: input.strides)
      : nil
    let dTarget =
      target.requiresGradFlag
      ? Tensor(uninitializedShape: target.shape, dtype: T.dtype, sharingStrides: target.strides)
      : nil
    let (dx, dy) = (dInput?.pointer(T.self), dTarget?.pointer(T.self))
    for i in 0..<n {
      let slope = (x[i] - y[i]) * 2
      dx?[i] = slope * scale
      dy?[i] = -slope * scale
    }
    return (dInput, dTarget)
  }
  return out
}

/// Mean squared error as a module (`torch.nn.MSELoss`): `MSELoss()(input, target)`.
public final class MSELoss: Module {
  /// How the per-element losses are combined.
  public let reduction: Reduction

  /// A mean squared error loss with the given reduction.
  public init(reduction: Reduction = .mean) {
    self.reduction = reduction
    super.init()
  }

  /// The loss of `input` against `target`; see `mseLoss(_:_:reduction:)`.
  public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
    mseLoss(input, target, reduction: reduction)
  }

  /// Stops: a loss needs a target, so call `loss(input, target)`.
  public override func forward(_ input: Tensor) -> Tensor { lossTakesTwoTensors(typeName, input) }
}
