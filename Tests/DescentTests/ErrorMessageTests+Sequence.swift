import Testing

@testable import Descent

// Bad input to the sequence layers stops with PyTorch's message, naming the layer and the
// shapes (exit tests): an index outside the embedding, hidden states of the wrong shape or rank,
// an input of the wrong width, embed_dim not divisible by num_heads, and masks of the wrong shape
// or dtype.

@Suite struct SequenceErrorMessageTests {
  @Test func embeddingIndexOutOfRange() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Embedding(10, 3)(Tensor(shape: [2, 2], scalars: [Int64(1), 2, 10, 3]))
    }
    expectStopMessage(
      result, op: "embedding",
      ["index out of range in self", "index 10", "input [2, 2]", "weight [10, 3]"])
  }

  @Test func embeddingNeedsIntegerIndices() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Embedding(10, 3)(Tensor([1.0, 2.0]))
    }
    expectStopMessage(
      result, op: "embedding",
      ["Expected tensor for argument #1 'indices' to have one of the following scalar types"])
  }

  @Test func lstmHiddenStateOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let lstm = LSTM(4, 5)
      _ = lstm(Tensor.zeros([6, 3, 4]), (Tensor.zeros([2, 3, 5]), Tensor.zeros([1, 3, 5])))
    }
    expectStopMessage(
      result, op: "LSTM", ["Expected hidden[0] size (1, 3, 5), got [2, 3, 5]", "input [6, 3, 4]"])
  }

  @Test func gruHiddenStateOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = GRU(4, 5, numLayers: 2)(Tensor.zeros([6, 3, 4]), Tensor.zeros([2, 4, 5]))
    }
    expectStopMessage(result, op: "GRU", ["Expected hidden size (2, 3, 5), got [2, 4, 5]"])
  }

  @Test func rnnHiddenStateOfTheWrongRank() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = RNN(4, 5)(Tensor.zeros([6, 3, 4]), Tensor.zeros([3, 5]))
    }
    expectStopMessage(
      result, op: "RNN",
      ["For batched 3-D input, hx should also be 3-D but got 2-D tensor", "hx [3, 5]"])
  }

  @Test func recurrentInputOfTheWrongWidth() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let (output, _) = LSTM(4, 5)(Tensor.zeros([6, 3, 7]))
      _ = output
    }
    expectStopMessage(
      result, op: "LSTM",
      ["input.size(-1) must be equal to input_size. Expected 4, got 7", "input [6, 3, 7]"])
  }

  @Test func cellHiddenStateOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = GRUCell(4, 5)(Tensor.zeros([3, 4]), Tensor.zeros([2, 5]))
    }
    expectStopMessage(
      result, op: "GRUCell",
      ["Input batch size 3 doesn't match hidden batch size 2", "input [3, 4]", "hidden [2, 5]"])
  }

  @Test func embedDimNotDivisibleByNumHeads() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = MultiheadAttention(10, 3)
    }
    expectStopMessage(
      result, op: "MultiheadAttention",
      ["embed_dim must be divisible by num_heads", "embed_dim 10", "num_heads 3"])
  }

  @Test func attnMaskOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor.zeros([5, 2, 8])
      _ = MultiheadAttention(8, 2)(x, x, x, attnMask: Tensor.zeros([4, 5]))
    }
    expectStopMessage(
      result, op: "MultiheadAttention",
      ["The shape of the 2D attn_mask is torch.Size([4, 5]), but should be (5, 5)."])
  }

  @Test func keyPaddingMaskOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor.zeros([5, 2, 8])
      _ = MultiheadAttention(8, 2)(
        x, x, x, keyPaddingMask: Tensor.zeros([2, 4], dtype: .bool))
    }
    expectStopMessage(
      result, op: "MultiheadAttention",
      ["Expected key_padded_mask.shape[1] to be 5, but got 4", "key_padding_mask [2, 4]"])
  }

  @Test func maskOfTheWrongDtype() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor.zeros([5, 2, 8])
      _ = MultiheadAttention(8, 2)(
        x, x, x, keyPaddingMask: Tensor.zeros([2, 5], dtype: .int64))
    }
    expectStopMessage(
      result, op: "MultiheadAttention",
      ["only bool and floating types of key_padding_mask are supported", "[2, 5]"])
  }

  @Test func encoderLayerMaskOfTheWrongDtype() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let layer = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16)
      _ = layer(Tensor.zeros([5, 2, 8]), srcMask: Tensor.zeros([5, 5], dtype: .int64))
    }
    expectStopMessage(
      result, op: "TransformerEncoderLayer",
      ["only bool and floating types of src_mask are supported", "[5, 5]"])
  }

  @Test func scaledDotProductAttentionMaskOfTheWrongDtype() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let q = Tensor.zeros([2, 3, 4])
      _ = scaledDotProductAttention(q, q, q, attnMask: Tensor.zeros([3, 3], dtype: .int64))
    }
    expectStopMessage(
      result, op: "scaled_dot_product_attention",
      ["Expected attn_mask dtype to be bool or float or to match query dtype", "attn_mask [3, 3]"])
  }

  @Test func scaledDotProductAttentionMaskOfTheWrongShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let q = Tensor.zeros([2, 3, 4])
      _ = scaledDotProductAttention(q, q, q, attnMask: Tensor.zeros([2, 3]))
    }
    expectStopMessage(result, op: "scaled_dot_product_attention", ["[2, 3]", "[2, 3, 3]"])
  }
}
