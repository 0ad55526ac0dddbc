import Descent

/// What one epoch gave: its loss and, for classification, its accuracy.
struct EpochRecord: Sendable {
  /// The loss of the epoch's forward pass in full batch; the size-weighted mean of its batch
  /// losses with mini-batches.
  var loss: Double
  /// The share of samples classified right by the same forward passes, before their updates.
  var accuracy: Double?
}

/// PyTorch's training loop: forward, loss, `zeroGrad`, `backward`, `step`, per batch.
///
/// With the global generator seeded before the model was made, the batches are those of
/// `DataLoader(TensorDataset(x, y), batch_size=b, shuffle=True)` in PyTorch.
struct TrainingLoop {
  let model: Sequential
  let loss: LossChoice
  let optimizer: Optimizer
  let learningRate: Double
  /// `[N, F]` float32 model inputs.
  let inputs: Tensor
  /// The target as the loss takes it.
  let target: Tensor
  /// Rows per batch; nil or at least N means full batch, in file order.
  let batchSize: Int?

  /// Trains for `epochs` epochs, calling `onEpoch` after each.
  ///
  /// - Throws: `DivergenceError` at the first epoch whose loss is not finite; ``CLIError`` at
  ///   the first whose output is not (classification checks it, since BCELoss stops on NaN)
  ///   or when the last step left a parameter that is not.
  func run(epochs: Int, onEpoch: (Int, EpochRecord) -> Void) throws -> [EpochRecord] {
    let rows = inputs.shape[0]
    var history: [EpochRecord] = []
    history.reserveCapacity(Swift.min(epochs, 1 << 16))  // not what a typo may claim
    model.train()
    let fullBatch = batchSize.map { $0 >= rows } ?? true
    let loader = DataLoader(
      TensorDataset(inputs, target), batchSize: fullBatch ? rows : batchSize!, shuffle: true)
    for epoch in 1...epochs {
      var record: EpochRecord
      if fullBatch {
        let (value, correct) = try step(inputs, target, epoch: epoch)
        record = EpochRecord(loss: value, accuracy: correct.map { Double($0) / Double(rows) })
      } else {
        var total = 0.0
        var correctTotal = 0
        for batch in loader {
          let (value, correct) = try step(batch[0], batch[1], epoch: epoch)
          total += value * Double(batch[0].shape[0])
          correctTotal += correct ?? 0
        }
        record = EpochRecord(
          loss: total / Double(rows),
          accuracy: loss.isClassification ? Double(correctTotal) / Double(rows) : nil)
      }
      history.append(record)
      onEpoch(epoch, record)
    }
    try checkParameters(epochs)
    return history
  }

  /// One update on one batch: its mean loss and, for classification, how many it got right.
  private func step(_ x: Tensor, _ y: Tensor, epoch: Int) throws -> (Double, Int?) {
    let output = model(x)
    var correct: Int?
    if loss.isClassification {
      let scores = output.toFloats()
      // BCELoss stops on an input outside [0, 1], and NaN is one: catch it as divergence.
      if scores.contains(where: { !$0.isFinite }) {
        throw CLIError(
          "training diverged: the model's output stopped being a number at epoch \(epoch) (learning rate \(learningRate)). The learning rate is the usual cause: try one ten times smaller."
        )
      }
      correct = countCorrect(scores, y)
    }
    let value = loss(output, y)
    try ensureFinite(value, epoch: epoch, learningRate: learningRate)
    optimizer.zeroGrad()
    value.backward()
    optimizer.step()
    return (value.item(), correct)
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
