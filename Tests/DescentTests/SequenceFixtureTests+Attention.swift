import Testing

@testable import Descent

// The attention cases of sequence.json: MultiheadAttention, scaledDotProductAttention, the
// Transformer encoder, padSequence and generateSquareSubsequentMask.

extension SequenceFixtureTests {
  static func buildAttention(_ c: SequenceFixtureCase) throws -> Module? {
    let k = c.config
    switch c.layer {
    case "MultiheadAttention":
      return MultiheadAttention(
        try k.int("embed_dim"), try k.int("num_heads"), dropout: k.double("dropout") ?? 0,
        bias: k.bool("bias") ?? true, batchFirst: k.bool("batch_first") ?? false,
        kdim: k.optionalInt("kdim"), vdim: k.optionalInt("vdim"))
    case "TransformerEncoderLayer", "TransformerEncoder":
      let layer = TransformerEncoderLayer(
        dModel: try k.int("d_model"), nhead: try k.int("nhead"),
        dimFeedforward: k.optionalInt("dim_feedforward") ?? 2048,
        dropout: k.double("dropout") ?? 0.1,
        activation: k.string("activation") == "gelu" ? .gelu : .relu,
        layerNormEps: k.double("layer_norm_eps") ?? 1e-5,
        batchFirst: k.bool("batch_first") ?? false, normFirst: k.bool("norm_first") ?? false)
      guard c.layer == "TransformerEncoder" else { return layer }
      return TransformerEncoder(layer, numLayers: try k.int("encoder_layers"))
    case "scaled_dot_product_attention", "pad_sequence", "generate_square_subsequent_mask":
      return nil
    default:
      throw OpFixtureError("unknown layer '\(c.layer)': teach SequenceFixtureTests to build it")
    }
  }

  static func runAttention(_ c: SequenceFixtureCase, _ module: Module?, _ inputs: [String: Tensor])
    throws -> [String: Tensor]
  {
    let call = c.call
    switch module {
    case let mha as MultiheadAttention:
      let query = inputs["query"]!
      let selfAttention = call.bool("self") ?? false
      let (key, value) = selfAttention ? (query, query) : (inputs["key"]!, inputs["value"]!)
      let (output, weights) = mha(
        query, key, value, keyPaddingMask: inputs["key_padding_mask"],
        needWeights: call.bool("need_weights") ?? true, attnMask: inputs["attn_mask"],
        averageAttnWeights: call.bool("average_attn_weights") ?? true,
        isCausal: call.bool("is_causal") ?? false)
      return ["output": output].merging(weights.map { ["weights": $0] } ?? [:]) { a, _ in a }
    case let layer as TransformerEncoderLayer:
      return [
        "output": layer(
          inputs["src"]!, srcMask: inputs["mask"], srcKeyPaddingMask: inputs["key_padding_mask"],
          isCausal: call.bool("is_causal") ?? false)
      ]
    case let encoder as TransformerEncoder:
      return [
        "output": encoder(
          inputs["src"]!, mask: inputs["mask"], srcKeyPaddingMask: inputs["key_padding_mask"],
          isCausal: call.bool("is_causal"))
      ]
    default:
      break
    }
    switch c.layer {
    case "scaled_dot_product_attention":
      return [
        "output": scaledDotProductAttention(
          inputs["query"]!, inputs["key"]!, inputs["value"]!, attnMask: inputs["attn_mask"],
          isCausal: call.bool("is_causal") ?? false, scale: call.double("scale"))
      ]
    case "pad_sequence":
      let sequences = (0..<inputs.count).map { inputs["seq\($0)"]! }
      return [
        "output": padSequence(
          sequences, batchFirst: call.bool("batch_first") ?? false,
          paddingValue: call.double("padding_value") ?? 0)
      ]
    case "generate_square_subsequent_mask":
      return ["output": generateSquareSubsequentMask(try c.config.int("size"))]
    default:
      throw OpFixtureError("unknown layer '\(c.layer)': teach SequenceFixtureTests to run it")
    }
  }
}
