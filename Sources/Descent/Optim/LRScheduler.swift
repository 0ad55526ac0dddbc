/// The base of learning-rate schedulers, like `torch.optim.lr_scheduler.LRScheduler`: each
/// `step()` advances `lastEpoch` and sets every group's `lr`.
///
/// ```swift
/// let scheduler = StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<100 {
///   train(epoch)          // optimizer.step() for every batch
///   scheduler.step()
/// }
/// ```
///
/// Creating a scheduler records each group's `initialLr` (when not already set) and takes the
/// first step, to epoch 0, as PyTorch does. Most schedulers compute the next rate from the
/// group's current one (PyTorch's recursive form), so a rate changed by hand carries over.
open class LRScheduler {
  /// The optimizer whose groups' `lr` this scheduler sets.
  public let optimizer: Optimizer
  /// Each group's `initialLr` when the scheduler was made (`base_lrs`).
  public internal(set) var baseLrs: [Double]
  /// The index of the last epoch: 0 after creation, one more after each `step()`.
  public internal(set) var lastEpoch = -1
  /// How many times `step()` ran, the one at creation included (`_step_count`).
  public internal(set) var stepCount = 0
  /// True during the step taken at creation (`_is_initial`).
  public internal(set) var isInitial = false
  private var lastLrs: [Double] = []

  /// Records the groups' initial rates and takes the first step.
  public init(_ optimizer: Optimizer) {
    self.optimizer = optimizer
    for index in optimizer.paramGroups.indices where optimizer.paramGroups[index].initialLr == nil {
      optimizer.paramGroups[index].initialLr = optimizer.paramGroups[index].lr
    }
    baseLrs = optimizer.paramGroups.map { $0.initialLr ?? 0 }
    isInitial = true
    step()
    isInitial = false
  }

  /// The rates for epoch `lastEpoch` (already advanced), one per group (PyTorch's `get_lr`).
  /// Subclasses implement it.
  open func computeLrs() -> [Double] {
    fatalError(
      "\(type(of: self)): LRScheduler.computeLrs() is not implemented; override it in the subclass")
  }

  /// Each group's current rate.
  public var currentLrs: [Double] {
    optimizer.paramGroups.map { group in
      guard let lr = group.lr else { opFailure("\(type(of: self))", "a param group has no lr") }
      return lr
    }
  }

  /// Advances one epoch and sets every group's `lr`. Call it after `optimizer.step()`.
  public func step() {
    stepCount += 1
    lastEpoch += 1
    let values = computeLrs()
    guard values.count == optimizer.paramGroups.count else {
      opFailure(
        "\(type(of: self))",
        "computed \(values.count) learning rates for \(optimizer.paramGroups.count) param groups; was a group added after the scheduler was made?"
      )
    }
    for (index, lr) in values.enumerated() { optimizer.paramGroups[index].lr = lr }
    lastLrs = currentLrs
  }

  /// The rates the last `step()` set, one per group (`get_last_lr()`).
  public func getLastLr() -> [Double] { lastLrs }

  /// The progress counters (`state_dict()`); the hyper-parameters are the initialiser's.
  public func stateDict() -> SchedulerStateDict {
    SchedulerStateDict(
      lastEpoch: lastEpoch, stepCount: stepCount, baseLrs: baseLrs, lastLr: lastLrs)
  }

  /// Restores the counters saved by `stateDict()` (`load_state_dict`). Does not change the
  /// optimizer's rates: they come back with the optimizer's own state dict. Throws, changing
  /// nothing, when the dict is for another number of param groups.
  public func loadStateDict(_ dict: SchedulerStateDict) throws {
    let groups = optimizer.paramGroups.count
    guard dict.baseLrs.count == groups, dict.lastLr.count == groups else {
      throw OptimizerStateError.groupCount(expected: groups, found: dict.baseLrs.count)
    }
    lastEpoch = dict.lastEpoch
    stepCount = dict.stepCount
    baseLrs = dict.baseLrs
    lastLrs = dict.lastLr
  }
}

/// A scheduler's saved progress, with PyTorch's meaning: `last_epoch`, `_step_count`,
/// `base_lrs`, `_last_lr`, and for `ReduceLROnPlateau` its counters in `values` (`best`,
/// `num_bad_epochs`, `cooldown_counter`).
public struct SchedulerStateDict: Equatable, Sendable {
  /// `last_epoch`.
  public var lastEpoch: Int
  /// `_step_count`.
  public var stepCount: Int
  /// `base_lrs` (empty for `ReduceLROnPlateau`).
  public var baseLrs: [Double]
  /// `_last_lr`: the rates after the last step.
  public var lastLr: [Double]
  /// Other counters by PyTorch's names.
  public var values: [String: Double]

  /// A state dict from its parts.
  public init(
    lastEpoch: Int, stepCount: Int, baseLrs: [Double], lastLr: [Double],
    values: [String: Double] = [:]
  ) {
    self.lastEpoch = lastEpoch
    self.stepCount = stepCount
    self.baseLrs = baseLrs
    self.lastLr = lastLr
    self.values = values
  }
}
