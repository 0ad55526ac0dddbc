import CDescentKernels
import Descent
import Foundation

// descent-bench: the workloads of shared/bench, printing the same `RESULT name=… threads=…
// value=… unit=…` lines so that the two can be compared side by side.
//
// Usage: descent-bench [linreg] [gemm] [io] [mlp] [heightweight] [overhead] [memory] [cnn] [lstm]
//                      [transformer] [threads] [scaling [--torch FILE] [--out FILE]] [allreduce]
//                      [--threads N]
// (no workload names: all of them but threads, scaling and allreduce, which runs as an MPI job
// of 2 processes). Without --threads, the library's default thread count (the usable physical
// cores).

let usage =
  "usage: descent-bench [linreg] [gemm] [io] [mlp] [heightweight] [overhead] [memory] [cnn] [lstm]"
  + " [transformer] [threads]"
  + " [scaling [--torch FILE] [--out FILE]] [allreduce] [--threads N]"
let workloadNames = [
  "linreg", "gemm", "io", "mlp", "heightweight", "overhead", "memory", "lstm", "transformer",
  "cnn", "threads", "scaling", "allreduce",
]
let arguments = Array(CommandLine.arguments.dropFirst())
var requestedThreads: Int? = nil
var torchJSON: String? = nil
var scalingOutput = "scaling.svg"
var workloads: [String] = []
var index = 0

func fail(_ message: String) -> Never {
  FileHandle.standardError.write("descent-bench: \(message)\n".data(using: .utf8)!)
  exit(2)
}

while index < arguments.count {
  let argument = arguments[index]
  let value = index + 1 < arguments.count ? arguments[index + 1] : nil
  switch argument {
  case "--threads":
    guard let value, let n = Int(value) else { fail("--threads needs a count") }
    requestedThreads = n
    index += 1
  case "--torch":
    guard let value else { fail("--torch needs a file") }
    torchJSON = value
    index += 1
  case "--out":
    guard let value else { fail("--out needs a file") }
    scalingOutput = value
    index += 1
  case "-h", "--help":
    print(usage)
    exit(0)
  default:
    if argument.hasPrefix("--threads=") {
      guard let n = Int(argument.dropFirst("--threads=".count)) else {
        fail("--threads needs a count")
      }
      requestedThreads = n
    } else if workloadNames.contains(argument) {
      workloads.append(argument)
    } else {
      fail("unknown argument '\(argument)'")
    }
  }
  index += 1
}
if workloads.isEmpty {
  workloads = [
    "linreg", "gemm", "io", "heightweight", "mlp", "overhead", "memory", "lstm", "transformer",
    "cnn",
  ]
}
if let requestedThreads {
  guard requestedThreads >= 1 else { fail("--threads needs a positive count") }
  setNumThreads(requestedThreads)
}
let threads = numThreads

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted[sorted.count / 2]
}

@MainActor
func result(_ name: String, _ value: Double, _ unit: String, format: String = "%.4g") {
  print(
    "RESULT name=\(name) threads=\(threads) value=\(String(format: format, value)) unit=\(unit)")
}

/// R2 with a hand-written update: forward, mean of squares, backward, update in noGrad, clear.
func linregManual(epochs: Int) -> (seconds: Double, weight: Double, bias: Double, cost: Double) {
  let ys: [Double] = [
    0.94, 1.98, 2.88, 3.92, 3.96, 4.55, 5.64, 6.3, 7.44, 9.1, 8.46, 9.5, 10.67, 11.16, 14,
    11.83, 14.4, 14.25, 16.2, 16.32, 17.46, 19.8, 18, 21.34, 22, 22.5, 24.57, 26.04, 21.6, 28.8,
  ]
  let x = Tensor.arange(1, 31, dtype: .float32).reshaped(30, 1)
  let y = Tensor(ys).reshaped(30, 1)
  let weight = Tensor.zeros([1], requiresGrad: true)
  let bias = Tensor.zeros([1], requiresGrad: true)
  let learningRate = 0.001
  var cost = Tensor(0)
  let start = now()
  for _ in 0..<epochs {
    let hypothesis = x * weight + bias
    cost = ((hypothesis - y) ** 2).mean()
    weight.grad = nil
    bias.grad = nil
    cost.backward()
    noGrad {
      weight -= learningRate * weight.grad!
      bias -= learningRate * bias.grad!
    }
  }
  return (now() - start, weight.item(), bias.item(), cost.item())
}

/// R2 through the nn API: Linear(1, 1) zeroed, MSELoss, SGD with zeroGrad/backward/step.
func linregModule(epochs: Int) -> (seconds: Double, weight: Double, bias: Double, cost: Double) {
  let (x, y) = linregData()
  let model = Linear(1, 1)
  noGrad {
    model.weight.zero_()
    model.bias!.zero_()
  }
  let criterion = MSELoss()
  let optimizer = SGD(model.parameters(), lr: 0.001)
  var cost = Tensor(0)
  let start = now()
  for _ in 0..<epochs {
    let hypothesis = model(x)
    cost = criterion(hypothesis, y)
    optimizer.zeroGrad()
    cost.backward()
    optimizer.step()
  }
  return (now() - start, model.weight.item(), model.bias!.item(), cost.item())
}

func linregData() -> (Tensor, Tensor) {
  let ys: [Double] = [
    0.94, 1.98, 2.88, 3.92, 3.96, 4.55, 5.64, 6.3, 7.44, 9.1, 8.46, 9.5, 10.67, 11.16, 14,
    11.83, 14.4, 14.25, 16.2, 16.32, 17.46, 19.8, 18, 21.34, 22, 22.5, 24.57, 26.04, 21.6, 28.8,
  ]
  return (Tensor.arange(1, 31, dtype: .float32).reshaped(30, 1), Tensor(ys).reshaped(30, 1))
}

