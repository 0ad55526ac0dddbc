import Foundation
import Testing

@testable import Descent

/// Checkpoints: a run resumed from one is bit-identical to a run that never stopped, also when
/// the first process was killed; a bad checkpoint changes nothing.
@Suite(.serialized) struct CheckpointTests {
  /// A small deterministic training run: shuffled batches, dropout, Adam and StepLR.
  final class Run {
    let model: Sequential
    let optimizer: Adam
    let scheduler: StepLR
    let loaderGenerator = Generator(seed: 11)
    let dropoutGenerator = Generator(seed: 12)
    let loader: DataLoader<TensorDataset>

    init(seed: UInt64) {
      let init_ = Generator(seed: seed)
      model = Sequential(Linear(3, 8, generator: init_), ReLU(), Linear(8, 1, generator: init_))
      optimizer = Adam(model.parameters(), lr: 0.01)
      scheduler = StepLR(optimizer, stepSize: 2, gamma: 0.5)
      let data = Generator(seed: 99)
      let x = Tensor.randn([40, 3], generator: data)
      let y = (x * Tensor([1.5, -2, 0.5])).sum(dim: 1, keepDim: true) + 0.1
      loader = DataLoader(
        TensorDataset(x, y), batchSize: 8, shuffle: true, generator: loaderGenerator)
    }

    var generators: [String: Generator] {
      ["loader": loaderGenerator, "dropout": dropoutGenerator]
    }

    func trainEpoch() {
      for batch in loader {
        let hidden = dropout(batch[0], p: 0.1, generator: dropoutGenerator)
        let loss = mseLoss(model(hidden), batch[1])
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
      }
      scheduler.step()
    }

    func parameters() -> [[Double]] { model.parameters().map { $0.toDoubles() } }
  }

  static func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-\(getpid())-\(name).safetensors")
  }

  @Test func resumedRunIsBitIdentical() throws {
    let uninterrupted = Run(seed: 1)
    for _ in 0..<6 { uninterrupted.trainEpoch() }

    let first = Run(seed: 1)
    for _ in 0..<3 { first.trainEpoch() }
    let url = Self.temporaryURL("resume")
    defer { try? FileManager.default.removeItem(at: url) }
    try Checkpoint.save(
      to: url, model: first.model, optimizer: first.optimizer, scheduler: first.scheduler, epoch: 3,
      generators: first.generators, metadata: ["note": "halfway"])

    let second = Run(seed: 2)  // other initial weights: everything must come from the file
    let restored = try Checkpoint.load(
      from: url, model: second.model, optimizer: second.optimizer, scheduler: second.scheduler,
      generators: second.generators)
    #expect(restored.epoch == 3)
    #expect(restored.metadata == ["note": "halfway"])
    for _ in restored.epoch..<6 { second.trainEpoch() }
    #expect(second.parameters() == uninterrupted.parameters())
    #expect(second.scheduler.getLastLr() == uninterrupted.scheduler.getLastLr())
  }

  @Test func killedRunResumesBitIdentical() async throws {
    // The child trains three epochs, saves, and dies; this process resumes from its file.
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-killed-\(getpid()).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    await #expect(processExitsWith: .failure) {
      let run = CheckpointTests.Run(seed: 1)
      for _ in 0..<3 { run.trainEpoch() }
      let path = FileManager.default.temporaryDirectory.appendingPathComponent(
        "descent-killed-\(getppid()).safetensors")
      try! Checkpoint.save(
        to: path, model: run.model, optimizer: run.optimizer, scheduler: run.scheduler, epoch: 3,
        generators: run.generators)
      run.trainEpoch()  // work after the checkpoint is lost with the process
      abort()
    }
    let uninterrupted = Run(seed: 1)
    for _ in 0..<5 { uninterrupted.trainEpoch() }
    let resumed = Run(seed: 3)
    let checkpoint = try Checkpoint.load(
      from: url, model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.scheduler,
      generators: resumed.generators)
    for _ in checkpoint.epoch..<5 { resumed.trainEpoch() }
    #expect(resumed.parameters() == uninterrupted.parameters())
  }

  @Test func checkpointOfAnotherModelChangesNothing() throws {
    let run = Run(seed: 1)
    run.trainEpoch()
    let url = Self.temporaryURL("other")
    defer { try? FileManager.default.removeItem(at: url) }
    try Checkpoint.save(
      to: url, model: run.model, optimizer: run.optimizer, scheduler: run.scheduler, epoch: 1,
      generators: run.generators)

    let other = Sequential(Linear(3, 4), ReLU(), Linear(4, 1))
    let otherOptimizer = Adam(other.parameters(), lr: 0.01)
    let before = other.parameters().map { $0.toDoubles() }
    let generator = Generator(seed: 5)
    let generatorBefore = generator.state()
    do {
      try Checkpoint.load(
        from: url, model: other, optimizer: otherOptimizer, generators: ["loader": generator])
      Issue.record("a checkpoint of another model loaded")
    } catch let error as CheckpointError {
      #expect(error.description.contains("the model does not match the checkpoint"))
      #expect(error.description.contains("size mismatch for 0.weight"))
    }
    #expect(other.parameters().map { $0.toDoubles() } == before)
    #expect(generator.state() == generatorBefore)
  }

  @Test func wrongOptimizerOrMissingGeneratorChangesNothing() throws {
    let run = Run(seed: 1)
    run.trainEpoch()
    let url = Self.temporaryURL("wrong")
    defer { try? FileManager.default.removeItem(at: url) }
    try Checkpoint.save(
      to: url, model: run.model, optimizer: run.optimizer, epoch: 1,
      generators: ["loader": run.loaderGenerator])

    let target = Run(seed: 2)
    let before = target.parameters()
    let sgd = SGD(target.model.parameters(), lr: 0.1)
    #expect(throws: CheckpointError.self) {
      try Checkpoint.load(from: url, model: target.model, optimizer: sgd)
    }
    #expect(throws: CheckpointError.self) {
      try Checkpoint.load(
        from: url, model: target.model, generators: ["dropout": target.dropoutGenerator])
    }
    #expect(target.parameters() == before)
    // A plain state dict is not a checkpoint.
    let plain = Self.temporaryURL("plain")
    defer { try? FileManager.default.removeItem(at: plain) }
    try Safetensors.save(run.model.stateDict(), to: plain)
    #expect(throws: CheckpointError.self) { try Checkpoint.load(from: plain, model: target.model) }
  }

  @Test func savingOverACheckpointReplacesItWhole() throws {
    let run = Run(seed: 1)
    let url = Self.temporaryURL("replace")
    defer { try? FileManager.default.removeItem(at: url) }
    try Checkpoint.save(to: url, model: run.model, epoch: 1)
    run.trainEpoch()
    try Checkpoint.save(to: url, model: run.model, epoch: 2)
    let fresh = Run(seed: 4)
    #expect(try Checkpoint.load(from: url, model: fresh.model).epoch == 2)
    #expect(fresh.parameters() == run.parameters())
    let leftovers = try FileManager.default.contentsOfDirectory(
      atPath: url.deletingLastPathComponent().path
    )
    .filter { $0.contains("descent-\(getpid())-replace") && $0 != url.lastPathComponent }
    #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
  }
}
