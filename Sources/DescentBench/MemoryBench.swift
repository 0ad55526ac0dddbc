import Descent
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// `descent-bench memory`: 10,000 training steps must run in flat memory. Two loops (R2 through
// Linear + MSELoss + SGD, and a small MLP with CrossEntropyLoss + Adam on batches drawn by a
// DataLoader) are measured after 1,000 steps, once everything is warm, and again after 10,000:
// the resident set must not grow. A leak of one tensor and one graph node per step would show as
// several MB here.

/// The resident set now (not its peak), in MB.
private func residentMegabytes() -> Double {
  #if os(Linux)
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else {
      return 0
    }
    let fields = statm.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
  #else
    return peakRSSMegabytes()
  #endif
}

/// Runs `step` 10,000 times; returns the resident set after step 1,000 and after 10,000.
private func measureSteps(_ step: () -> Void) -> (warm: Double, end: Double) {
  var warm = 0.0
  for index in 1...10_000 {
    step()
    if index == 1_000 { warm = residentMegabytes() }
  }
  return (warm, residentMegabytes())
}

@MainActor
func runMemoryBenchmark() {
  let (x, y) = linregData()
  let model = Linear(1, 1)
  let criterion = MSELoss()
  let sgd = SGD(model.parameters(), lr: 0.001)
  let linreg = measureSteps {
    let loss = criterion(model(x), y)
    sgd.zeroGrad()
    loss.backward()
    sgd.step()
  }

  manualSeed(0)
  let features = Tensor.randn([2048, 64])
  let labels = Tensor.randint(0, 10, [2048])
  let loader = DataLoader(
    TensorDataset(features, labels), batchSize: 32, shuffle: true, generator: Generator(seed: 0))
  let mlp = Sequential([Linear(64, 128), ReLU(), Linear(128, 10)])
  let adam = Adam(mlp.parameters(), lr: 1e-3)
  let lossFunction = CrossEntropyLoss()
  var batches = loader.makeIterator()
  let classifier = measureSteps {
    guard
      let batch = batches.next()
        ?? {
          batches = loader.makeIterator()
          return batches.next()
        }()
    else { return }
    let loss = lossFunction(mlp(batch[0]), batch[1])
    adam.zeroGrad()
    loss.backward()
    adam.step()
  }

  for (name, run) in [("linreg", linreg), ("mlp", classifier)] {
    print(
      "[\(name)] resident set after 1000 steps \(String(format: "%.2f", run.warm)) MB, after 10000 \(String(format: "%.2f", run.end)) MB"
    )
    result("train_10k_\(name)_rss_growth", run.end - run.warm, "MB", format: "%.2f")
  }
}
