/// Batch normalisation layers: `BatchNorm1d` and `BatchNorm2d` share `BatchNormBase`
/// (PyTorch's `_BatchNorm`), which differ only in the input ranks they accept. The op is
/// `batchNorm` (Ops/BatchNormFunction.swift).

/// The state and forward pass of PyTorch's batch normalisation layers: learnable `weight`
/// (ones) and `bias` (zeros) when `affine`, running averages of the batch statistics when
/// `trackRunningStats`, used in evaluation mode.
public class BatchNormBase: Module {
  /// The number of channels C of an input `[N, C, …]`.
  public let numFeatures: Int
  /// Added to the variance before its square root.
  public let eps: Double
  /// How far the running averages move towards each batch's statistics; nil for their
  /// cumulative average over every batch so far.
  public let momentum: Double?
  /// Whether the layer has a learnable scale and shift.
  public let affine: Bool
  /// Whether the layer keeps running averages (then used in evaluation mode).
  public let trackRunningStats: Bool
  /// `[numFeatures]`, ones at first; nil without `affine`.
  public let weight: Tensor?
  /// `[numFeatures]`, zeros at first; nil without `affine` or `bias`.
  public let bias: Tensor?
  /// The running mean, zeros at first; nil without `trackRunningStats`.
  public let runningMean: Tensor?
  /// The running (unbiased) variance, ones at first; nil without `trackRunningStats`.
  public let runningVar: Tensor?
  /// The number of training batches seen (int64, 0-d). Without `trackRunningStats` it stays
  /// 0 and is not part of the state.
  public let numBatchesTracked: Tensor

  init(
    numFeatures: Int, eps: Double, momentum: Double?, affine: Bool, trackRunningStats: Bool,
    bias: Bool, dtype: DType
  ) {
    guard numFeatures >= 0, dtype.isFloatingPoint else {
      opFailure(
        "BatchNorm",
        "num_features must be non-negative and the dtype floating point (got \(numFeatures), \(dtype))"
      )
    }
    self.numFeatures = numFeatures
    self.eps = eps
    self.momentum = momentum
    self.affine = affine
    self.trackRunningStats = trackRunningStats
    weight = affine ? Tensor.ones([numFeatures], dtype: dtype, requiresGrad: true) : nil
    self.bias = affine && bias ? Tensor.zeros([numFeatures], dtype: dtype, requiresGrad: true) : nil
    runningMean = trackRunningStats ? Tensor.zeros([numFeatures], dtype: dtype) : nil
    runningVar = trackRunningStats ? Tensor.ones([numFeatures], dtype: dtype) : nil
    numBatchesTracked = Tensor.zeros([], dtype: .int64)
    super.init()
    if let runningMean, let runningVar {
      registerBuffer("running_mean", runningMean)
      registerBuffer("running_var", runningVar)
      registerBuffer("num_batches_tracked", numBatchesTracked)
    }
  }

  /// The input ranks the layer accepts, and how PyTorch words them (`2D or 3D`).
  var acceptedRanks: (ranks: [Int], text: String) { ([], "") }

  public override func forward(_ input: Tensor) -> Tensor {
    Tensor.op(input) { () throws(OpError) in
      let accepted = acceptedRanks
      guard accepted.ranks.contains(input.rank) else {
        throw OpError(
          typeName,
          "expected \(accepted.text) input (got \(input.rank)D input), an input of shape \(shapeText(input.shape))"
        )
      }
      // As PyTorch: batch statistics while training (or without running averages), the
      // running averages updated only while training and tracking.
      let counts = training && trackRunningStats
      let updates = !training || trackRunningStats
      return try batchNormalization(
        input, runningMean: updates ? runningMean : nil, runningVar: updates ? runningVar : nil,
        weight: weight, bias: bias, training: training || runningMean == nil,
        momentum: { [self] in
          guard counts else { return momentum ?? 0 }
          noGrad { numBatchesTracked += 1 }
          return momentum ?? 1 / numBatchesTracked.item()
        }, eps: eps, op: typeName)
    }
  }

  public override var extraRepr: String {
    func flag(_ value: Bool) -> String { value ? "True" : "False" }
    return
      "\(numFeatures), eps=\(pythonNumber(eps)), momentum=\(momentum.map(pythonNumber) ?? "None"), affine=\(flag(affine)), bias=\(flag(bias != nil)), track_running_stats=\(flag(trackRunningStats))"
  }
}

/// `nn.BatchNorm1d` for `[N, C]` or `[N, C, L]` inputs.
public final class BatchNorm1d: BatchNormBase {
  public init(
    _ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
    trackRunningStats: Bool = true, bias: Bool = true, dtype: DType = .float32
  ) {
    super.init(
      numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
      trackRunningStats: trackRunningStats, bias: bias, dtype: dtype)
  }

  override var acceptedRanks: (ranks: [Int], text: String) { ([2, 3], "2D or 3D") }
}

/// `nn.BatchNorm2d` for `[N, C, H, W]` inputs: one mean and variance per channel over the
/// batch and the image.
public final class BatchNorm2d: BatchNormBase {
  public init(
    _ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
    trackRunningStats: Bool = true, bias: Bool = true, dtype: DType = .float32
  ) {
    super.init(
      numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
      trackRunningStats: trackRunningStats, bias: bias, dtype: dtype)
  }

  override var acceptedRanks: (ranks: [Int], text: String) { ([4], "4D") }
}
