/// The fused kernels of batch normalisation over a dense `[N, C, S]` view of the input (S the
/// product of the spatial sizes), with PyTorch's CPU arithmetic: per-channel sums in Double,
/// the output as x·α + β with α = invstd·weight and β = bias − mean·α.

/// The per-channel statistics a batch normalisation used: the mean and 1/√(var + eps).
struct BatchStatistics {
  var mean: [Double]
  var invstd: [Double]
}

/// The sizes of a batch normalisation: N images of C channels of S values each.
struct BatchNormShape {
  let batch: Int
  let channels: Int
  let spatial: Int
  var perChannel: Int { batch * spatial }
}

/// Batch statistics of the input (training), with the running averages updated in place.
struct BatchNormStatistics: FloatRoutine {
  let input: Tensor
  let shape: BatchNormShape
  let eps: Double
  let runningMean: Tensor?
  let runningVar: Tensor?
  let momentum: Double

  func run<T: FloatScalar>(_: T.Type) -> BatchStatistics {
    let s = shape
    let x = input.pointer(T.self)
    var statistics = BatchStatistics(
      mean: [Double](repeating: 0, count: s.channels),
      invstd: [Double](repeating: 0, count: s.channels))
    let count = Double(s.perChannel)
    for c in 0..<s.channels {
      var sum = 0.0
      for n in 0..<s.batch {
        let row = x + (n * s.channels + c) * s.spatial
        for i in 0..<s.spatial { sum += row[i].asDouble }
      }
      let mean = sum / count
      var squares = 0.0
      for n in 0..<s.batch {
        let row = x + (n * s.channels + c) * s.spatial
        for i in 0..<s.spatial {
          let centered = row[i].asDouble - mean
          squares += centered * centered
        }
      }
      statistics.mean[c] = mean
      statistics.invstd[c] = 1 / (squares / count + eps).squareRoot()
      // PyTorch's update: momentum · batch statistic + (1 − momentum) · running value, the
      // variance unbiased.
      if let runningMean {
        let r = runningMean.pointer(T.self)
        r[c] = T(fromDouble: momentum * mean + (1 - momentum) * r[c].asDouble)
      }
      if let runningVar {
        let r = runningVar.pointer(T.self)
        let unbiased = squares / Double(Swift.max(s.perChannel - 1, 1))
        r[c] = T(fromDouble: momentum * unbiased + (1 - momentum) * r[c].asDouble)
      }
    }
    return statistics
  }
}

/// The statistics evaluation uses: the running averages.
struct RunningStatistics: FloatRoutine {
  let runningMean: Tensor
  let runningVar: Tensor
  let eps: Double

  func run<T: FloatScalar>(_: T.Type) -> BatchStatistics {
    let (mean, variance) = (runningMean.pointer(T.self), runningVar.pointer(T.self))
    let channels = runningMean.count
    return BatchStatistics(
      mean: (0..<channels).map { mean[$0].asDouble },
      invstd: (0..<channels).map { 1 / (variance[$0].asDouble + eps).squareRoot() })
  }
}

/// y = x·α + β per channel.
struct BatchNormTransform: FloatRoutine {
  let input: Tensor
  let shape: BatchNormShape
  let statistics: BatchStatistics
  let weight: Tensor?
  let bias: Tensor?
  let outShape: [Int]

  func run<T: FloatScalar>(_: T.Type) -> Tensor {
    let s = shape
    let out = Tensor(uninitializedShape: outShape, dtype: T.dtype)
    let (x, y) = (input.pointer(T.self), out.pointer(T.self))
    let (w, b) = (weight?.pointer(T.self), bias?.pointer(T.self))
    for c in 0..<s.channels {
      // In the parameters' type, as PyTorch computes α and β.
      let invstd = T(fromDouble: statistics.invstd[c])
      let alpha: T = invstd * (w?[c] ?? 1)
      let beta: T = (b?[c] ?? 0) - T(fromDouble: statistics.mean[c]) * alpha
      for n in 0..<s.batch {
        let offset = (n * s.channels + c) * s.spatial
        let (source, target) = (x + offset, y + offset)
        for i in 0..<s.spatial { target[i] = source[i] * alpha + beta }
      }
    }
    return out
  }
}

/// The three gradients of batch normalisation, as PyTorch's CPU backward computes them.
struct BatchNormBackward: FloatRoutine {
  let gradient: Tensor
  let input: Tensor
  let shape: BatchNormShape
  let statistics: BatchStatistics
  let weight: Tensor?
  /// Batch statistics (the mean and variance depend on the input) or running ones.
  let training: Bool
  let wantsInput: Bool

  func run<T: FloatScalar>(_: T.Type) -> (
    input: Tensor?, weight: [Double], bias: [Double]
  ) {
    let s = shape
    let (g, x) = (gradient.pointer(T.self), input.pointer(T.self))
    let w = weight?.pointer(T.self)
    let gradInput = wantsInput ? Tensor(uninitializedShape: input.shape, dtype: T.dtype) : nil
    let gx = gradInput?.pointer(T.self)
    var gradWeight = [Double](repeating: 0, count: s.channels)
    var gradBias = gradWeight
    let count = Double(s.perChannel)
    for c in 0..<s.channels {
      let mean = statistics.mean[c]
      let invstd = statistics.invstd[c]
      var sum = 0.0
      var dot = 0.0
      for n in 0..<s.batch {
        let offset = (n * s.channels + c) * s.spatial
        for i in 0..<s.spatial {
          let upstream = g[offset + i].asDouble
          sum += upstream
          dot += (x[offset + i].asDouble - mean) * upstream
        }
      }
      gradWeight[c] = dot * invstd
      gradBias[c] = sum
      guard let gx else { continue }
      let scale = invstd * (w?[c].asDouble ?? 1)
      if training {
        // (g − mean(g) − (x − mean)·invstd²·mean(g·(x − mean)))·invstd·w
        let k = dot * invstd * invstd / count
        let gradMean = sum / count
        for n in 0..<s.batch {
          let offset = (n * s.channels + c) * s.spatial
          for i in 0..<s.spatial {
            let centered = x[offset + i].asDouble - mean
            let value = (g[offset + i].asDouble - gradMean - centered * k) * scale
            gx[offset + i] = T(fromDouble: value)
          }
        }
      } else {
        for n in 0..<s.batch {
          let offset = (n * s.channels + c) * s.spatial
          for i in 0..<s.spatial { gx[offset + i] = T(fromDouble: g[offset + i].asDouble * scale) }
        }
      }
    }
    return (gradInput, gradWeight, gradBias)
  }
}
