import Testing

@testable import Descent

// What the fixtures do not show: Embedding.fromPretrained, the recurrent layers inside
// Sequential, PyTorch's parameter order, and a model moving to and from safetensors.

@Suite struct SequenceLayerTests {
  @Test func fromPretrainedFreezesByDefault() {
    let table = Tensor(shape: [3, 2], scalars: [1.0, 2, 3, 4, 5, 6] as [Float])
    let frozen = Embedding.fromPretrained(table)
    #expect(frozen.parameters().isEmpty)
    #expect(frozen.stateDict().keys.sorted() == ["weight"])
    let rows = frozen(Tensor([Int64(2), 0]))
    #expect(rows.shape == [2, 2])
    #expect(rows.toDoubles() == [5, 6, 1, 2])
    #expect(!rows.requiresGrad)

    let trained = Embedding.fromPretrained(table, freeze: false, paddingIdx: 0)
    #expect(trained.namedParameters().map(\.0) == ["weight"])
    trained(Tensor([Int64(0), 1, 0])).sum().backward()
    // The padding row gets no gradient; row 1 gets one per use, row 2 none.
    #expect(trained.weight.grad?.toDoubles() == [0, 0, 1, 1, 0, 0])
  }

  @Test func recurrentLayersYieldTheirOutputInSequential() {
    let model = Sequential([Embedding(7, 4), LSTM(4, 5, batchFirst: true), Linear(5, 7)])
    let logits = model(Tensor(shape: [2, 3], scalars: [Int64(0), 1, 2, 3, 4, 5]))
    #expect(logits.shape == [2, 3, 7])
    let gru = GRU(3, 2, numLayers: 2)
    let x = Tensor.randn([4, 1, 3], generator: Generator(seed: 1))
    #expect(Sequential([gru]).forward(x).toDoubles() == gru(x).0.toDoubles())
  }

  @Test func parametersInPyTorchsOrder() {
    let lstm = LSTM(3, 4, numLayers: 2, bidirectional: true)
    var expected: [String] = []
    for suffix in ["_l0", "_l0_reverse", "_l1", "_l1_reverse"] {
      expected += ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map { $0 + suffix }
    }
    #expect(lstm.namedParameters().map(\.0) == expected)
    #expect(lstm.namedParameters().first { $0.0 == "weight_ih_l1" }?.1.shape == [16, 8])
    let mha = MultiheadAttention(8, 2)
    #expect(
      mha.namedParameters().map(\.0) == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias",
      ])
  }

  @Test func safetensorsRoundTripKeepsTheNumbers() throws {
    let source = Sequential([Embedding(6, 3), GRU(3, 4, batchFirst: true, bidirectional: true)])
    let copy = withDefaultGenerator(Generator(seed: 99)) {
      Sequential([Embedding(6, 3), GRU(3, 4, batchFirst: true, bidirectional: true)])
    }
    let bytes = try Safetensors.encode(source.stateDict())
    try copy.loadStateDict(try Safetensors.decode(bytes).tensors)
    let tokens = Tensor(shape: [1, 4], scalars: [Int64(5), 0, 2, 2])
    #expect(copy(tokens).toDoubles() == source(tokens).toDoubles())
  }

  @Test func transformerLayersRunInSequential() {
    let layer = TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 8, dropout: 0)
    let encoder = TransformerEncoder(layer, numLayers: 2)
    let x = Tensor.randn([3, 2, 4], generator: Generator(seed: 2))
    #expect(Sequential([layer]).forward(x).toDoubles() == layer(x, srcMask: nil).toDoubles())
    #expect(Sequential([encoder]).forward(x).toDoubles() == encoder(x, mask: nil).toDoubles())
  }
}
