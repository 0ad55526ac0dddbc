import Descent
import Foundation
import Testing

/// Tests/Fixtures/evaluation.json, written by make_evaluation_fixtures.py (which documents the
/// layout): scikit-learn's metric definitions, PyTorch training runs with held-out rows, and
/// what `descent evaluate` prints.
struct EvaluationFixtures: Decodable, Sendable {
  struct RegressionMetrics: Decodable, Sendable {
    let truth: [Double]
    let predicted: [Double]
    let mse: Double
    let mae: Double
    let r2: Double
  }
  struct ClassificationMetrics: Decodable, Sendable {
    let truth: [Int]
    let predicted: [Int]
    let classes: Int
    let accuracy: Double
    let confusion: [[Int]]
  }
  struct Metrics: Decodable, Sendable {
    let regression: [RegressionMetrics]
    let classification: ClassificationMetrics
  }
  struct Epoch: Decodable, Sendable {
    let loss: Double
    let lr: Double
    let accuracy: Double?
    let val_loss: Double
    let val_accuracy: Double?
    let val_mse: Double?
    let val_mae: Double?
    let val_r2: Double?
  }
  struct Run: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let train: String
    let val: String
    let options: [String]
    let history: [Epoch]
    let best_epoch: Int?
    let best_weights: [String: [Double]]?
    var testDescription: String { name }
  }
  struct EvaluateCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let csv: String
    let loss: String
    let weight: [[Double]]
    let bias: [Double]
    let mean: [Double]?
    let scale: [Double]?
    let confusion: [[Int]]?
    let printed: [String]
    var testDescription: String { name }
  }
  let metrics: Metrics
  let runs: [Run]
  let evaluate: [EvaluateCase]

  static let shared: EvaluationFixtures = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/evaluation.json")
    do {
      return try JSONDecoder().decode(EvaluationFixtures.self, from: Data(contentsOf: url))
    } catch {
      fatalError("cannot read \(url.path): \(error)")
    }
  }()
}

@Suite("Metrics against scikit-learn's definitions")
struct MetricsTests {
  @Test func regressionMetrics() {
    for item in EvaluationFixtures.shared.metrics.regression {
      let tolerance = { (expected: Double) in 1e-12 * max(1, abs(expected)) }
      #expect(abs(meanSquaredError(item.truth, item.predicted) - item.mse) <= tolerance(item.mse))
      #expect(abs(meanAbsoluteError(item.truth, item.predicted) - item.mae) <= tolerance(item.mae))
      #expect(abs(r2Score(item.truth, item.predicted) - item.r2) <= tolerance(item.r2))
    }
  }

  /// Constant truth: 1 for exact predictions, 0 otherwise (force_finite), never NaN.
  @Test func r2OfConstantTruth() {
    #expect(r2Score([2, 2, 2], [2, 2, 2]) == 1)
    #expect(r2Score([2, 2, 2], [1, 2, 3]) == 0)
  }

  @Test func accuracyAndConfusionMatrix() {
    let item = EvaluationFixtures.shared.metrics.classification
    #expect(accuracyScore(item.truth, item.predicted) == item.accuracy)
    #expect(confusionMatrix(item.truth, item.predicted, classes: item.classes) == item.confusion)
    // Rows are the true class: one sample of class 0 predicted as 2.
    #expect(confusionMatrix([0], [2], classes: 3) == [[0, 0, 1], [0, 0, 0], [0, 0, 0]])
  }

  /// scikit-learn's messages for inputs that do not pair up.
  @Test func mismatchedLengthsStop() async {
    let unequal = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = meanSquaredError([1, 2], [1])
    }
    expectStopMessage(
      unequal, op: "mean_squared_error",
      ["Found input variables with inconsistent numbers of samples: [2, 1]"])
    let empty = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = r2Score([], [])
    }
    expectStopMessage(
      empty, op: "r2_score", ["Found array with 0 sample(s) while a minimum of 1 is required."])
  }
}
