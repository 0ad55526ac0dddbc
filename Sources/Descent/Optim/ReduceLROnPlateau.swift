/// Reduces the rate by `factor` when a metric has stopped improving for `patience` epochs
/// (`ReduceLROnPlateau`). Unlike the other schedulers, its `step` takes the metric.
///
/// ```swift
/// let scheduler = ReduceLROnPlateau(optimizer, patience: 5)
/// for epoch in 0..<100 {
///   train(epoch)
///   scheduler.step(validationLoss())
/// }
/// ```
public final class ReduceLROnPlateau {
  /// Whether a lower (`min`, e.g. a loss) or a higher (`max`, e.g. accuracy) metric is better.
  public enum Mode: Sendable {
    /// A lower metric is better (a loss).
    case min
    /// A higher metric is better (an accuracy).
    case max
  }
  /// Whether `threshold` is relative to the best value (`rel`) or an absolute margin (`abs`).
  public enum ThresholdMode: Sendable {
    /// An improvement must beat the best value by the fraction `threshold` of it.
    case rel
    /// An improvement must beat the best value by `threshold` itself.
    case abs
  }

  /// The optimizer whose groups' `lr` this scheduler sets.
  public let optimizer: Optimizer
  /// Whether lower or higher metrics are better.
  public let mode: Mode
  /// The factor each reduction multiplies the rates by (below 1).
  public let factor: Double
  /// Epochs without improvement tolerated before a reduction.
  public let patience: Int
  /// How much better than the best a metric must be to count as an improvement.
  public let threshold: Double
  /// Whether `threshold` is relative or absolute.
  public let thresholdMode: ThresholdMode
  /// Epochs after a reduction during which bad epochs are not counted.
  public let cooldown: Int
  /// Reductions smaller than this are skipped.
  public let eps: Double
  /// The lowest rate of each group.
  public var minLrs: [Double]
  /// The number of `step` calls so far.
  public private(set) var lastEpoch = 0
  /// The best metric so far (±infinity before the first).
  public private(set) var best: Double
  /// Epochs since the metric last improved (reset by a reduction and during cooldown).
  public private(set) var numBadEpochs = 0
  /// Epochs left in which bad epochs are not counted after a reduction.
  public private(set) var cooldownCounter = 0
  private var lastLrs: [Double]

  /// Watches a metric and reduces `optimizer`'s rates, never below `minLr`.
  public init(
    _ optimizer: Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
    threshold: Double = 1e-4, thresholdMode: ThresholdMode = .rel, cooldown: Int = 0,
    minLr: Double = 0, eps: Double = 1e-8
  ) {
    if !(factor < 1) { opFailure("ReduceLROnPlateau", "Factor should be < 1.0 (got \(factor)).") }
    self.optimizer = optimizer
    self.mode = mode
    self.factor = factor
    self.patience = patience
    self.threshold = threshold
    self.thresholdMode = thresholdMode
    self.cooldown = cooldown
    self.eps = eps
    self.minLrs = Array(repeating: minLr, count: optimizer.paramGroups.count)
    self.best = mode == .min ? .infinity : -.infinity
    self.lastLrs = optimizer.paramGroups.map { $0.lr ?? 0 }
  }

  /// Records this epoch's metric and reduces the rates when it has not improved for more
  /// than `patience` epochs.
  public func step(_ metric: Double) {
    lastEpoch += 1
    if isBetter(metric) {
      best = metric
      numBadEpochs = 0
    } else {
      numBadEpochs += 1
    }
    if cooldownCounter > 0 {
      cooldownCounter -= 1
      numBadEpochs = 0
    }
    if numBadEpochs > patience {
      reduceLrs()
      cooldownCounter = cooldown
      numBadEpochs = 0
    }
    lastLrs = optimizer.paramGroups.map { $0.lr ?? 0 }
  }

  /// `step` with a one-element tensor (a loss).
  public func step(_ metric: Tensor) { step(metric.item()) }

  /// The rates after the last `step` (`get_last_lr()`).
  public func getLastLr() -> [Double] { lastLrs }

  private func isBetter(_ value: Double) -> Bool {
    switch (mode, thresholdMode) {
    case (.min, .rel): return value < best * (1 - threshold)
    case (.min, .abs): return value < best - threshold
    case (.max, .rel): return value > best * (threshold + 1)
    case (.max, .abs): return value > best + threshold
    }
  }

  private func reduceLrs() {
    guard minLrs.count == optimizer.paramGroups.count else {
      opFailure(
        "ReduceLROnPlateau",
        "The number of param groups in the optimizer (\(optimizer.paramGroups.count)) differs from the number of min_lrs (\(minLrs.count)); set minLrs to one value per group."
      )
    }
    for index in optimizer.paramGroups.indices {
      let old = optimizer.paramGroups[index].lr ?? 0
      let new = Swift.max(old * factor, minLrs[index])
      // Changes smaller than eps are ignored, so that the rate settles at minLr.
      if old - new > eps { optimizer.paramGroups[index].lr = new }
    }
  }

  /// The counters (`state_dict()`): `best`, `num_bad_epochs` and `cooldown_counter` in
  /// `values`; the hyper-parameters are the initialiser's.
  public func stateDict() -> SchedulerStateDict {
    SchedulerStateDict(
      lastEpoch: lastEpoch, stepCount: lastEpoch, baseLrs: [], lastLr: lastLrs,
      values: [
        "best": best, "num_bad_epochs": Double(numBadEpochs),
        "cooldown_counter": Double(cooldownCounter),
      ])
  }

  /// Restores the counters saved by `stateDict()`; throws, changing nothing, when the dict
  /// is for another number of param groups or lacks a counter.
  public func loadStateDict(_ dict: SchedulerStateDict) throws {
    let groups = optimizer.paramGroups.count
    guard dict.lastLr.count == groups else {
      throw OptimizerStateError.groupCount(expected: groups, found: dict.lastLr.count)
    }
    guard let best = dict.values["best"], let bad = dict.values["num_bad_epochs"],
      let cooling = dict.values["cooldown_counter"]
    else {
      throw OptimizerStateError.missingState(id: 0, key: "best, num_bad_epochs, cooldown_counter")
    }
    lastEpoch = dict.lastEpoch
    lastLrs = dict.lastLr
    self.best = best
    numBadEpochs = Int(bad)
    cooldownCounter = Int(cooling)
  }
}
