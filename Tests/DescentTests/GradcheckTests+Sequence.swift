import Testing

@testable import Descent

// Finite-difference checks, in float64, of the sequence ops: the embedding lookup, one
// recurrent layer of each kind in both directions (every input and weight), the fused
// attention probabilities (queries, keys and an additive mask), scaledDotProductAttention,
// MultiheadAttention, the fused layer norm, a Transformer encoder layer and padSequence; and the
// same while a graph of the gradient is recorded (gradients of gradients).

@Suite struct GradcheckSequenceTests {
  @Test func embeddingWeight() {
    let indices = Tensor(shape: [2, 3], scalars: [Int64(1), 3, 1, 0, 2, 3])
    let weight = normal([4, 3], seed: 300)
    expectGradcheck([weight]) { embedding(indices, $0[0]) }
    // PyTorch's padding row gets no gradient although the forward reads it, so finite
    // differences do not apply: the gradient is the one without padding, that row zeroed.
    let plain = weight.detach().requiresGrad_()
    (embedding(indices, plain) * normal([2, 3, 3], seed: 301)).sum().backward()
    let padded = weight.detach().requiresGrad_()
    (embedding(indices, padded, paddingIdx: 1) * normal([2, 3, 3], seed: 301)).sum().backward()
    var expected = plain.grad!.toDoubles()
    for j in 3..<6 { expected[j] = 0 }
    #expect(padded.grad!.toDoubles() == expected)
  }

  static let modes: [RecurrentMode] = [.rnnTanh, .rnnRelu, .lstm, .gru]

  @Test(arguments: modes, [false, true])
  func recurrentLayerEveryInput(_ mode: RecurrentMode, _ reverse: Bool) {
    let (steps, batch, inputSize, hidden) = (3, 2, 3, 2)
    let gates = mode.gateCount * hidden
    let seed: UInt64 = reverse ? 320 : 310
    var inputs = [
      normal([steps, batch, inputSize], seed: seed), normal([batch, hidden], seed: seed + 1),
      normal([gates, inputSize], seed: seed + 2) * 0.5,
      normal([gates, hidden], seed: seed + 3) * 0.5,
      normal([gates], seed: seed + 4), normal([gates], seed: seed + 5),
    ]
    if mode == .lstm { inputs.append(normal([batch, hidden], seed: seed + 6)) }
    // Every output of the node: the sequence, the last state and (LSTM) the last cell state.
    let run: ([Tensor]) -> Tensor = { t in
      let result = recurrentLayer(
        mode, input: t[0], h0: t[1], c0: mode == .lstm ? t[6] : nil, wIH: t[2], wHH: t[3],
        bIH: t[4], bHH: t[5], reverse: reverse)
      let last = [result.lastState] + (result.lastCell.map { [$0] } ?? [])
      return Tensor.cat([result.output.reshaped([-1])] + last.map { $0.reshaped([-1]) })
    }
    expectGradcheck(inputs, run)
    // Gradients of gradients take the differentiable formulas.
    let second = gradgradcheck(run, inputs: inputs)
    #expect(second.passed, Comment(rawValue: second.description))
  }

  @Test func recurrentModulesInFloat64() {
    let lstm = LSTM(2, 3, numLayers: 2, batchFirst: true, bidirectional: true, dtype: .float64)
    expectGradcheck([
      normal([2, 3, 2], seed: 330), normal([4, 2, 3], seed: 331),
      normal([4, 2, 3], seed: 332),
    ]) { t in
      let (output, (h, c)) = lstm(t[0], (t[1], t[2]))
      return Tensor.cat([output.reshaped([-1]), h.reshaped([-1]), c.reshaped([-1])])
    }
    let gru = GRU(2, 3, dtype: .float64)
    expectGradcheck([normal([4, 2], seed: 333), normal([1, 3], seed: 334)]) { t in
      let (output, h) = gru(t[0], t[1])
      return Tensor.cat([output.reshaped([-1]), h.reshaped([-1])])
    }
    let cell = LSTMCell(2, 3, dtype: .float64)
    expectGradcheck([
      normal([2, 2], seed: 335), normal([2, 3], seed: 336),
      normal([2, 3], seed: 337),
    ]) { t in
      let (h, c) = cell(t[0], (t[1], t[2]))
      return Tensor.cat([h.reshaped([-1]), c.reshaped([-1])])
    }
  }

