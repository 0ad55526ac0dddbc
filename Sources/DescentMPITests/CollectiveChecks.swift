import Descent
import Foundation

/// Every collective, every dtype, sizes 1 to 10^7, against the result computed locally from
/// every rank's known inputs; then the split of large counts into several MPI calls, views and
/// a 0-d tensor.
func checkCollectives(_ group: ProcessGroup) -> Bool {
  let checks = Checks(suite: "collectives", group: group)
  let sizes = [1, 2, 3, 1000, 65_537, 1_000_000, 10_000_000]
  for count in sizes {
    checkAll(Float.self, count: count, checks)
    checkAll(Double.self, count: count, checks)
    checkAll(Int64.self, count: count, checks)
  }
  // Counts split into several calls: a low limit makes 2,500 elements three calls.
  group.maxElementsPerCall = 1000
  for count in [2500, 1_000_001] {
    checkAll(Float.self, count: count, checks)
    checkAll(Int64.self, count: count, checks)
  }
  group.maxElementsPerCall = nil
  checkViewsAndShapes(checks)
  group.barrier()
  return checks.finish()
}

/// A tensor over 2^31 bytes, reduced and broadcast.
func checkLargeTensor(_ group: ProcessGroup) -> Bool {
  let checks = Checks(suite: "large", group: group)
  checkOver2GiB(checks)
  return checks.finish()
}

private func checkAll<T: CheckedScalar>(_: T.Type, count: Int, _ checks: Checks) {
  let group = checks.group
  let label = "\(T.dtype) × \(count)\(group.maxElementsPerCall.map { " (calls of \($0))" } ?? "")"
  let inputs = (0..<group.size).map { patternValues(T.self, rank: $0, count: count) }
  let sums = (0..<count).map { i in inputs.dropFirst().reduce(inputs[0][i]) { $0 + $1[i] } }

  for op in [ReduceOp.sum, .avg, .max, .min] {
    let t = Tensor(shape: [count], scalars: inputs[group.rank])
    group.allReduce(t, op: op)
    let expected: [T]
    switch op {
    case .sum: expected = sums
    case .avg: expected = sums.map { T.average($0, group.size) }
    case .max: expected = (0..<count).map { i in inputs.map { $0[i] }.max(by: <)! }
    case .min: expected = (0..<count).map { i in inputs.map { $0[i] }.min(by: <)! }
    }
    let got = t.toArray(as: T.self)
    checks.expect(got == expected, "allReduce(\(op)) \(label): \(firstMismatch(got, expected))")
  }

  for root in 0..<group.size {
    let t = Tensor(shape: [count], scalars: inputs[group.rank])
    group.broadcast(t, from: root)
    let got = t.toArray(as: T.self)
    checks.expect(
      got == inputs[root], "broadcast from \(root) \(label): \(firstMismatch(got, inputs[root]))")
  }

  let gathered = group.allGather(Tensor(shape: [count], scalars: inputs[group.rank]))
  checks.expect(gathered.count == group.size, "allGather \(label): \(gathered.count) tensors")
  for (r, tensor) in gathered.enumerated() {
    let got = tensor.toArray(as: T.self)
    checks.expect(
      tensor.shape == [count] && got == inputs[r],
      "allGather \(label), rank \(r)'s part: \(firstMismatch(got, inputs[r]))")
  }

  // reduceScatter: every rank gives size × count elements; rank r keeps block r reduced.
  let blocks = (0..<group.size).map {
    patternValues(T.self, rank: $0, count: count * group.size)
  }
  for op in [ReduceOp.sum, .avg, .max, .min] {
    let input = Tensor(shape: [group.size * count], scalars: blocks[group.rank])
    let output = group.reduceScatter(input, op: op)
    let base = group.rank * count
    let expected = (0..<count).map { i -> T in
      let values = blocks.map { $0[base + i] }
      switch op {
      case .sum: return values.dropFirst().reduce(values[0], +)
      case .avg: return T.average(values.dropFirst().reduce(values[0], +), group.size)
      case .max: return values.max(by: <)!
      case .min: return values.min(by: <)!
      }
    }
    let got = output.toArray(as: T.self)
    checks.expect(
      output.shape == [count] && got == expected,
      "reduceScatter(\(op)) \(label): \(firstMismatch(got, expected))")
  }
}

/// A view with a storage offset is reduced in place without touching the rest of its base; a
/// 0-d tensor and a 2-d tensor keep their shapes.
private func checkViewsAndShapes(_ checks: Checks) {
  let group = checks.group
  let base = Tensor(shape: [3, 4], scalars: (0..<12).map { Double($0) })
  let row = base[1]
  group.allReduce(row, op: .sum)
  let size = Double(group.size)
  let expected = (0..<12).map { i in (4..<8).contains(i) ? Double(i) * size : Double(i) }
  checks.expect(base.toDoubles() == expected, "allReduce of a row view: \(base.toDoubles())")

  let scalar = Tensor(Double(group.rank + 1), dtype: .float64)
  group.allReduce(scalar, op: .max)
  checks.expect(
    scalar.shape == [] && scalar.item() == size, "allReduce(max) of a 0-d tensor: \(scalar)")

  let matrix = Tensor(shape: [2, 3], scalars: (0..<6).map { Int64($0 + 10 * group.rank) })
  let parts = group.allGather(matrix)
  checks.expect(
    parts.map(\.shape) == Array(repeating: [2, 3], count: group.size)
      && parts.enumerated().allSatisfy { r, part in
        part.toArray(as: Int64.self) == (0..<6).map { Int64($0 + 10 * r) }
      },
    "allGather of a [2, 3] tensor: \(parts)")
  let into = Tensor.zeros([group.size * 2, 3], dtype: .int64)
  group.allGather(into: into, matrix)
  checks.expect(
    into.toArray(as: Int64.self) == parts.flatMap { $0.toArray(as: Int64.self) },
    "allGather(into:) of a [2, 3] tensor: \(into)")
}

/// A float32 tensor of 2^31 + 6,072 bytes (536,872,430 elements): a pattern with period 1021,
/// which no chunk boundary divides, plus the rank, reduced in place and broadcast.
private func checkOver2GiB(_ checks: Checks) {
  let group = checks.group
  let period = 1021
  let rows = 525_830
  let line = Tensor(shape: [1, period], scalars: (0..<period).map { Float($0) })
  let big = (line + Double(group.rank)).expand([rows, period]).contiguous()
  checks.expect(big.count * 4 > 1 << 31, "the large tensor has \(big.count * 4) bytes")
  let start = ContinuousClock.now
  group.allReduce(big, op: .sum)
  let reduceTime = ContinuousClock.now - start
  let offset = Float(group.size * (group.size - 1) / 2)
  let expected = (0..<period).map { Float($0) * Float(group.size) + offset }
  checks.expect(matches(big, expected, rows: rows), "allReduce(sum) of a tensor over 2 GiB")
  group.broadcast(big, from: group.size - 1)
  checks.expect(matches(big, expected, rows: rows), "broadcast of a tensor over 2 GiB")
  if group.rank == 0 { print("  allReduce of \(big.count * 4) bytes took \(reduceTime)") }
}

/// True when every row of `big` (`[rows, period]`) equals `line`; read a block of rows at a time.
private func matches(_ big: Tensor, _ line: [Float], rows: Int) -> Bool {
  let block = 8192
  for start in stride(from: 0, to: rows, by: block) {
    let values = big.slice(0, start: start, end: Swift.min(start + block, rows)).toFloats()
    for (index, value) in values.enumerated() where value != line[index % line.count] {
      return false
    }
  }
  return true
}
