import Descent
import Foundation

// `descent-bench cnn`: cnn_train_torch.py's workload on the same data: 12,800 synthetic
// 1×28×28 images from NumPy's default_rng(0) reproduced (NumPyRandom.swift): class means
// N(0, 0.3²) in float64 then float32, uniform labels, samples N(0, 1) in float32 plus their
// class mean; LeNet-style Conv2d(1,16,5,p2)-ReLU-MaxPool2d(2)-Conv2d(16,32,5,p2)-ReLU-
// MaxPool2d(2)-Flatten-Linear(1568,128)-ReLU-Linear(128,10), CrossEntropyLoss, Adam 1e-3,
// batch 64 shuffled by Generator(seed: 0), manualSeed(0) for the initial weights (both as
// PyTorch draws them); one epoch timed, then the accuracy on the whole set (not timed).

/// X [samples, 1, 28, 28] float32 and Y [samples] int64 as NumPy makes them, X filled chunk by
/// chunk so that no second copy of it exists.
private func makeImages(samples: Int, classes: Int) -> (Tensor, Tensor) {
  let pixels = 28 * 28
  var rng = NumPyGenerator(seed: 0)
  let means = (0..<(classes * pixels)).map { _ in Float(0.3 * rng.standardNormal()) }
  let labels = (0..<samples).map { _ in rng.integer(below: UInt32(classes)) }
  let x = Tensor.zeros([samples, 1, 28, 28])
  var sum = 0.0
  var start = 0
  while start < samples {
    let end = Swift.min(start + 1000, samples)
    var chunk = [Float](repeating: 0, count: (end - start) * pixels)
    for (i, label) in labels[start..<end].enumerated() {
      for p in 0..<pixels {
        let value = rng.standardNormalFloat() + means[label * pixels + p]
        chunk[i * pixels + p] = value
        sum += Double(value)
      }
    }
    noGrad { _ = x[start..<end].copy_(Tensor(shape: [end - start, 1, 28, 28], scalars: chunk)) }
    start = end
  }
  // What NumPy 2 computes for these arrays (its sum in float64; the order of the additions
  // differs, hence the tolerance): a different generator would give other images.
  guard Swift.abs(sum - -7352.136190202858) < 1e-6, labels.reduce(0, +) == 57527 else {
    fatalError(
      "descent-bench: the synthetic images differ from NumPy's (sum \(sum), labels \(labels.reduce(0, +)))"
    )
  }
  return (x, Tensor(integers: labels))
}

@MainActor
func runCNNBenchmark() {
  let (samples, classes, batch) = (12800, 10, 64)
  let rssStart = peakRSSMegabytes()
  let (x, y) = makeImages(samples: samples, classes: classes)
  let rssData = peakRSSMegabytes()
  manualSeed(0)
  let model = Sequential([
    Conv2d(1, 16, kernelSize: 5, padding: 2), ReLU(), MaxPool2d(kernelSize: 2),
    Conv2d(16, 32, kernelSize: 5, padding: 2), ReLU(), MaxPool2d(kernelSize: 2),
    Flatten(), Linear(32 * 7 * 7, 128), ReLU(), Linear(128, classes),
  ])
  let criterion = CrossEntropyLoss()
  let optimizer = Adam(model.parameters(), lr: 1e-3)
  let perm = Tensor.randperm(samples, generator: Generator(seed: 0))

  model.train()
  var lastLoss = Tensor(0)
  let cpuStart = cpuSeconds()
  let start = now()
  var i = 0
  while i < samples {
    let index = perm[i..<Swift.min(i + batch, samples)]
    let loss = criterion(model(x.indexSelect(0, index)), y.indexSelect(0, index))
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
    lastLoss = loss
    i += batch
  }
  let seconds = now() - start
  let cpu = cpuSeconds() - cpuStart
  let rssTrained = peakRSSMegabytes()

  model.eval()
  let accuracy = classificationAccuracy(of: model, x, y)
  print(
    "epoch_s=\(String(format: "%.3f", seconds)) epoch_cpu_s=\(String(format: "%.3f", cpu)) last_loss=\(String(format: "%.4f", lastLoss.item())) final_train_acc=\(String(format: "%.4f", accuracy))"
  )
  print(
    "maxrss_MB: start=\(String(format: "%.0f", rssStart)) after_data=\(String(format: "%.0f", rssData)) after_epoch=\(String(format: "%.0f", rssTrained)) peak=\(String(format: "%.0f", peakRSSMegabytes()))"
  )
  result("cnn_final_train_acc", accuracy, "fraction", format: "%.4f")
  result("cnn_peak_rss", peakRSSMegabytes(), "MB", format: "%.0f")
  result("cnn_samples_per_s", Double(samples) / seconds, "samples/s", format: "%.0f")
}

/// CPU time of the process so far (all threads), in seconds: on a shared machine it shows the
/// work done when the wall clock also counts waiting for a core.
func cpuSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
