import Descent
import Foundation

// Per-op overhead, the cases of shared/bench/op_overhead_torch.py: microseconds per call on
// one-element tensors, where the arithmetic is nothing and the bookkeeping is everything.

/// Median over 7 batches of `iterations` calls of `body`, after a tenth as many to warm up.
func microsecondsPerCall(iterations: Int = 20000, _ body: () -> Void) -> Double {
  for _ in 0..<(iterations / 10) { body() }
  var batches: [Double] = []
  for _ in 0..<7 {
    let start = now()
    for _ in 0..<iterations { body() }
    batches.append((now() - start) / Double(iterations) * 1e6)
  }
  return median(batches)
}

@MainActor
func runOverheadBenchmark() {
  let a = Tensor.ones([1])
  let b = Tensor.ones([1])
  let c = Tensor.ones([1])
  let aRequiringGrad = Tensor.ones([1], requiresGrad: true)
  manualSeed(0)
  let linear = Linear(1, 1)
  let x = Tensor.ones([1, 1])
  var sink: Tensor? = nil

  let cases: [(String, Int, () -> Void)] = [
    ("descent_zeros_1elem", 20000, { sink = Tensor.zeros([1]) }),
    ("descent_add_1elem", 20000, { sink = a + b }),
    ("descent_add_1elem_out", 20000, { c += b }),
    ("descent_add_1elem_grad", 20000, { sink = aRequiringGrad + b }),
    ("descent_nograd_empty", 20000, { noGrad {} }),
    ("linear1x1_fwd", 20000, { sink = linear(x) }),
    ("linear1x1_fwd_nograd", 20000, { noGrad { sink = linear(x) } }),
    ("linear1x1_fwd_bwd", 2000, { linear(x).sum().backward() }),
  ]
  for (name, iterations, body) in cases {
    let us = microsecondsPerCall(iterations: iterations, body)
    print(
      "\(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(format: "%8.3f", us)) us/call"
    )
    result(name, us, "us", format: "%.3f")
  }
  _ = sink
}
