import Descent
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// `descent-bench mlp`: mlp_train_torch.py's workload. 60000×784 synthetic blobs (class means
// N(0, 0.1²), samples mean + N(0, 1), uniform labels) from Descent's generator, since NumPy's
// cannot be reproduced; MLP 784-512-256-10 with ReLU, CrossEntropyLoss, Adam 1e-3, batch 128,
// shuffled by Generator(seed: 0), manualSeed(0) for the initial weights; one epoch timed.

/// The peak resident set size in MB (getrusage's ru_maxrss is in KiB on Linux).
func peakRSSMegabytes() -> Double {
  var usage = rusage()
  #if os(Linux)
    _ = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
  #else
    _ = getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / 1024 / 1024  // bytes on macOS
  #endif
}

/// X [samples, features] float32 and Y [samples] int64, built in place chunk by chunk so that
/// no second copy of X exists at any time.
func makeBlobs(samples: Int, features: Int, classes: Int) -> (Tensor, Tensor) {
  noGrad {
    let generator = Generator(seed: 0)
    let means = Tensor.randn([classes, features], generator: generator) * 0.1
    let labels = Tensor.randint(0, classes, [samples], generator: generator)
    let x = Tensor.randn([samples, features], generator: generator)
    let chunk = 1000
    var start = 0
    while start < samples {
      let end = Swift.min(start + chunk, samples)
      _ = x[start..<end].add_(means.indexSelect(0, labels[start..<end]))
      start = end
    }
    return (x, labels)
  }
}

/// The share of the rows of `x` that `model` puts in their class `y`, without gradients, 1000
/// rows at a time (the whole set at once would hold every activation).
func classificationAccuracy(of model: Module, _ x: Tensor, _ y: Tensor) -> Double {
  let samples = x.shape[0]
  var correct = 0
  noGrad {
    var j = 0
    while j < samples {
      let end = Swift.min(j + 1000, samples)
      correct += Int(model(x[j..<end]).argmax(dim: 1).eq(y[j..<end]).sum().item())
      j = end
    }
  }
  return Double(correct) / Double(samples)
}

@MainActor
func runMLPBenchmark() {
  let (samples, features, classes, batch) = (60000, 784, 10, 128)
  let rssStart = peakRSSMegabytes()
  let (x, y) = makeBlobs(samples: samples, features: features, classes: classes)
  let rssData = peakRSSMegabytes()
  manualSeed(0)
  let model = Sequential([
    Linear(features, 512), ReLU(),
    Linear(512, 256), ReLU(),
    Linear(256, classes),
  ])
  let criterion = CrossEntropyLoss()
  let optimizer = Adam(model.parameters(), lr: 1e-3)
  let perm = Tensor.randperm(samples, generator: Generator(seed: 0))

  model.train()
  var correct = 0
  var steps = 0
  var lastLoss = 0.0
  let start = now()
  var i = 0
  while i < samples {
    let index = perm[i..<Swift.min(i + batch, samples)]
    let xb = x.indexSelect(0, index)
    let yb = y.indexSelect(0, index)
    let out = model(xb)
    let loss = criterion(out, yb)
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
    correct += Int(out.argmax(dim: 1).eq(yb).sum().item())
    lastLoss = loss.item()
    steps += 1
    i += batch
  }
  let seconds = now() - start
  let runningAccuracy = Double(correct) / Double(samples)

  model.eval()
  let finalAccuracy = classificationAccuracy(of: model, x, y)
  let rssPeak = peakRSSMegabytes()
  let rate = Double(samples) / seconds
  print(
    "steps=\(steps) epoch_s=\(String(format: "%.3f", seconds)) samples_per_s=\(String(format: "%.0f", rate)) ms_per_step=\(String(format: "%.2f", seconds / Double(steps) * 1e3)) last_loss=\(String(format: "%.4f", lastLoss))"
  )
  print(
    "running_train_acc=\(String(format: "%.4f", runningAccuracy)) final_train_acc=\(String(format: "%.4f", finalAccuracy))"
  )
  print(
    "maxrss_MB: start=\(String(format: "%.0f", rssStart)) after_data=\(String(format: "%.0f", rssData)) peak=\(String(format: "%.0f", rssPeak))"
  )
  result("mlp_epoch_time", seconds, "s", format: "%.3f")
  result("mlp_running_train_acc", runningAccuracy, "fraction", format: "%.4f")
  result("mlp_final_train_acc", finalAccuracy, "fraction", format: "%.4f")
  result("mlp_peak_rss", rssPeak, "MB", format: "%.0f")
  result("mlp_samples_per_s", rate, "samples/s", format: "%.0f")
}
