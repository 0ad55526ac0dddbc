import Descent
import Foundation

// `descent-bench cnn`: cnn_train_torch.py's workload. 12,800 synthetic 1×28×28 images (class
// means N(0, 0.3²), samples mean + N(0, 1), uniform labels) from Descent's generator with seed
// 0, since NumPy's cannot be reproduced; LeNet-style Conv2d(1,16,5,p2)-ReLU-MaxPool2d(2)-
// Conv2d(16,32,5,p2)-ReLU-MaxPool2d(2)-Flatten-Linear(1568,128)-ReLU-Linear(128,10),
// CrossEntropyLoss, Adam 1e-3, batch 64 shuffled by Generator(seed: 0), manualSeed(0) for the
// initial weights; one epoch timed, then the accuracy on the whole set (not timed).

/// X [samples, 1, 28, 28] float32 and Y [samples] int64, built in place chunk by chunk.
private func makeImages(samples: Int, classes: Int) -> (Tensor, Tensor) {
  noGrad {
    let generator = Generator(seed: 0)
    let means = Tensor.randn([classes, 1, 28, 28], generator: generator) * 0.3
    let labels = Tensor.randint(0, classes, [samples], generator: generator)
    let x = Tensor.randn([samples, 1, 28, 28], generator: generator)
    var start = 0
    while start < samples {
      let end = Swift.min(start + 1000, samples)
      _ = x[start..<end].add_(means.indexSelect(0, labels[start..<end]))
      start = end
    }
    return (x, labels)
  }
}

@MainActor
func runCNNBenchmark() {
  let (samples, classes, batch) = (12800, 10, 64)
  let (x, y) = makeImages(samples: samples, classes: classes)
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

  model.eval()
  var correct = 0
  noGrad {
    var j = 0
    while j < samples {
      let end = Swift.min(j + 1000, samples)
      correct += Int(model(x[j..<end]).argmax(dim: 1).eq(y[j..<end]).sum().item())
      j = end
    }
  }
  let accuracy = Double(correct) / Double(samples)
  print(
    "epoch_s=\(String(format: "%.3f", seconds)) epoch_cpu_s=\(String(format: "%.3f", cpu)) last_loss=\(String(format: "%.4f", lastLoss.item())) final_train_acc=\(String(format: "%.4f", accuracy))"
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
