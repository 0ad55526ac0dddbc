// Elementwise ops, reductions, softmax and the Adam step on tensors large enough to be split over
// the thread pool: the same bits with 1, 2 and 3 threads, and the values of a plain loop.
import Testing

@testable import Descent

/// Runs `body` with `threads` threads, restoring the setting afterwards.
private func withThreadCount<R>(_ threads: Int, _ body: () -> R) -> R {
  let saved = numThreads
  setNumThreads(threads)
  defer { setNumThreads(saved) }
  return body()
}

/// The bit patterns of a float32 tensor's values.
private func bits(_ t: Tensor) -> [UInt32] { t.toArray(as: Float.self).map(\.bitPattern) }

/// Each op's results on large operands, as bit patterns, in a fixed order.
private func largeOpResults() -> [[UInt32]] {
  let generator = Generator(seed: 14)
  // 600 x 700 = 420_000 elements: more than twice the elementwise grain.
  let a = Tensor.randn([600, 700], generator: generator)
  let b = Tensor.randn([600, 700], generator: generator)
  let row = Tensor.randn([700], generator: generator)
  var results = [
    bits(a.exp()), bits(a + b), bits(a * 3), bits(a + row), bits(a.sum()), bits(a.sum(dim: 0)),
    bits(a.sum(dim: 1)), bits(a.softmax(dim: 1)), bits(a.logSoftmax(dim: 0)),
  ]
  let inPlace = a.clone()
  _ = inPlace.mul_(b).add_(row)
  results.append(bits(inPlace))
  // An Adam step on a parameter of 420_000 values: the fused update split over threads.
  let parameter = a.clone()
  parameter.requiresGrad = true
  parameter.grad = b.clone()
  let optimizer = Adam([parameter], lr: 0.01)
  optimizer.step()
  optimizer.step()
  results.append(bits(parameter.detach()))
  return results
}

// In the serialized GEMM suite: the thread count is process-wide.
extension GemmKernelTests {
  @Test("large elementwise ops, sums, softmax and Adam: the same bits with 1, 2 and 3 threads")
  func largeOpsBitIdentical() {
    let one = withThreadCount(1, largeOpResults)
    for threads in [2, 3] {
      let many = withThreadCount(threads, largeOpResults)
      for (index, (x, y)) in zip(one, many).enumerated() {
        #expect(x == y, "result \(index) with \(threads) threads")
      }
    }
  }

  @Test("large split loops compute what a plain loop computes")
  func largeOpsMatchPlainLoops() {
    withThreadCount(3) {
      let generator = Generator(seed: 41)
      let a = Tensor.randn([500, 600], generator: generator)
      let row = Tensor.randn([600], generator: generator)
      let x = a.toArray(as: Float.self)
      let r = row.toArray(as: Float.self)
      #expect((a + row).toArray(as: Float.self) == x.indices.map { x[$0] + r[$0 % 600] })
      #expect(a.exp().toArray(as: Float.self) == x.map { ExpKernel()($0) })  // the split loop against one kernel call per element
      // Split sums are checked against PyTorch's, bit for bit with 1 and 4 threads, in
      // SummationOrderTests.
    }
  }
}
