/// Evaluating a checked einsum equation with differentiable ops: each operand's repeated
/// subscripts become diagonals, size-1 dimensions are expanded to their broadcast size,
/// subscripts nothing else needs are summed out early, and the operands are contracted left to
/// right, each pair as one batched product (`bmm`) or, when nothing is summed, a broadcast
/// product.

/// A tensor whose dimensions carry einsum label ids.
private struct Labelled {
  var tensor: Tensor
  var labels: [Int]

  /// Sums out `labels` (those present).
  func summing(_ unwanted: Set<Int>) -> Labelled {
    let axes = labels.indices.filter { unwanted.contains(labels[$0]) }
    guard !axes.isEmpty else { return self }
    return Labelled(
      tensor: tensor.sum(dims: axes),
      labels: labels.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
  }

  /// The dimensions reordered to `order` (every label once).
  func permuted(to order: [Int]) -> Tensor {
    let axes = order.map { labels.firstIndex(of: $0)! }
    return axes == Array(0..<labels.count) ? tensor : tensor.permute(axes)
  }
}

extension EinsumEquation {
  func evaluate(_ operands: [Tensor]) -> Tensor {
    var pending = zip(operands, operandLabels).map { Labelled(tensor: $0, labels: $1) }
    for index in pending.indices { pending[index] = prepared(pending[index]) }
    // Labels each operand alone carries and the output drops are summed out first.
    for index in pending.indices {
      let elsewhere = Set(outputLabels).union(
        pending.indices.filter { $0 != index }.flatMap { pending[$0].labels })
      pending[index] = pending[index].summing(Set(pending[index].labels).subtracting(elsewhere))
    }
    var result = pending[0]
    for index in 1..<pending.count {
      let later = pending[(index + 1)...].flatMap(\.labels)
      result = contracted(result, pending[index], keeping: Set(outputLabels).union(later))
    }
    result = result.summing(Set(result.labels).subtracting(outputLabels))
    return result.permuted(to: outputLabels)
  }

  /// Repeated labels as diagonals, size-1 dimensions expanded to their label's size.
  private func prepared(_ operand: Labelled) -> Labelled {
    var current = operand
    while let (first, second) = repeatedPair(current.labels) {
      let label = current.labels[first]
      current.tensor = current.tensor.diagonal(offset: 0, dim1: first, dim2: second)
      current.labels.remove(at: second)
      current.labels.remove(at: first)
      current.labels.append(label)
    }
    let target = current.labels.map { sizes[$0]! }
    if target != current.tensor.shape { current.tensor = current.tensor.expand(target) }
    return current
  }

  private func repeatedPair(_ labels: [Int]) -> (Int, Int)? {
    for second in labels.indices {
      if let first = labels[..<second].firstIndex(of: labels[second]) { return (first, second) }
    }
    return nil
  }

  /// Σ over the shared labels not in `keeping` of a·b; shared labels in `keeping` are batch
  /// dimensions. The result's labels: batch, then a's own, then b's own.
  private func contracted(_ a: Labelled, _ b: Labelled, keeping: Set<Int>) -> Labelled {
    let shared = a.labels.filter { b.labels.contains($0) }
    let batch = shared.filter { keeping.contains($0) }
    let summed = shared.filter { !keeping.contains($0) }
    let left = a.summing(Set(a.labels).subtracting(shared).subtracting(keeping))
    let right = b.summing(Set(b.labels).subtracting(shared).subtracting(keeping))
    let leftOwn = left.labels.filter { !shared.contains($0) }
    let rightOwn = right.labels.filter { !shared.contains($0) }
    let size = { (labels: [Int]) in labels.map { self.sizes[$0]! } }
    let labels = batch + leftOwn + rightOwn
    if summed.isEmpty {
      // Nothing to sum: a broadcast product of [batch, leftOwn, 1…] and [batch, 1…, rightOwn].
      let x = left.permuted(to: batch + leftOwn).reshaped(
        size(batch) + size(leftOwn) + [Int](repeating: 1, count: rightOwn.count))
      let y = right.permuted(to: batch + rightOwn).reshaped(
        size(batch) + [Int](repeating: 1, count: leftOwn.count) + size(rightOwn))
      return Labelled(tensor: x * y, labels: labels)
    }
    let (batchCount, m, k, n) = (
      size(batch).reduce(1, *), size(leftOwn).reduce(1, *), size(summed).reduce(1, *),
      size(rightOwn).reduce(1, *)
    )
    // Each operand in whichever of the two layouts its memory already has, so that the
    // reshape is a view; bmm reads a transposed operand as it is.
    let x = batchedMatrix(left, batch, leftOwn, summed, rows: m, columns: k, batchCount)
    let y = batchedMatrix(right, batch, summed, rightOwn, rows: k, columns: n, batchCount)
    let product = x.bmm(y)
    return Labelled(
      tensor: product.reshaped(size(batch) + size(leftOwn) + size(rightOwn)), labels: labels)
  }

  /// `[batch, rows, columns]` from `operand`, laid out as [batch, rowLabels, columnLabels] or
  /// as the transpose of [batch, columnLabels, rowLabels], whichever is already contiguous.
  private func batchedMatrix(
    _ operand: Labelled, _ batch: [Int], _ rowLabels: [Int], _ columnLabels: [Int], rows: Int,
    columns: Int, _ batchCount: Int
  ) -> Tensor {
    let direct = operand.permuted(to: batch + rowLabels + columnLabels)
    if direct.isContiguous || rows == 1 || columns == 1 {
      return direct.reshaped([batchCount, rows, columns])
    }
    let swapped = operand.permuted(to: batch + columnLabels + rowLabels)
    if swapped.isContiguous {
      return swapped.reshaped([batchCount, columns, rows]).transpose(1, 2)
    }
    return direct.reshaped([batchCount, rows, columns])
  }
}
