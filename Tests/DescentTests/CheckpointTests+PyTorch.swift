import Foundation
import Testing

@testable import Descent

/// Checkpoints of every optimizer with two parameter groups and ReduceLROnPlateau: a run saved
/// after 6 of 12 steps and resumed in fresh objects follows PyTorch's uninterrupted run (the
/// `checkpoints` cases of Tests/Fixtures/training.json), and Descent's own, bit for bit.
extension CheckpointTests {
  static let pytorchCases = TrainingFixtureFile.file?.checkpoints ?? []

  /// The W [3, 2] and b [2] of optim.json's problem as a module, so that a checkpoint holds them.
  final class AffineProblem: Module {
    let W: Tensor
    let b: Tensor
    init(_ parameters: [Tensor]) {
      W = parameters[0]
      b = parameters[1]
      super.init()
    }
  }

  /// The case's optimizer (one group per parameter) and plateau scheduler on the problem.
  final class PlateauRun {
    let model: AffineProblem
    let optimizer: Optimizer
    let plateau: ReduceLROnPlateau
    let x: Tensor
    let y: Tensor
    let metrics: [Double]

    /// `zeroed` starts from zeros and other hyper-parameters' state: a resumed run must take
    /// everything from the checkpoint.
    init(_ c: CheckpointCase, _ problem: OptimProblem, zeroed: Bool = false) {
      let parameters = fixtureParameters(problem, dtype: .float64)
      if zeroed { noGrad { for p in parameters { p.zero_() } } }
      model = AffineProblem(parameters)
      let groups = zip(model.parameters(), c.groups).map { fixtureGroup([$0], $1) }
      optimizer = makeOptimizer(c.optimizer, groups, c.kwargs)
      let scheduler = makeScheduler(
        SchedulerCase(
          name: c.name, scheduler: "ReduceLROnPlateau", kwargs: c.plateau, metrics: nil, lrs: []),
        optimizer)
      guard case .plateau(let plateau) = scheduler else { fatalError("not ReduceLROnPlateau") }
      self.plateau = plateau
      x = fixtureTensor(problem.X, shape: [5, 3], dtype: .float64)
      y = fixtureTensor(problem.Y, shape: [5, 2], dtype: .float64)
      metrics = c.metrics
    }

    /// Step `index` (from 0): the loss of make_optim_fixtures.py, a step, the scheduler.
    func step(_ index: Int) {
      optimizer.zeroGrad()
      let (w, b) = (model.W, model.b)
      (((x.matmul(w) + b - y) ** 2).mean() + 0.05 * (w ** 4).sum()).backward()
      optimizer.step()
      plateau.step(metrics[index])
    }

    var parameters: [[Double]] { model.parameters().map { $0.toDoubles() } }
    var lrs: [Double] { optimizer.paramGroups.map { $0.lr! } }
  }

  /// Where step `index` of `run` differs from PyTorch's.
  static func mismatches(_ run: PlateauRun, _ c: CheckpointCase, step index: Int) -> [String] {
    var problems: [String] = []
    for (k, (p, expected)) in zip(run.parameters, c.steps[index].params).enumerated() {
      problems += optimMismatches(p, expected, dtype: .float64, "step \(index + 1), parameter \(k)")
    }
    if run.lrs != c.steps[index].lrs {
      problems.append("step \(index + 1): rates \(run.lrs), PyTorch \(c.steps[index].lrs)")
    }
    return problems
  }

  @Test(arguments: pytorchCases)
  func resumedRunFollowsPyTorch(_ c: CheckpointCase) throws {
    let problem = try OptimFixtureFile.loaded.get().problem
    // The plateau lowers a rate before and after the checkpoint.
    #expect(c.steps[5].lrs != c.steps[0].lrs && c.steps[11].lrs != c.steps[5].lrs)

    let uninterrupted = PlateauRun(c, problem)
    var trajectory: [[[Double]]] = []
    for index in 0..<12 {
      uninterrupted.step(index)
      trajectory.append(uninterrupted.parameters)
      let problems = Self.mismatches(uninterrupted, c, step: index)
      #expect(problems.isEmpty, "uninterrupted: \(problems.prefix(4))")
    }

    let first = PlateauRun(c, problem)
    for index in 0..<6 { first.step(index) }
    let url = Self.temporaryURL("pytorch-\(c.name)")
    defer { try? FileManager.default.removeItem(at: url) }
    try Checkpoint.save(
      to: url, model: first.model, optimizer: first.optimizer, scheduler: first.plateau, epoch: 6)

    let resumed = PlateauRun(c, problem, zeroed: true)
    let checkpoint = try Checkpoint.load(
      from: url, model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.plateau)
    #expect(checkpoint.epoch == 6)
    #expect(resumed.lrs == c.steps[5].lrs && resumed.parameters == trajectory[5])
    for index in checkpoint.epoch..<12 {
      resumed.step(index)
      let problems = Self.mismatches(resumed, c, step: index)
      #expect(problems.isEmpty, "resumed: \(problems.prefix(4))")
      #expect(resumed.parameters == trajectory[index], "step \(index + 1): not bit-identical")
    }
  }
}