  @Test func attentionProbabilities() {
    let q = normal([2, 3, 4], seed: 340)
    let k = normal([2, 5, 4], seed: 341)
    let additive = normal([3, 5], seed: 342)
    let keep = Tensor(shape: [1, 5], scalars: [true, false, true, true, false])
    expectGradcheck([q, k, additive]) { t in
      Descent.attentionProbabilities(
        t[0], t[1], batch: [2],
        masks: [
          AttentionMask(tensor: t[2], kind: .additive),
          AttentionMask(tensor: keep, kind: .keepWhereTrue),
        ], causal: false, scale: 0.7)
    }
    expectGradcheck([normal([1, 4, 3], seed: 343), normal([1, 4, 3], seed: 344)]) { t in
      Descent.attentionProbabilities(
        t[0], t[1], batch: [1], masks: [], causal: true, scale: 0.5)
    }
    let second = gradgradcheck(
      { t in
        Descent.attentionProbabilities(t[0], t[1], batch: [2], masks: [], causal: true, scale: 1)
      }, inputs: [normal([2, 3, 2], seed: 345), normal([2, 3, 2], seed: 346)])
    #expect(second.passed, Comment(rawValue: second.description))
  }

  @Test func scaledDotProductAttentionEveryOperand() {
    let mask = normal([4, 6], seed: 350)
    expectGradcheck([
      normal([2, 4, 3], seed: 351), normal([2, 6, 3], seed: 352), normal([2, 6, 2], seed: 353),
    ]) { t in
      scaledDotProductAttention(t[0], t[1], t[2], attnMask: mask, isCausal: true)
    }
    // A float mask that is an input gets its gradient.
    expectGradcheck([
      normal([1, 3, 2], seed: 354), normal([1, 3, 2], seed: 355), normal([1, 3, 2], seed: 356),
      normal([3, 3], seed: 357),
    ]) { t in scaledDotProductAttention(t[0], t[1], t[2], attnMask: t[3], scale: 0.4) }
  }

  @Test func multiheadAttentionQueryKeyValue() {
    let mha = withDefaultGenerator(Generator(seed: 358)) {
      MultiheadAttention(4, 2, batchFirst: true, dtype: .float64)
    }
    let padding = Tensor(shape: [2, 3], scalars: [false, false, true, false, false, false])
    expectGradcheck([
      normal([2, 2, 4], seed: 359), normal([2, 3, 4], seed: 360), normal([2, 3, 4], seed: 361),
    ]) { t in
      let (output, weights) = mha(t[0], t[1], t[2], keyPaddingMask: padding)
      return Tensor.cat([output.reshaped([-1]), weights!.reshaped([-1])])
    }
  }

  @Test func fusedLayerNormEveryInput() {
    expectGradcheck([
      normal([3, 4], seed: 370), normal([4], seed: 371), normal([4], seed: 372),
    ]) { t in fusedLayerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5) }
    let second = gradgradcheck(
      { t in fusedLayerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5) },
      inputs: [normal([2, 3], seed: 373), normal([3], seed: 374), normal([3], seed: 375)])
    #expect(second.passed, Comment(rawValue: second.description))
  }

  @Test func transformerEncoderLayerInput() {
    let layer = withDefaultGenerator(Generator(seed: 376)) {
      TransformerEncoderLayer(
        dModel: 4, nhead: 2, dimFeedforward: 6, dropout: 0, activation: .gelu, dtype: .float64)
    }
    expectGradcheck([normal([3, 2, 4], seed: 377)]) { t in
      layer(t[0], srcMask: generateSquareSubsequentMask(3, dtype: .float64))
    }
  }

  @Test func padSequenceEverySequence() {
    expectGradcheck([normal([3, 2], seed: 380), normal([1, 2], seed: 381)]) { t in
      padSequence(t, batchFirst: true, paddingValue: -1)
    }
  }
}
