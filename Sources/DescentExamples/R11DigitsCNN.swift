import Descent
import DescentPlot
import Foundation

/// R11, the vision chapter: a small convolutional network on the 8×8 digits (1,797 images of
/// handwritten digits, pixel values 0–16), trained on 80% of them and judged on the other 20%
/// it never sees: learning curves of both losses, the held-out accuracy, held-out digits with
/// the labels the network gives them, and the filters its first layer learned.
public enum R11DigitsCNN: Experiment {
  public static let name = "r11"
  public static let summary = "a small CNN on the 8×8 digits, judged on held-out images"

  /// The digits file shipped with the tests: 64 pixel columns `px0`…`px63` and `digit`.
  static let dataFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tests/Fixtures/data/digits.csv")

  static let epochs = 12
  static let batchSize = 32

  /// Why the experiment cannot run.
  struct MissingData: Error, CustomStringConvertible {
    let description: String
  }

  public static func run(_ context: ExperimentContext) throws {
    guard FileManager.default.fileExists(atPath: dataFile.path) else {
      throw MissingData(
        description: "r11 needs the digits data set at \(dataFile.path) (a source checkout)")
    }
    let (pixels, labels, _) = try loadCSV(dataFile, target: "digit", targetDType: .int64)
    // Images [N, 1, 8, 8] scaled to [0, 1]; a fixed shuffle splits 80% / 20%.
    let images = (pixels / 16).reshaped([-1, 1, 8, 8])
    let count = images.shape[0]
    let order = Tensor.randperm(count, generator: Generator(seed: 0))
    let trainCount = count * 4 / 5
    let (trainX, trainY) = (
      images.indexSelect(0, order[0..<trainCount]), labels.indexSelect(0, order[0..<trainCount])
    )
    let (testX, testY) = (
      images.indexSelect(0, order[trainCount..<count]),
      labels.indexSelect(0, order[trainCount..<count])
    )
    context.say("\(trainCount) training images, \(count - trainCount) held out")

    manualSeed(0)
    let firstLayer = Conv2d(1, 16, kernelSize: 3, padding: 1)
    let model = Sequential(
      firstLayer, ReLU(), MaxPool2d(kernelSize: 2),
      Conv2d(16, 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
      Flatten(), Linear(32 * 2 * 2, 64), ReLU(), Linear(64, 10))
    context.say("\(model)")
    let criterion = CrossEntropyLoss()
    let optimizer = Adam(model.parameters(), lr: 3e-3)
    let shuffle = Generator(seed: 1)

    var trainLosses: [Double] = []
    var testLosses: [Double] = []
    for epoch in 1...epochs {
      _ = model.train()
      let permutation = Tensor.randperm(trainCount, generator: shuffle)
      var (total, seen) = (0.0, 0)
      for start in stride(from: 0, to: trainCount, by: batchSize) {
        let batch = permutation[start..<min(start + batchSize, trainCount)]
        let loss = criterion(model(trainX.indexSelect(0, batch)), trainY.indexSelect(0, batch))
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        total += loss.item() * Double(batch.shape[0])
        seen += batch.shape[0]
      }
      _ = model.eval()
      let (testLoss, accuracy) = noGrad {
        let scores = model(testX)
        return (criterion(scores, testY).item(), Self.accuracy(scores, testY))
      }
      trainLosses.append(total / Double(seen))
      testLosses.append(testLoss)
      context.say(
        "epoch \(padded(epoch, 2))/\(epochs) train loss \(fixed(total / Double(seen), 4)) held-out loss \(fixed(testLoss, 4)) held-out accuracy \(fixed(accuracy, 4))"
      )
    }

    let scores = noGrad { model(testX) }
    let predicted = scores.argmax(dim: 1).toArray(as: Int64.self)
    let truth = testY.toArray(as: Int64.self)
    let accuracy = Self.accuracy(scores, testY)
    let wrong = zip(predicted, truth).filter { $0 != $1 }.count
    context.say(
      "held-out accuracy \(fixed(accuracy, 4)) (\(truth.count - wrong) of \(truth.count) right)")

    let epochsAxis = (1...epochs).map(Double.init)
    try context.figure(
      "learning-curves",
      LineChart(
        series: [
          Series("training loss", xs: epochsAxis, ys: trainLosses, markers: true),
          Series("held-out loss", xs: epochsAxis, ys: testLosses, markers: true),
        ],
        title: "Digits CNN: loss per epoch", xLabel: "epoch", yLabel: "cross-entropy loss",
        logY: true))

    // The first 40 held-out digits and every other wrong one, predictions as captions.
    let shown = Array(
      truth.indices.filter { $0 < 40 || predicted[$0] != truth[$0] }.prefix(60))
    let heldOut = testX.toDoubles()
    try context.figure(
      "held-out-predictions",
      ImageGrid(
        images: shown.map { Array(heldOut[$0 * 64..<($0 + 1) * 64]) }, imageWidth: 8,
        imageHeight: 8,
        captions: shown.map {
          predicted[$0] == truth[$0]
            ? "\(predicted[$0])" : "\(predicted[$0]) (is \(truth[$0]))"
        },
        marked: shown.map { predicted[$0] != truth[$0] }, columns: 10,
        title:
          "Held-out digits and predicted labels (wrong ones in red), accuracy \(fixed(accuracy, 3))"
      ))

    // The 16 filters of the first convolution, each 3×3; dark is a large weight.
    let weights = firstLayer.weight.detach().toDoubles()
    try context.figure(
      "first-layer-filters",
      ImageGrid(
        images: (0..<16).map { Array(weights[$0 * 9..<($0 + 1) * 9]) }, imageWidth: 3,
        imageHeight: 3, captions: (0..<16).map { "filter \($0)" }, columns: 8,
        title: "First-layer filters (3×3)"))
  }

  /// The fraction of rows whose largest score is at the label.
  static func accuracy(_ scores: Tensor, _ labels: Tensor) -> Double {
    let predicted = scores.argmax(dim: 1).toArray(as: Int64.self)
    let truth = labels.toArray(as: Int64.self)
    return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
  }
}
