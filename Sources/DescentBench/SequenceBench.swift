import Descent
import Foundation

// `descent-bench lstm` and `descent-bench transformer`: seq_train_torch.py's workloads. The data
// come from Descent's generator (Generator(seed: 0)), since NumPy's cannot be reproduced; the
// models, optimiser, batch order and step counts are the script's, manualSeed(0) before each
// model. One epoch is timed.

/// Embedding(1000, 64) → LSTM(64, 128, batch first) → Linear(128, 1000) predicting token t + 1
/// from tokens 0…t; 1600 sequences of 33 tokens, batch 32 in order, Adam 1e-3.
@MainActor
func runLSTMBenchmark() {
  let (sequences, length, vocabulary, batch) = (1600, 33, 1000, 32)
  let tokens = Tensor.randint(0, vocabulary, [sequences, length], generator: Generator(seed: 0))
  manualSeed(0)
  let model = Sequential([
    Embedding(vocabulary, 64), LSTM(64, 128, batchFirst: true), Linear(128, vocabulary),
  ])
  let criterion = CrossEntropyLoss()
  let optimizer = Adam(model.parameters(), lr: 1e-3)
  var lastLoss = 0.0
  let start = now()
  var i = 0
  while i < sequences {
    let rows = tokens[i..<Swift.min(i + batch, sequences)]
    let logits = model(rows.slice(1, start: 0, end: length - 1))
    let loss = criterion(
      logits.reshaped(-1, vocabulary), rows.slice(1, start: 1, end: length).reshaped(-1))
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
    lastLoss = loss.item()
    i += batch
  }
  let seconds = now() - start
  print(
    "lstm epoch_s=\(String(format: "%.3f", seconds)) last_loss=\(String(format: "%.4f", lastLoss))"
  )
  result(
    "lstm_tokens_per_s", Double(sequences * (length - 1)) / seconds, "tokens/s", format: "%.0f")
}

/// Two TransformerEncoderLayer(128, 4, dimFeedforward: 256, dropout: 0, batch first), the mean
/// over the sequence, Linear(128, 10); inputs N(0, 1) [1024, 64, 128], batch 32, Adam 1e-3.
@MainActor
func runTransformerBenchmark() {
  let (samples, length, width, batch) = (1024, 64, 128, 32)
  let generator = Generator(seed: 0)
  let x = Tensor.randn([samples, length, width], generator: generator)
  let y = Tensor.randint(0, 10, [samples], generator: generator)
  manualSeed(0)
  let layers = (0..<2).map { _ in
    TransformerEncoderLayer(
      dModel: width, nhead: 4, dimFeedforward: 256, dropout: 0, batchFirst: true)
  }
  let head = Linear(width, 10)
  let parameters = layers.flatMap { $0.parameters() } + head.parameters()
  let criterion = CrossEntropyLoss()
  let optimizer = Adam(parameters, lr: 1e-3)
  var lastLoss = 0.0
  let start = now()
  var i = 0
  while i < samples {
    let end = Swift.min(i + batch, samples)
    var hidden = x[i..<end]
    for layer in layers { hidden = layer(hidden, srcMask: nil) }
    let loss = criterion(head(hidden.mean(dim: 1)), y[i..<end])
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
    lastLoss = loss.item()
    i = end
  }
  let seconds = now() - start
  print(
    "transformer epoch_s=\(String(format: "%.3f", seconds)) last_loss=\(String(format: "%.4f", lastLoss))"
  )
  result("transformer_samples_per_s", Double(samples) / seconds, "samples/s", format: "%.0f")
}
