import CDescentKernels
import Descent
import Foundation

// descent-bench: the workloads of shared/bench, printing the same `RESULT name=… threads=…
// value=… unit=…` lines so that the two can be compared side by side.
//
// Usage: descent-bench [linreg] [gemm] [io] [mlp] [heightweight] [overhead] [memory] [cnn]
//                      [allreduce] [--threads N]
// (no workload names: all of them but allreduce, which runs as an MPI job of 2 processes)

let arguments = Array(CommandLine.arguments.dropFirst())
var threads = 1
var workloads: [String] = []
var index = 0
while index < arguments.count {
  let argument = arguments[index]
  if argument == "--threads", index + 1 < arguments.count, let n = Int(arguments[index + 1]) {
    threads = n
    index += 2
    continue
  }
  if argument.hasPrefix("--threads="), let n = Int(argument.dropFirst("--threads=".count)) {
    threads = n
  } else if argument == "-h" || argument == "--help" {
    print(
      "usage: descent-bench [linreg] [gemm] [io] [mlp] [heightweight] [overhead] [memory] [cnn] [allreduce] [--threads N]"
    )
    exit(0)
  } else if ["linreg", "gemm", "io", "mlp", "heightweight", "overhead", "memory", "cnn", "allreduce"]
    .contains(argument)
  {
    workloads.append(argument)
  } else {
    FileHandle.standardError.write(
      "descent-bench: unknown argument '\(argument)'\n".data(using: .utf8)!)
    exit(2)
  }
  index += 1
}
if workloads.isEmpty {
  workloads = ["linreg", "gemm", "io", "heightweight", "mlp", "overhead", "memory", "cnn"]
}
guard threads >= 1 else {
  FileHandle.standardError.write(
    "descent-bench: --threads needs a positive count\n".data(using: .utf8)!)
  exit(2)
}
setNumThreads(threads)
threads = numThreads

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
  print("gemm path: \(String(cString: descent_gemm_path()))")
  let shapes: [(String, Int, Int, Int)] =
    [64, 128, 256, 512, 1024, 2048].map { ("sq\($0)", $0, $0, $0) } + [
      ("128x784x512", 128, 784, 512), ("128x512x256", 128, 512, 256),
    ]
  for dtype in [DType.float32, .float64] {
    for (label, m, k, n) in shapes {
      manualSeed(0)
      let a = Tensor.randn([m, k], dtype: dtype)
      let b = Tensor.randn([k, n], dtype: dtype)
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
