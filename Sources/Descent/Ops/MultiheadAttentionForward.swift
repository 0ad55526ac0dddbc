/// MultiheadAttention's computation, after `F.multi_head_attention_forward`: PyTorch's checks
/// and messages, its mask conventions and its `isCausal` rules, on the fused attention op.
///
/// The heads are views: the projections are reshaped to `[N, heads, L, headDim]` without a
/// copy when they are contiguous, the masks reach the fused op as broadcast views (the key
/// padding mask is never expanded to every head and query), and a batch-first input is worked
/// on batch first, so that only the merge of the heads before the output projection copies.

/// `torch.Size([2, 3])`, as PyTorch's Python messages print a shape.
func torchSize(_ shape: [Int]) -> String { "torch.Size(\(shapeText(shape)))" }

/// `(2, 3)`, as Python prints a tuple of ints.
func pythonIntTuple(_ values: [Int]) -> String {
  "(" + values.map(String.init).joined(separator: ", ") + (values.count == 1 ? ",)" : ")")
}

extension MultiheadAttention {
  func attend(
    _ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor?, needWeights: Bool,
    attnMask: Tensor?, averageAttnWeights: Bool, isCausal: Bool
  ) throws(OpError) -> (Tensor, Tensor?) {
    let op = "MultiheadAttention"
    let batched = try checkShapes(query, key, value, keyPaddingMask, attnMask)
    // Work batch first when the input is: [N, L, E] throughout, or [L, N, E].
    let batchMajor = batched && batchFirst
    var (q, k, v) = (query, key, value)
    var padding = keyPaddingMask
    if !batched {
      (q, k, v) = (query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1))
      padding = keyPaddingMask?.unsqueeze(0)
    }
    let (batchAxis, lengthAxis) = batchMajor ? (0, 1) : (1, 0)
    let (length, batch, features) = (q.shape[lengthAxis], q.shape[batchAxis], q.shape[2])
    let keys = k.shape[lengthAxis]
    for (mask, name) in [(padding, "key_padding_mask"), (attnMask, "attn_mask")] {
      guard let mask, mask.dtype != .bool, !mask.dtype.isFloatingPoint else { continue }
      throw OpError(
        op,
        "only bool and floating types of \(name) are supported (\(name) of dtype \(mask.dtype), shape \(shapeText(mask.shape)))"
      )
    }
    if isCausal && attnMask == nil {
      throw OpError(
        op,
        "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask."
      )
    }
    // The causal hint replaces the mask only where PyTorch lets it: no padding, no weights.
    let causal = isCausal && padding == nil && !needWeights
    let mask = causal ? nil : attnMask
    guard features == embedDim else {
      throw OpError(
        op,
        "was expecting embedding dimension of \(embedDim), but got \(features) (query \(shapeText(query.shape)))"
      )
    }
    if packed {
      guard key.shape == value.shape else {
        throw OpError(
          op,
          "key shape \(torchSize(key.shape)) does not match value shape \(torchSize(value.shape))")
      }
    } else if key.shape.dropLast() != value.shape.dropLast() {
      throw OpError(
        op,
        "key's sequence and batch dims \(pythonIntTuple(Array(key.shape.dropLast()))) do not match value's \(pythonIntTuple(Array(value.shape.dropLast())))"
      )
    }
    let (qp, kp, vp) = project(
      q, k, v, sameQueryKey: query === key, sameKeyValue: key === value)
    var masks: [AttentionMask] = []
    if let mask {
      let shaped: Tensor
      if mask.rank == 2 {
        guard mask.shape == [length, keys] else {
          throw OpError(
            op,
            "The shape of the 2D attn_mask is \(torchSize(mask.shape)), but should be \(pythonIntTuple([length, keys]))."
          )
        }
        shaped = mask
      } else {
        guard mask.shape == [batch * numHeads, length, keys] else {
          throw OpError(
            op,
            "The shape of the 3D attn_mask is \(torchSize(mask.shape)), but should be \(pythonIntTuple([batch * numHeads, length, keys]))."
          )
        }
        shaped = mask.reshaped([batch, numHeads, length, keys])
      }
      masks.append(attentionMask(shaped, dtype: q.dtype))
    }
    if let padding {
      guard padding.shape[0] == batch else {
        throw OpError(
          op,
          "Expected key_padded_mask.shape[0] to be \(batch), but got \(padding.shape[0]) (key_padding_mask \(shapeText(padding.shape)))"
        )
      }
      guard padding.shape[1] == keys else {
        throw OpError(
          op,
          "Expected key_padded_mask.shape[1] to be \(keys), but got \(padding.shape[1]) (key_padding_mask \(shapeText(padding.shape)))"
        )
      }
      masks.append(attentionMask(padding.reshaped([batch, 1, 1, keys]), dtype: q.dtype))
    }
    // [N, heads, length, headDim] views of the projections.
    func heads(_ x: Tensor, _ n: Int) -> Tensor {
      batchMajor
        ? x.reshaped([batch, n, numHeads, headDim]).permute([0, 2, 1, 3])
        : x.reshaped([n, batch, numHeads, headDim]).permute([1, 2, 0, 3])
    }
    var weights = attentionProbabilities(
      heads(qp, length), heads(kp, keys), batch: [batch, numHeads], masks: masks,
      causal: causal, scale: 1 / Double(headDim).squareRoot())
    if training && dropout > 0 { weights = Descent.dropout(weights, p: dropout) }
    let merged = weights.matmul(heads(vp, keys))
    let rows =
      batchMajor
      ? merged.permute([0, 2, 1, 3]).reshaped([batch, length, embedDim])
      : merged.permute([2, 0, 1, 3]).reshaped([length, batch, embedDim])
    var output = outProj(rows)
    var returned: Tensor? = nil
    if needWeights { returned = averageAttnWeights ? weights.mean(dim: 1) : weights }
    if !batched {
      output = output.squeeze(1)
      returned = returned?.squeeze(0)
    }
    return (output, returned)
  }

  /// A mask as the fused op takes it: bool true removes a key, a float mask is added.
  private func attentionMask(_ mask: Tensor, dtype: DType) -> AttentionMask {
    mask.dtype == .bool
      ? AttentionMask(tensor: mask, kind: .removeWhereTrue)
      : AttentionMask(tensor: mask.to(dtype), kind: .additive)
  }

  /// The input projections: one GEMM for self-attention (query, key and value the same
  /// tensor), two when key and value are, three otherwise.
  private func project(
    _ q: Tensor, _ k: Tensor, _ v: Tensor, sameQueryKey: Bool, sameKeyValue: Bool
  ) -> (Tensor, Tensor, Tensor) {
    let e = embedDim
    let biases = inProjBias?.chunk(3)
    guard let weight = inProjWeight else {
      return (
        linear(q, qProjWeight!, biases?[0]), linear(k, kProjWeight!, biases?[1]),
        linear(v, vProjWeight!, biases?[2])
      )
    }
    if sameQueryKey && sameKeyValue {
      let parts = linear(q, weight, inProjBias).chunk(3, dim: -1)
      return (parts[0], parts[1], parts[2])
    }
    let queryPart = linear(q, weight.slice(0, start: 0, end: e), biases?[0])
    if sameKeyValue {
      let parts = linear(k, weight.slice(0, start: e), inProjBias?.slice(0, start: e))
        .chunk(2, dim: -1)
      return (queryPart, parts[0], parts[1])
    }
    return (
      queryPart, linear(k, weight.slice(0, start: e, end: 2 * e), biases?[1]),
      linear(v, weight.slice(0, start: 2 * e), biases?[2])
    )
  }

  /// PyTorch's `_mha_shape_check`: true for a batched (3-D) query. Batched and unbatched
  /// queries are checked alike, key and value of the query's rank and the padding mask one
  /// rank lower; a 3-D mask of an unbatched query must be `[heads, L, S]`.
  private func checkShapes(
    _ query: Tensor, _ key: Tensor, _ value: Tensor, _ padding: Tensor?, _ mask: Tensor?
  ) throws(OpError) -> Bool {
    let op = "MultiheadAttention"
    let rank = query.rank
    guard rank == 3 || rank == 2 else {
      throw OpError(
        op,
        "query should be unbatched 2D or batched 3D tensor but received \(rank)-D query tensor (query \(shapeText(query.shape)))"
      )
    }
    let batched = rank == 3
    let kind = batched ? "batched (3-D)" : "unbatched (2-D)"
    guard key.rank == rank && value.rank == rank else {
      throw OpError(
        op,
        "For \(kind) `query`, expected `key` and `value` to be \(rank)-D but found \(key.rank)-D and \(value.rank)-D tensors respectively"
      )
    }
    if let padding, padding.rank != rank - 1 {
      throw OpError(
        op,
        "For \(kind) `query`, expected `key_padding_mask` to be `None` or \(rank - 1)-D but found \(padding.rank)-D tensor instead"
      )
    }
    if let mask {
      guard mask.rank == 2 || mask.rank == 3 else {
        throw OpError(
          op,
          "For \(kind) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found \(mask.rank)-D tensor instead"
        )
      }
      let expected = [numHeads, query.shape[0], key.shape[0]]
      if !batched && mask.rank == 3 && mask.shape != expected {
        throw OpError(
          op,
          "Expected `attn_mask` shape to be \(pythonIntTuple(expected)) but got \(torchSize(mask.shape))"
        )
      }
    }
    return batched
  }
}
