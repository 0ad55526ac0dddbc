/// `batchNorm` (`F.batch_norm`): normalises each channel (dimension 1) of `[N, C, …]` by its
/// batch statistics while training, updating running averages, or by the running averages.
/// The layers BatchNorm1d and BatchNorm2d (NN/BatchNorm.swift) call it. Recorded as
/// `NativeBatchNormBackward0`; the fused kernels are in BatchNormKernels.swift.

/// Batch normalisation of `input` `[N, C, …]` per channel, then `weight`·x̂ + `bias`.
///
/// With `training`, the statistics are the batch's (biased variance) and the running
/// averages, when given, move towards them by `momentum` (the variance unbiased); otherwise
/// the running averages are used.
public func batchNorm(
  _ input: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil,
  bias: Tensor? = nil, training: Bool = false, momentum: Double = 0.1, eps: Double = 1e-5
) -> Tensor {
  Tensor.op([input] + [weight, bias].compactMap { $0 }) { () throws(OpError) in
    try batchNormalization(
      input, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
      training: training, momentum: { momentum }, eps: eps, op: "batch_norm")
  }
}

/// Batch normalisation, checked as PyTorch checks it. `momentum` is asked for only once the
/// checks have passed (a layer counts the batch then).
func batchNormalization(
  _ input: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
  training: Bool, momentum: () -> Double, eps: Double, op: String
) throws(OpError) -> Tensor {
  guard input.rank >= 2 else {
    throw OpError(
      op,
      "expected an input with a batch and a channel dimension, but got input of size \(shapeText(input.shape))"
    )
  }
  let channels = input.shape[1]
  for (name, tensor) in [
    ("running_mean", runningMean), ("running_var", runningVar), ("weight", weight),
    ("bias", bias),
  ] {
    if let tensor, tensor.count != channels {
      throw OpError(
        op,
        "\(name) should contain \(channels) elements not \(tensor.count) (input \(shapeText(input.shape)))"
      )
    }
  }
  if !training && (runningMean == nil || runningVar == nil) {
    throw OpError(op, "running_mean must be defined in evaluation mode")
  }
  guard input.dtype.isFloatingPoint,
    [runningMean, runningVar, weight, bias].allSatisfy({ $0 == nil || $0!.dtype == input.dtype })
  else {
    throw OpError(
      op,
      "expected the input, running statistics, weight and bias of one floating dtype, but got input \(input.dtype) (shape \(shapeText(input.shape)))"
    )
  }
  let shape = BatchNormShape(
    batch: input.shape[0], channels: channels, spatial: input.shape.dropFirst(2).reduce(1, *))
  if training && shape.perChannel <= 1 {
    throw OpError(
      op,
      "Expected more than 1 value per channel when training, got input size \(shapeText(input.shape))"
    )
  }
  for running in [runningMean, runningVar].compactMap({ $0 }) where training {
    try running.checkInPlaceWrite(op)
  }
  let x = input.dense()
  let statistics: BatchStatistics
  if training {
    let factor = momentum()
    statistics = input.dtype.dispatchFloat(
      BatchNormStatistics(
        input: x, shape: shape, eps: eps, runningMean: runningMean, runningVar: runningVar,
        momentum: factor))
    runningMean?.storage.version += 1
    runningVar?.storage.version += 1
  } else {
    statistics = input.dtype.dispatchFloat(
      RunningStatistics(
        runningMean: runningMean!.dense(), runningVar: runningVar!.dense(), eps: eps))
  }
  let out = input.dtype.dispatchFloat(
    BatchNormTransform(
      input: x, shape: shape, statistics: statistics, weight: weight?.dense(),
      bias: bias?.dense(), outShape: input.shape))
  let inputs = [input] + [weight, bias].compactMap { $0 }
  guard inputs.contains(where: \.requiresGradFlag) else { return out }
  let savedInput = SavedTensor(input, op: "NativeBatchNormBackward0")
  let savedWeight = weight.map { SavedTensor($0, op: "NativeBatchNormBackward0") }
  let wants = (
    input.requiresGradFlag, weight?.requiresGradFlag == true, bias?.requiresGradFlag == true
  )
  record("NativeBatchNormBackward0", out, inputs) { g in
    let x = savedInput.value
    let w = savedWeight?.value
    var grads: [Tensor?]
    if GradMode.isEnabled {
      let formulas = BatchNormFormulas(
        input: x, weight: w, statistics: statistics, training: training, eps: eps)
      grads = [wants.0 ? formulas.inputGradient(g) : nil]
      if w != nil { grads.append(wants.1 ? formulas.weightGradient(g) : nil) }
      if bias != nil { grads.append(wants.2 ? formulas.biasGradient(g) : nil) }
      return grads
    }
    let (gx, gw, gb) = g.dtype.dispatchFloat(
      BatchNormBackward(
        gradient: g.dense(), input: x.dense(), shape: shape, statistics: statistics,
        weight: w?.dense(), training: training, wantsInput: wants.0))
    grads = [gx]
    if let w {
      grads.append(wants.1 ? Tensor(shape: [channels], scalars: gw, dtype: w.dtype) : nil)
    }
    if let bias {
      grads.append(wants.2 ? Tensor(shape: [channels], scalars: gb, dtype: bias.dtype) : nil)
    }
    return grads
  }
  return out
}

/// Batch normalisation's gradients written with public differentiable ops, for backward passes
/// that record a graph of the gradient:
///
///     x̂      = (x − mean(x)) / √(var(x) + eps)          (batch statistics of x)
///     ∂L/∂x  = w / √(var + eps) · (g − mean(g) − x̂ · mean(g · x̂))
///     ∂L/∂w  = Σ g · x̂,   ∂L/∂b = Σ g
///
/// In evaluation the statistics are constants: ∂L/∂x = g · w / √(running var + eps).
struct BatchNormFormulas {
  let input: Tensor
  let weight: Tensor?
  let statistics: BatchStatistics
  let training: Bool
  let eps: Double

  /// Every dimension but the channels.
  private var dims: [Int] { [0] + Array(2..<input.rank) }
  /// A per-channel vector shaped to broadcast against the input.
  private func perChannel(_ tensor: Tensor) -> Tensor {
    tensor.reshaped([1, input.shape[1]] + [Int](repeating: 1, count: input.rank - 2))
  }
  private func constant(_ values: [Double]) -> Tensor {
    perChannel(Tensor(shape: [values.count], scalars: values, dtype: input.dtype))
  }

  /// (x̂, 1/√(var + eps)) as functions of the input when training, else constants.
  private var normalized: (xhat: Tensor, invstd: Tensor) {
    guard training else {
      let invstd = constant(statistics.invstd)
      return ((input - constant(statistics.mean)) * invstd, invstd)
    }
    let centered = input - input.mean(dims: dims, keepDim: true)
    let invstd = 1 / ((centered * centered).mean(dims: dims, keepDim: true) + eps).sqrt()
    return (centered * invstd, invstd)
  }

  func inputGradient(_ g: Tensor) -> Tensor {
    let (xhat, invstd) = normalized
    let scale = weight.map { invstd * perChannel($0) } ?? invstd
    guard training else { return g * scale }
    let projection = xhat * (g * xhat).mean(dims: dims, keepDim: true)
    return (g - g.mean(dims: dims, keepDim: true) - projection) * scale
  }

  func weightGradient(_ g: Tensor) -> Tensor { (g * normalized.xhat).sum(dims: dims) }

  func biasGradient(_ g: Tensor) -> Tensor { g.sum(dims: dims) }
}
