import Descent
import Foundation

/// A model's scores on labelled rows: its loss and, by task, accuracy and the confusion matrix
/// or MSE, MAE and R², with scikit-learn's definitions.
struct Evaluation {
  let rows: Int
  /// The loss the model trains with, as `criterion(model(x), y).item()` gives it (float32).
  let loss: Double
  let accuracy: Double?
  /// Rows are true classes and columns predicted ones, as `sklearn.metrics.confusion_matrix`.
  let confusion: [[Int]]?
  let mse: Double?
  let mae: Double?
  let r2: Double?

  /// Scores `model` on `data` in eval mode without recording a graph; the model's mode is
  /// restored afterwards.
  static func measure(_ model: Module, _ modelFile: ModelFile, on data: TrainingData) -> Evaluation
  {
    let wasTraining = model.training
    model.eval()
    defer { if wasTraining { model.train() } }
    let loss = modelFile.loss
    let (output, value) = noGrad { () -> (Tensor, Double) in
      let output = model(modelFile.inputs(fromRaw: data.rawFeatures))
      return (output, loss(output, data.target).item())
    }
    let scores = output.toFloats()
    if loss.isClassification {
      let truth = data.rawTarget.map { Int($0) }
      let classes = loss == .ce ? modelFile.outputs : 2
      let predicted = (0..<data.rows).map { row in
        loss == .ce
          ? predictedClass(scores[(row * classes)..<((row + 1) * classes)])
          : predictedBinaryClass(scores[row], loss: loss)
      }
      return Evaluation(
        rows: data.rows, loss: value, accuracy: accuracyScore(truth, predicted),
        confusion: confusionMatrix(truth, predicted, classes: classes), mse: nil, mae: nil,
        r2: nil)
    }
    let predicted = scores.map(Double.init)
    return Evaluation(
      rows: data.rows, loss: value, accuracy: nil, confusion: nil,
      mse: meanSquaredError(data.rawTarget, predicted),
      mae: meanAbsoluteError(data.rawTarget, predicted), r2: r2Score(data.rawTarget, predicted))
  }

  /// What one epoch's history keeps.
  var scores: ValidationScores {
    ValidationScores(loss: loss, accuracy: accuracy, mse: mse, mae: mae, r2: r2)
  }
}

/// The validation scores of one epoch.
struct ValidationScores: Sendable, Equatable {
  var loss: Double
  var accuracy: Double?
  var mse: Double?
  var mae: Double?
  var r2: Double?

  /// The column names after `val_loss`, by task.
  static func metricNames(classification: Bool) -> [String] {
    classification ? ["accuracy"] : ["mse", "mae", "r2"]
  }

  /// The values in the order of `metricNames`.
  var metrics: [Double] {
    accuracy.map { [$0] } ?? [mse ?? .nan, mae ?? .nan, r2 ?? .nan]
  }

  /// `loss metric…`, exact (round-trip) text, for checkpoints.
  var encoded: String { ([loss] + metrics).map { "\($0)" }.joined(separator: ",") }

  /// Reads `encoded` back: two values for classification, four for regression.
  init?(encoded text: Substring) {
    let fields = text.split(separator: ",", omittingEmptySubsequences: false)
    let numbers = fields.compactMap { Double($0) }
    guard numbers.count == fields.count else { return nil }
    switch numbers.count {
    case 2: self.init(loss: numbers[0], accuracy: numbers[1])
    case 4: self.init(loss: numbers[0], mse: numbers[1], mae: numbers[2], r2: numbers[3])
    default: return nil
    }
  }

  init(
    loss: Double, accuracy: Double? = nil, mse: Double? = nil, mae: Double? = nil,
    r2: Double? = nil
  ) {
    self.loss = loss
    self.accuracy = accuracy
    self.mse = mse
    self.mae = mae
    self.r2 = r2
  }
}
