import Descent

/// What one epoch gave: its loss and, for classification, its accuracy.
struct EpochRecord: Sendable {
  /// The loss of the epoch's forward pass in full batch; the size-weighted mean of its batch
  /// losses with mini-batches.
  var loss: Double
  /// The share of samples classified right by the same forward passes, before their updates.
  var accuracy: Double?
  /// The scores on the held-out rows after the epoch's updates.
  var validation: ValidationScores? = nil
  /// The learning rate of the epoch's steps, recorded when a scheduler changes it.
  var learningRate: Double? = nil
}

/// What happens at the end of each epoch besides the updates: scoring the held-out rows,
/// stepping the scheduler, and early stopping.
struct EpochEnd {
  let modelFile: ModelFile
  let validation: TrainingData?
  let scheduler: (any CheckpointableScheduler)?
  let earlyStopping: EarlyStopping?
}

/// PyTorch's training loop: forward, loss, `zeroGrad`, `backward`, `step`, per batch.
///
/// With the global generator seeded before the model was made, the batches are those of
/// `DataLoader(TensorDataset(x, y), batch_size=b, shuffle=True)` in PyTorch. In an MPI job each
/// rank trains on its share (a `DistributedSampler` seeded with the run's seed, PyTorch's
/// split) through `DistributedDataParallel`, and the ranks add up their losses and counts, so
/// that every rank sees the same epoch losses and stops at the same divergence.
struct TrainingLoop {
  let model: Sequential
  /// What the forward pass goes through: the model, or in an MPI job DDP wrapping it.
  let network: Module
  let world: TrainingWorld
  let loss: LossChoice
  let optimizer: Optimizer
  let learningRate: Double
  /// `[N, F]` float32 model inputs.
  let inputs: Tensor
  /// The target as the loss takes it.
  let target: Tensor
  /// Rows per batch (per rank in an MPI job); nil or at least the rows means full batch, in
  /// file order.
  let batchSize: Int?
  /// The seed of the sampler's shuffle in an MPI job.
  let seed: Int
  /// Validation, scheduler and early stopping.
  let end: EpochEnd

  /// Trains from epoch `history.count + 1` to `epochs`, calling `onEpoch` after each with the
  /// history so far. Early stopping ends sooner and leaves the model with its best weights.
  ///
  /// - Throws: `DivergenceError` at the first epoch whose loss is not finite; ``CLIError`` at
  ///   the first whose output is not (classification checks it, since BCELoss stops on NaN)
  ///   or when the last step left a parameter that is not; what `onEpoch` throws.
  func run(
    epochs: Int, after history: [EpochRecord] = [],
    onEpoch: (Int, EpochRecord, [EpochRecord]) throws -> Void
  ) throws -> [EpochRecord] {
    var history = history
    history.reserveCapacity(Swift.min(epochs, 1 << 16))  // not what a typo may claim
    model.train()
    let first = history.count + 1
    guard first <= epochs else { return history }
    let epoch: (Int) throws -> EpochRecord =
      world.group == nil ? singleProcessEpochs() : distributedEpochs()
    var last = epochs
    for number in first...epochs {
      let rate = optimizer.paramGroups.first?.lr
      var record = try epoch(number)
      if end.scheduler != nil { record.learningRate = rate }
      var stop = false
      if let validation = end.validation {
        let scores = Evaluation.measure(model, end.modelFile, on: validation).scores
        record.validation = scores
        if let earlyStopping = end.earlyStopping {
          stop = earlyStopping.update(epoch: number, loss: scores.loss, model: model)
        }
      }
      stepScheduler(end.scheduler, metric: record.validation?.loss ?? record.loss)
      history.append(record)
      try onEpoch(number, record, history)
      if stop {
        last = number
        break
      }
    }
    try checkParameters(last)
    if let best = end.earlyStopping?.bestWeights { try model.loadStateDict(best) }
    return history
  }

  /// One process: the whole file in order, or shuffled mini-batches.
  private func singleProcessEpochs() -> (Int) throws -> EpochRecord {
    let rows = inputs.shape[0]
    let fullBatch = batchSize.map { $0 >= rows } ?? true
    let loader = DataLoader(
      TensorDataset(inputs, target), batchSize: fullBatch ? rows : batchSize!, shuffle: true)
    return { epoch in
      if fullBatch {
        let (value, correct) = try step(inputs, target, epoch: epoch)
        return EpochRecord(loss: value, accuracy: correct.map { Double($0) / Double(rows) })
      }
      var total = 0.0
      var correctTotal = 0
      for batch in loader {
        let (value, correct) = try step(batch[0], batch[1], epoch: epoch)
        total += value * Double(batch[0].shape[0])
        correctTotal += correct ?? 0
      }
      return EpochRecord(
        loss: total / Double(rows),
        accuracy: loss.isClassification ? Double(correctTotal) / Double(rows) : nil)
    }
  }

