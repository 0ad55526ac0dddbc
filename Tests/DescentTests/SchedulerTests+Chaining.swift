import Foundation
import Testing

@testable import Descent

/// Two schedulers stepping one optimizer, PyTorch's chaining: each computes the next rate from
/// the group's current one, in the order they step (the `chained_schedulers` cases of
/// Tests/Fixtures/training.json). The same double arithmetic, so the rates are equal exactly.
extension SchedulerTests {
  static let chainedCases = TrainingFixtureFile.file?.chained_schedulers ?? []

  @Test(arguments: chainedCases)
  func chainedSchedulersMatchPyTorch(_ c: ChainedSchedulerCase) {
    let optimizer = schedulerOptimizer()
    let schedulers = c.schedulers.map { link in
      makeScheduler(
        SchedulerCase(
          name: c.name, scheduler: link.scheduler, kwargs: link.kwargs, metrics: nil, lrs: []),
        optimizer)
    }
    #expect(schedulers.count == 2)
    var groupLrs = [optimizer.paramGroups.map { $0.lr! }]
    var lastLrs = [schedulers.map { $0.getLastLr() }]
    for _ in 1..<c.group_lrs.count {
      optimizer.step()
      for scheduler in schedulers { scheduler.step(metric: nil) }
      groupLrs.append(optimizer.paramGroups.map { $0.lr! })
      lastLrs.append(schedulers.map { $0.getLastLr() })
    }
    #expect(groupLrs == c.group_lrs)
    #expect(lastLrs == c.last_lrs)
  }
}
