/// Feature scaling by mean and population standard deviation, like scikit-learn's
/// `StandardScaler`: fitted on training data, applied to any data, stored with a model.
public struct Standardizer: Sendable {
  /// Per-column means, `[features]`.
  public let mean: [Double]
  /// Per-column population standard deviations, with 1 for constant columns (so that they are
  /// centred and left unscaled, as scikit-learn does).
  public let scale: [Double]

  /// A standardizer with a given mean and scale per feature.
  public init(mean: [Double], scale: [Double]) {
    guard mean.count == scale.count else {
      opFailure("Standardizer", "mean has \(mean.count) entries but scale has \(scale.count)")
    }
    self.mean = mean
    self.scale = scale
  }

  /// Fits on `data` of shape `[samples, features]`.
  public init(fitting data: Tensor) {
    guard data.rank == 2, data.shape[0] > 0 else {
      opFailure(
        "Standardizer",
        "fit expects a non-empty [samples, features] tensor (got shape \(shapeText(data.shape)))")
    }
    let (rows, columns) = (data.shape[0], data.shape[1])
    let values = data.toDoubles()
    var mean = [Double](repeating: 0, count: columns)
    var scale = [Double](repeating: 0, count: columns)
    for c in 0..<columns {
      var total = 0.0
      for r in 0..<rows { total += values[r * columns + c] }
      let m = total / Double(rows)
      var squares = 0.0
      for r in 0..<rows {
        let d = values[r * columns + c] - m
        squares += d * d
      }
      let std = (squares / Double(rows)).squareRoot()
      mean[c] = m
      // A constant column (or one whose spread is lost in rounding) is left unscaled.
      scale[c] = std < 10 * Double.ulpOfOne * Swift.max(Swift.abs(m), 1) ? 1 : std
    }
    self.init(mean: mean, scale: scale)
  }

  /// `(data − mean) / scale`, in the data's dtype.
  public func transform(_ data: Tensor) -> Tensor {
    check(data, "transform")
    let type: DType = data.dtype.isFloatingPoint ? data.dtype : .float32
    let m = Tensor(mean, dtype: type)
    let s = Tensor(scale, dtype: type)
    return (data.to(type) - m) / s
  }

  /// `data · scale + mean`: back to the original units.
  public func inverseTransform(_ data: Tensor) -> Tensor {
    check(data, "inverse_transform")
    let type: DType = data.dtype.isFloatingPoint ? data.dtype : .float32
    return data.to(type) * Tensor(scale, dtype: type) + Tensor(mean, dtype: type)
  }

  private func check(_ data: Tensor, _ op: String) {
    guard data.rank >= 1, data.shape[data.rank - 1] == mean.count else {
      opFailure(
        "Standardizer.\(op)",
        "expects \(mean.count) features in the last dimension (got shape \(shapeText(data.shape)))")
    }
  }

  /// The fitted values as a state dict (`mean`, `scale`, float64), for saving with a model.
  public func stateDict() -> StateDict {
    [
      "mean": Tensor(shape: [mean.count], scalars: mean),
      "scale": Tensor(shape: [scale.count], scalars: scale),
    ]
  }

  /// Rebuilds a standardizer from `stateDict()`'s entries.
  public init(stateDict: StateDict) throws {
    guard let mean = stateDict["mean"], let scale = stateDict["scale"], mean.rank == 1,
      mean.shape == scale.shape
    else {
      throw StateDictError(
        missingKeys: ["mean", "scale"].filter { stateDict[$0] == nil }, unexpectedKeys: [],
        shapeMismatches: [])
    }
    self.init(mean: mean.toDoubles(), scale: scale.toDoubles())
  }
}