  /// An MPI job: this rank's share, whole or in shuffled mini-batches; sums over the ranks.
  private func distributedEpochs() -> (Int) throws -> EpochRecord {
    let dataset = TensorDataset(inputs, target)
    let inOrder = DistributedSampler(
      dataset, numReplicas: world.size, rank: world.rank, shuffle: false)
    let fullBatch = batchSize.map { $0 >= inOrder.count } ?? true
    let share = fullBatch ? dataset.batch(at: inOrder.indices()) : []
    let sampler = DistributedSampler(
      dataset, numReplicas: world.size, rank: world.rank, shuffle: true, seed: seed)
    let loader = DataLoader(dataset, batchSize: batchSize ?? 1, sampler: sampler)
    return { epoch in
      var sums = [0.0, 0.0, 0.0]
      if fullBatch {
        sums = try distributedStep(share[0], share[1], epoch: epoch)
      } else {
        sampler.setEpoch(epoch - 1)
        for batch in loader {
          let batchSums = try distributedStep(batch[0], batch[1], epoch: epoch)
          for index in sums.indices { sums[index] += batchSums[index] }
        }
      }
      // A full batch's loss is a float32 number, as one process reports it.
      let mean = sums[0] / sums[1]
      return EpochRecord(
        loss: fullBatch ? Double(Float(mean)) : mean,
        accuracy: loss.isClassification ? sums[2] / sums[1] : nil)
    }
  }

  /// One update on one batch: its mean loss and, for classification, how many it got right.
  private func step(_ x: Tensor, _ y: Tensor, epoch: Int) throws -> (Double, Int?) {
    let output = network(x)
    var correct: Int?
    if loss.isClassification {
      let scores = output.toFloats()
      // BCELoss stops on an input outside [0, 1], and NaN is one: catch it as divergence.
      if scores.contains(where: { !$0.isFinite }) { throw outputDiverged(epoch) }
      correct = countCorrect(scores, y)
    }
    let value = loss(output, y)
    try ensureFinite(value, epoch: epoch, learningRate: learningRate)
    optimizer.zeroGrad()
    value.backward()
    optimizer.step()
    return (value.item(), correct)
  }

  /// One update on this rank's batch, after the ranks have added up [loss × rows, rows,
  /// correct] and agreed that every loss is finite; returns those sums.
  private func distributedStep(_ x: Tensor, _ y: Tensor, epoch: Int) throws -> [Double] {
    let output = network(x)
    var outputFinite = true
    var correct = 0
    if loss.isClassification {
      let scores = output.toFloats()
      outputFinite = !scores.contains(where: { !$0.isFinite })
      if outputFinite { correct = countCorrect(scores, y) }
    }
    let value = outputFinite ? loss(output, y) : nil
    let local = value?.item() ?? .nan
    let rows = Double(x.shape[0])
    let sums = world.sum([
      local * rows, rows, Double(correct), outputFinite ? 0 : 1, local.isFinite ? 0 : 1,
    ])
    if sums[3] > 0 { throw outputDiverged(epoch) }
    if sums[4] > 0 {
      // The job's loss (NaN or infinite as one rank's is): the error names it as for one process.
      try ensureFinite(
        Tensor(sums[0] / sums[1], dtype: .float64), epoch: epoch, learningRate: learningRate)
    }
    optimizer.zeroGrad()
    value!.backward()
    optimizer.step()
    return Array(sums[0..<3])
  }

  private func outputDiverged(_ epoch: Int) -> CLIError {
    CLIError(
      "training diverged: the model's output stopped being a number at epoch \(epoch) (learning rate \(learningRate)). The learning rate is the usual cause: try one ten times smaller."
    )
  }

  /// Correct predictions among `scores` (the model's raw output, row by row).
  private func countCorrect(_ scores: [Float], _ y: Tensor) -> Int {
    let truth = y.toDoubles()
    var correct = 0
    switch loss {
    case .ce:
      let classes = scores.count / max(truth.count, 1)
      for (row, label) in truth.enumerated()
      where predictedClass(scores[(row * classes)..<((row + 1) * classes)]) == Int(label) {
        correct += 1
      }
    case .bce, .bceLogits:
      for (score, label) in zip(scores, truth)
      where predictedBinaryClass(score, loss: loss) == Int(label) {
        correct += 1
      }
    default:
      break
    }
    return correct
  }

  /// A diverging last step leaves no loss to see it by; the parameters show it.
  private func checkParameters(_ epochs: Int) throws {
    for parameter in model.parameters() where parameter.toFloats().contains(where: { !$0.isFinite })
    {
      throw CLIError(
        "training diverged: the parameters stopped being finite numbers in the last step of epoch \(epochs) (learning rate \(learningRate)). The learning rate is the usual cause: try one ten times smaller."
      )
    }
  }
}

/// The class with the highest score (the first of equal ones, as `torch.argmax` picks).
func predictedClass<C: Collection>(_ scores: C) -> Int where C.Element == Float {
  var best = 0
  var bestScore = -Float.infinity
  for (index, score) in scores.enumerated() where index == 0 || score > bestScore {
    best = index
    bestScore = score
  }
  return best
}

/// Class 1 when the probability (bce) is above 0.5 or the logit (bce-logits) above 0.
func predictedBinaryClass(_ score: Float, loss: LossChoice) -> Int {
  (loss == .bce ? score > 0.5 : score > 0) ? 1 : 0
}
