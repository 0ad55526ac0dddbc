import Foundation
import Testing

@testable import Descent

/// Every scheduler case of Tests/Fixtures/optim.json: the learning rates after construction
/// and after each of 30 steps, for two groups (lr 0.1 and 0.05), must equal PyTorch's exactly,
/// since the same double arithmetic runs in the same order (the recursive forms included).
@Suite("Schedulers match PyTorch's learning-rate sequences")
struct SchedulerTests {
  static let cases = OptimFixtureFile.file?.schedulers ?? []

  @Test(arguments: cases)
  func sequenceMatchesPyTorch(_ c: SchedulerCase) {
    let optimizer = schedulerOptimizer()
    let scheduler = makeScheduler(c, optimizer)
    var actual = [scheduler.getLastLr()]
    for epoch in 0..<(c.lrs.count - 1) {
      optimizer.step()
      scheduler.step(metric: c.metrics?[epoch])
      actual.append(scheduler.getLastLr())
      #expect(
        optimizer.paramGroups.map(\.lr) == actual.last!, "\(c.name): the groups hold the rates")
    }
    for (epoch, (lrs, expected)) in zip(actual, c.lrs).enumerated() where lrs != expected {
      Issue.record("\(c.name) epoch \(epoch): \(lrs), PyTorch \(expected)")
      return
    }
  }

  @Test func schedulersRecordTheInitialLearningRate() {
    let optimizer = schedulerOptimizer()
    let scheduler = ExponentialLR(optimizer, gamma: 0.5)
    #expect(optimizer.paramGroups.map(\.initialLr) == [0.1, 0.05])
    #expect(
      scheduler.baseLrs == [0.1, 0.05] && scheduler.lastEpoch == 0 && scheduler.stepCount == 1)
    scheduler.step()
    scheduler.step()
    #expect(scheduler.lastEpoch == 2 && optimizer.paramGroups[0].lr == 0.025)
    // A second scheduler keeps the recorded initial rate as its base.
    let second = StepLR(optimizer, stepSize: 2)
    #expect(second.baseLrs == [0.1, 0.05] && second.getLastLr() == [0.025, 0.0125])
  }

  /// Saving after 10 epochs and loading into a new scheduler (and optimizer) continues the
  /// sequence exactly.
  @Test(arguments: cases)
  func stateDictRoundTripContinuesTheSequence(_ c: SchedulerCase) throws {
    let optimizer = schedulerOptimizer()
    let scheduler = makeScheduler(c, optimizer)
    for epoch in 0..<10 { scheduler.step(metric: c.metrics?[epoch]) }
    let savedOptimizer = optimizer.stateDict()
    let savedScheduler: SchedulerStateDict
    let resumedOptimizer = schedulerOptimizer()
    let resumed = makeScheduler(c, resumedOptimizer)
    switch (scheduler, resumed) {
    case (.epoch(let s), .epoch(let r)):
      savedScheduler = s.stateDict()
      try r.loadStateDict(savedScheduler)
    case (.plateau(let s), .plateau(let r)):
      savedScheduler = s.stateDict()
      try r.loadStateDict(savedScheduler)
    default:
      Issue.record("mismatched schedulers")
      return
    }
    try resumedOptimizer.loadStateDict(savedOptimizer)
    #expect(resumed.getLastLr() == scheduler.getLastLr())
    for epoch in 10..<(c.lrs.count - 1) {
      scheduler.step(metric: c.metrics?[epoch])
      resumed.step(metric: c.metrics?[epoch])
      #expect(resumed.getLastLr() == scheduler.getLastLr(), "\(c.name) epoch \(epoch + 1)")
      #expect(resumed.getLastLr() == c.lrs[epoch + 1], "\(c.name) epoch \(epoch + 1)")
    }
  }

  @Test func loadingAStateForOtherGroupsIsRefused() {
    let scheduler = StepLR(schedulerOptimizer(), stepSize: 3)
    let single = StepLR(SGD([Tensor.zeros([1], requiresGrad: true)], lr: 0.1), stepSize: 3)
    #expect(throws: OptimizerStateError.groupCount(expected: 2, found: 1)) {
      try scheduler.loadStateDict(single.stateDict())
    }
    #expect(scheduler.getLastLr() == [0.1, 0.05])
  }

  @Test func plateauFollowsATensorMetricAndCountsBadEpochs() {
    let optimizer = schedulerOptimizer()
    let scheduler = ReduceLROnPlateau(optimizer, patience: 1)
    scheduler.step(Tensor(1.0))
    scheduler.step(Tensor(1.0))
    #expect(scheduler.numBadEpochs == 1 && scheduler.best == 1)
    scheduler.step(Tensor(1.0))
    #expect(scheduler.getLastLr() == [0.1 * 0.1, 0.05 * 0.1] && scheduler.numBadEpochs == 0)
  }
}
