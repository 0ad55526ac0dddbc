import CDescentKernels
import Descent
import DescentPlot
import Foundation

// `descent-bench scaling`: training steps of an MLP 784-h-h-10 (ReLU, CrossEntropyLoss, Adam
// 1e-3) for batch sizes 1 to 512 and hidden widths 64 to 1024, in samples per second, the same
// sweep as Benchmarks/scaling_torch.py. Data: 4096 synthetic samples (normal features, uniform
// labels) taken batch after batch. With `--torch FILE` (the JSON scaling_torch.py writes) it also
// draws both sides as an SVG chart (`--out FILE`, default scaling.svg).

let scalingBatches = [1, 8, 32, 128, 512]
let scalingWidths = [64, 256, 1024]

/// Samples per second of training steps for one (batch, hidden) pair: the median of 3 runs of
/// at least 0.25 s (and 10 steps) each, after 5 warm-up steps.
func scalingRate(batch: Int, hidden: Int, x: Tensor, y: Tensor) -> Double {
  manualSeed(0)
  let model = Sequential([
    Linear(784, hidden), ReLU(), Linear(hidden, hidden), ReLU(), Linear(hidden, 10),
  ])
  let criterion = CrossEntropyLoss()
  let optimizer = Adam(model.parameters(), lr: 1e-3)
  let samples = x.shape[0]
  var position = 0
  func step() {
    if position + batch > samples { position = 0 }
    let xb = x[position..<(position + batch)]
    let yb = y[position..<(position + batch)]
    position += batch
    let loss = criterion(model(xb), yb)
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
  }
  for _ in 0..<5 { step() }
  var rates: [Double] = []
  for _ in 0..<3 {
    var steps = 0
    let start = now()
    while steps < 10 || now() - start < 0.25 {
      step()
      steps += 1
    }
    rates.append(Double(steps * batch) / (now() - start))
  }
  return median(rates)
}

/// One side of the chart: samples/s by hidden width, then by batch size.
struct ScalingSide {
  var label: String
  var rates: [Int: [Int: Double]] = [:]
}

/// Reads scaling_torch.py's JSON: {"threads": n, "results": [{"batch", "hidden", "samples_per_s"}]}.
func readTorchScaling(_ path: String) throws -> ScalingSide {
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
    let results = root["results"] as? [[String: Any]]
  else {
    throw PlotError.invalidArgument("\(path): expected an object with a \"results\" list")
  }
  let threads = root["threads"] as? Int ?? 0
  var side = ScalingSide(label: "PyTorch \(root["torch"] as? String ?? ""), \(threads) threads")
  for (index, item) in results.enumerated() {
    guard let batch = item["batch"] as? Int, let hidden = item["hidden"] as? Int,
      let rate = item["samples_per_s"] as? Double
    else {
      throw PlotError.invalidArgument(
        "\(path): results[\(index)] needs integer batch, hidden and a number samples_per_s")
    }
    side.rates[hidden, default: [:]][batch] = rate
  }
  return side
}

/// One panel per hidden width: samples/s against batch size (log₂), Descent solid, PyTorch dashed.
func scalingChart(_ sides: [ScalingSide], machine: String) throws -> FigureGrid {
  let xs = scalingBatches.map { log2(Double($0)) }
  let colors = [Color.tabBlue, Color.tabOrange]
  let panels = try scalingWidths.map { hidden in
    let series = sides.enumerated().map { index, side in
      Series(
        side.label, xs: xs, ys: scalingBatches.map { side.rates[hidden]?[$0] ?? .nan },
        color: colors[index % colors.count], dashed: index > 0, markers: true)
    }
    return try LineChart(
      series: series, title: "784-\(hidden)-\(hidden)-10",
      xLabel: "log₂ batch size (0 = 1, 9 = 512)",
      yLabel: "samples/s", logY: true, width: 420, height: 360)
  }
  return try FigureGrid(
    panels: panels, columns: 3,
    title: "MLP training step (Adam), samples/s against batch size: \(machine)")
}

@MainActor
func runScalingBenchmark(torchJSON: String?, output: String) {
  let generator = Generator(seed: 0)
  let x = Tensor.randn([4096, 784], generator: generator)
  let y = Tensor.randint(0, 10, [4096], generator: generator)
  var descent = ScalingSide(label: "Descent, \(threads) threads")
  for hidden in scalingWidths {
    for batch in scalingBatches {
      let rate = scalingRate(batch: batch, hidden: hidden, x: x, y: y)
      descent.rates[hidden, default: [:]][batch] = rate
      result("scaling_samples_per_s_b\(batch)_h\(hidden)", rate, "samples/s", format: "%.0f")
    }
  }
  guard let torchJSON else { return }
  do {
    let torch = try readTorchScaling(torchJSON)
    for hidden in scalingWidths {
      let ratios = scalingBatches.map { batch -> String in
        guard let d = descent.rates[hidden]?[batch], let t = torch.rates[hidden]?[batch] else {
          return "-"
        }
        return String(format: "%.2f", d / t)
      }
      print("hidden \(hidden): Descent / PyTorch by batch \(scalingBatches): \(ratios)")
    }
    let chart = try scalingChart([descent, torch], machine: machineDescription())
    try chart.write(to: URL(fileURLWithPath: output))
    print("scaling chart written to \(output)")
  } catch {
    FileHandle.standardError.write("descent-bench scaling: \(error)\n".data(using: .utf8)!)
    exit(1)
  }
}

/// "AMD EPYC, 2 cores (AVX2)"-style: the CPU model from /proc/cpuinfo, usable cores, GEMM path.
func machineDescription() -> String {
  var model = "unknown CPU"
  if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
    let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
    let colon = line.firstIndex(of: ":")
  {
    model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
  }
  return "\(model), \(numThreads) threads, \(String(cString: descent_gemm_path()))"
}
