import Descent
import DescentPlot

/// R12: sequence models. A character-level LSTM language model learns the opening of "Alice's
/// Adventures in Wonderland" (the loss falls, then it writes a sample from a fixed seed), and a
/// one-head Transformer encoder layer learns to reverse a sequence of tokens, its attention
/// drawn as a heat map: query i looks at key L−1−i.
public enum R12SequenceModels: Experiment {
  public static let name = "r12"
  public static let summary =
    "a character-level LSTM language model, and the attention of a Transformer reversing sequences"

  public static func run(_ context: ExperimentContext) throws {
    try languageModel(context)
    try reversal(context)
  }

  /// Embedding(V, 16) → LSTM(16, 64) → Linear(64, V) on windows of 40 characters; Adam 0.01.
  static func languageModel(_ context: ExperimentContext) throws {
    manualSeed(0)
    let characters = Array(Set(aliceOpening)).sorted()
    let code = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, Int64($0)) })
    let text = Tensor(shape: [aliceOpening.count], scalars: aliceOpening.map { code[$0]! })
    let vocabulary = characters.count
    let embed = Embedding(vocabulary, 16)
    let lstm = LSTM(16, 64, batchFirst: true)
    let head = Linear(64, vocabulary)
    let optimizer = Adam(embed.parameters() + lstm.parameters() + head.parameters(), lr: 0.01)
    let criterion = CrossEntropyLoss()
    let (steps, batch, length) = (200, 16, 40)
    let windows = Generator(seed: 1)
    context.say(
      "character-level LSTM: \(aliceOpening.count) characters, \(vocabulary) distinct, windows of \(length), batch \(batch)"
    )
    var losses: [Double] = []
    for step in 1...steps {
      let starts = Tensor.randint(0, aliceOpening.count - length, [batch], generator: windows)
      let rows = Tensor.stack(
        starts.toArray(as: Int64.self).map { text[Int($0)..<Int($0) + length + 1] })
      let (output, _) = lstm(embed(rows.slice(1, start: 0, end: length)))
      let loss = criterion(
        head(output).reshaped(-1, vocabulary), rows.slice(1, start: 1).reshaped(-1))
      optimizer.zeroGrad()
      loss.backward()
      optimizer.step()
      losses.append(loss.item())
      if step == 1 || step % 50 == 0 {
        context.say("step \(padded(step, 3)): loss \(fixed(loss.item(), 4))")
      }
    }
    try context.figure(
      "learning-curve",
      LineChart(
        series: [Series("training loss", xs: (1...steps).map(Double.init), ys: losses)],
        title: "character-level LSTM on Alice", xLabel: "step", yLabel: "cross-entropy"))

    // Sampling with a fixed seed: temperature 0.7, one character at a time, carrying the state.
    let sampler = Generator(seed: 0)
    let prompt = "Alice "
    var sample = prompt
    noGrad {
      var input = Tensor(shape: [1, prompt.count], scalars: prompt.map { code[$0]! })
      var state: (Tensor, Tensor)? = nil
      for _ in 0..<160 {
        let (output, next): (Tensor, (Tensor, Tensor)) =
          state.map { lstm(embed(input), $0) } ?? lstm(embed(input))
        state = next
        let logits = head(output.select(1, output.shape[1] - 1))
        let probabilities = (logits / 0.7).softmax(dim: -1).toDoubles()
        let u = Tensor.rand([1], dtype: .float64, generator: sampler).item()
        var total = 0.0
        let chosen =
          probabilities.indices.first {
            total += probabilities[$0]; return u < total
          }
          ?? vocabulary - 1
        sample.append(characters[chosen])
        input = Tensor(shape: [1, 1], scalars: [Int64(chosen)])
      }
    }
    context.say("sample (seed 0, temperature 0.7): \(sample)")
  }

  /// Tokens 0…7 in sequences of 6; the target is the sequence reversed. Token and position
  /// embeddings, one TransformerEncoderLayer with one head, a linear read-out; Adam 0.005.
  static func reversal(_ context: ExperimentContext) throws {
    manualSeed(0)
    let (tokens, length, width) = (8, 6, 32)
    let tokenEmbedding = Embedding(tokens, width)
    let positionEmbedding = Embedding(length, width)
    let layer = TransformerEncoderLayer(
      dModel: width, nhead: 1, dimFeedforward: 64, dropout: 0, batchFirst: true)
    let readout = Linear(width, tokens)
    let optimizer = Adam(
      tokenEmbedding.parameters() + positionEmbedding.parameters() + layer.parameters()
        + readout.parameters(), lr: 0.005)
    let criterion = CrossEntropyLoss()
    let positions = Tensor(shape: [length], scalars: (0..<length).map { Int64($0) })
    func encode(_ x: Tensor) -> Tensor { tokenEmbedding(x) + positionEmbedding(positions) }
    let data = Generator(seed: 2)
    for step in 1...300 {
      let x = Tensor.randint(0, tokens, [64, length], generator: data)
      let logits = readout(layer(encode(x)))
      let loss = criterion(logits.reshaped(-1, tokens), x.flip(1).reshaped(-1))
      optimizer.zeroGrad()
      loss.backward()
      optimizer.step()
      if step % 100 == 0 {
        context.say("reversal step \(padded(step, 3)): loss \(fixed(loss.item(), 4))")
      }
    }
    let test = Tensor.randint(0, tokens, [256, length], generator: data)
    let (accuracy, weights) = noGrad { () -> (Double, Tensor) in
      let predicted = readout(layer(encode(test))).argmax(dim: -1)
      let correct = predicted.eq(test.flip(1)).to(.float64).mean().item()
      let h = encode(test[0..<1])
      let (_, weights) = layer.selfAttn(h, h, h)
      return (correct, weights!.squeeze(0))
    }
    context.say("reversal accuracy on 256 new sequences: \(fixed(accuracy, 3))")
    let example = test[0].toArray(as: Int64.self).map { String($0) }
    let rows = (0..<length).map { i in (0..<length).map { weights[i, $0].item() } }
    try context.figure(
      "attention",
      ValueHeatMap(
        values: rows, rowLabels: example.indices.map { "\($0): \(example[length - 1 - $0])" },
        columnLabels: example.indices.map { "\($0): \(example[$0])" },
        title: "attention of a Transformer reversing \(example.joined(separator: " "))",
        xLabel: "key position: token", yLabel: "query position: target token"))
  }
}