@MainActor
func reportLinreg(
  _ tag: String, _ name: String,
  _ run: (Int) -> (seconds: Double, weight: Double, bias: Double, cost: Double)
) {
  let epochs = 10000
  var times: [Double] = []
  var last = (seconds: 0.0, weight: 0.0, bias: 0.0, cost: 0.0)
  for _ in 0..<5 {
    last = run(epochs)
    times.append(last.seconds)
  }
  print(
    "[\(tag)] threads=\(threads) weight=\(String(format: "%.3f", last.weight)) bias=\(String(format: "%.3f", last.bias)) cost=\(String(format: "%.3f", last.cost)) runs: \(times.map { String(format: "%.3f", $0) }.joined(separator: ", "))"
  )
  result(name, median(times) / Double(epochs) * 1e6, "us", format: "%.2f")
}

if workloads.contains("linreg") {
  reportLinreg("nn.Linear+MSELoss", "linreg_module_us_per_epoch", linregModule)
}

if workloads.contains("linreg") {
  let epochs = 10000
  var times: [Double] = []
  var last = (seconds: 0.0, weight: 0.0, bias: 0.0, cost: 0.0)
  for _ in 0..<5 {
    last = linregManual(epochs: epochs)
    times.append(last.seconds)
  }
  print(
    "[manual] threads=\(threads) weight=\(String(format: "%.3f", last.weight)) bias=\(String(format: "%.3f", last.bias)) cost=\(String(format: "%.3f", last.cost)) runs: \(times.map { String(format: "%.3f", $0) }.joined(separator: ", "))"
  )
  result("linreg_manual_us_per_epoch", median(times) / Double(epochs) * 1e6, "us", format: "%.2f")
}

if workloads.contains("gemm") {
  var (l1d, l2, l3) = (0, 0, 0)
  descent_cache_info(&l1d, &l2, &l3)
  var (mc, kc, nc) = (0, 0, 0)
  descent_gemm_get_blocking(0, &mc, &kc, &nc)
  print(
    "gemm path: \(String(cString: descent_gemm_path())), caches L1d \(l1d >> 10) KiB, L2 \(l2 >> 10) KiB, "
      + "L3 \(l3 >> 10) KiB per core; float32 blocking mc \(mc) kc \(kc) nc \(nc)")
  // (name, m, k, n, A stored transposed, B stored transposed): squares, the MLP's layers as
  // plain products, and the three products of each layer in training (Benchmarks/gemm_ref.py
  // measures the same names): forward x·Wᵀ, weight gradient gᵀ·x, input gradient g·W.
  let shapes: [(String, Int, Int, Int, Bool, Bool)] =
    [64, 128, 256, 512, 1024, 2048].map { ("sq\($0)", $0, $0, $0, false, false) } + [
      ("128x784x512", 128, 784, 512, false, false), ("128x512x256", 128, 512, 256, false, false),
      ("fwd_128x784x512", 128, 784, 512, false, true),
      ("wgrad_512x128x784", 512, 128, 784, true, false),
      ("igrad_128x512x784", 128, 512, 784, false, false),
      ("fwd_128x512x256", 128, 512, 256, false, true),
      ("wgrad_256x128x512", 256, 128, 512, true, false),
      ("igrad_128x256x512", 128, 256, 512, false, false),
    ]
  for dtype in [DType.float32, .float64] {
    for (label, m, k, n, transA, transB) in shapes {
      manualSeed(0)
      // Stored as the training step stores them; .T gives GEMM the transposed view directly.
      let a = transA ? Tensor.randn([k, m], dtype: dtype).T : Tensor.randn([m, k], dtype: dtype)
      let b = transB ? Tensor.randn([n, k], dtype: dtype).T : Tensor.randn([k, n], dtype: dtype)
      let flops = 2.0 * Double(m * n * k)
      // Enough repetitions for about 0.2 s per measurement, at least 3.
      let reps = Swift.max(3, Int(0.2 / (flops / 100e9)))
      _ = a.matmul(b)
      var rates: [Double] = []
      for _ in 0..<5 {
        let start = now()
        for _ in 0..<reps { _ = a.matmul(b) }
        rates.append(flops * Double(reps) / (now() - start) / 1e9)
      }
      let prefix = dtype == .float32 ? "descent_sgemm" : "descent_dgemm"
      result("\(prefix)_\(label)", median(rates), "GFLOP/s", format: "%.1f")
    }
  }
}

if workloads.contains("io") { runIOBenchmarks() }
if workloads.contains("heightweight") { runHeightWeightBenchmark() }
if workloads.contains("mlp") { runMLPBenchmark() }
if workloads.contains("overhead") { runOverheadBenchmark() }
if workloads.contains("memory") { runMemoryBenchmark() }
if workloads.contains("cnn") { runCNNBenchmark() }
if workloads.contains("allreduce") { runAllReduceBenchmark() }
if workloads.contains("threads") { runThreadsBenchmark() }
if workloads.contains("scaling") {
  runScalingBenchmark(torchJSON: torchJSON, output: scalingOutput)
}
if workloads.contains("lstm") { runLSTMBenchmark() }
if workloads.contains("transformer") { runTransformerBenchmark() }
if workloads.contains("lstm") || workloads.contains("transformer") {
  result("seq_peak_rss", peakRSSMegabytes(), "MB", format: "%.0f")
}
