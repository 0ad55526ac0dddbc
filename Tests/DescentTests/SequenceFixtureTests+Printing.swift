import Testing

@testable import Descent

// `print(model)` of the sequence layers against PyTorch's `repr` (sequence.json's `reprs`).

extension SequenceFixtureTests {
  static var printed: [(String, () -> Module)] {
    [
      ("lstm", { LSTM(10, 20) }),
      (
        "lstm_full",
        { LSTM(3, 4, numLayers: 2, batchFirst: true, dropout: 0.5, bidirectional: true) }
      ),
      ("gru_no_bias", { GRU(3, 4, bias: false) }),
      ("rnn_relu", { RNN(3, 4, nonlinearity: .relu) }),
      ("rnncell_relu", { RNNCell(3, 4, nonlinearity: .relu) }),
      ("lstmcell", { LSTMCell(3, 4) }),
      ("grucell_no_bias", { GRUCell(3, 4, bias: false) }),
      ("embedding", { Embedding(10, 3) }),
      ("embedding_padding", { Embedding(10, 3, paddingIdx: -2) }),
      ("mha", { MultiheadAttention(8, 2) }),
      ("mha_kdim", { MultiheadAttention(8, 2, bias: false, batchFirst: true, kdim: 3, vdim: 5) }),
      ("encoder_layer", { TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16) }),
      (
        "encoder",
        {
          TransformerEncoder(
            TransformerEncoderLayer(
              dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, activation: .gelu,
              normFirst: true), numLayers: 2)
        }
      ),
    ]
  }

  @Test func printsAsPyTorch() throws {
    let reprs = try Self.loaded.get().reprs
    #expect(Set(reprs.keys) == Set(Self.printed.map(\.0)))
    for (key, make) in Self.printed {
      #expect(make().description == reprs[key], "\(key)")
    }
  }
}
