/// Scores of predictions against the truth, with scikit-learn's definitions (`sklearn.metrics`):
/// sums in float64, whatever precision the predictions were made in.

/// The mean of the squared errors (`sklearn.metrics.mean_squared_error`).
///
/// - Precondition: `truth` and `predicted` have the same length, at least 1.
public func meanSquaredError(_ truth: [Double], _ predicted: [Double]) -> Double {
  checkPairs(truth.count, predicted.count, "mean_squared_error")
  var total = 0.0
  for (y, p) in zip(truth, predicted) { total += (y - p) * (y - p) }
  return total / Double(truth.count)
}

/// The mean of the absolute errors (`sklearn.metrics.mean_absolute_error`).
///
/// - Precondition: `truth` and `predicted` have the same length, at least 1.
public func meanAbsoluteError(_ truth: [Double], _ predicted: [Double]) -> Double {
  checkPairs(truth.count, predicted.count, "mean_absolute_error")
  var total = 0.0
  for (y, p) in zip(truth, predicted) { total += Swift.abs(y - p) }
  return total / Double(truth.count)
}

/// The coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²
/// (`sklearn.metrics.r2_score`): 1 for a perfect fit, 0 for predicting the mean, below 0 for
/// worse. Constant truth gives 1 when the predictions are exact and 0 otherwise, as
/// scikit-learn's `force_finite=True` does.
///
/// - Precondition: `truth` and `predicted` have the same length, at least 1.
public func r2Score(_ truth: [Double], _ predicted: [Double]) -> Double {
  checkPairs(truth.count, predicted.count, "r2_score")
  let mean = truth.reduce(0, +) / Double(truth.count)
  var residual = 0.0
  var spread = 0.0
  for (y, p) in zip(truth, predicted) {
    residual += (y - p) * (y - p)
    spread += (y - mean) * (y - mean)
  }
  guard spread != 0 else { return residual == 0 ? 1 : 0 }
  return 1 - residual / spread
}

/// The share of predictions equal to the truth (`sklearn.metrics.accuracy_score`).
///
/// - Precondition: `truth` and `predicted` have the same length, at least 1.
public func accuracyScore(_ truth: [Int], _ predicted: [Int]) -> Double {
  checkPairs(truth.count, predicted.count, "accuracy_score")
  let right = zip(truth, predicted).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
  return Double(right) / Double(truth.count)
}

/// The confusion matrix of classes `0..<classes` (`sklearn.metrics.confusion_matrix` with
/// `labels=range(classes)`): entry `[i][j]` counts the samples of true class `i` predicted as
/// class `j`, so rows are true classes and columns predicted ones.
///
/// - Precondition: equal lengths, and every label in `0..<classes`.
public func confusionMatrix(_ truth: [Int], _ predicted: [Int], classes: Int) -> [[Int]] {
  guard truth.count == predicted.count else {
    opFailure(
      "confusion_matrix",
      "Found input variables with inconsistent numbers of samples: [\(truth.count), \(predicted.count)]"
    )
  }
  var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
  for (y, p) in zip(truth, predicted) {
    guard (0..<classes).contains(y), (0..<classes).contains(p) else {
      opFailure(
        "confusion_matrix", "label \((0..<classes).contains(y) ? p : y) is not in 0..<\(classes)")
    }
    matrix[y][p] += 1
  }
  return matrix
}

/// Stops with scikit-learn's message for inputs of different or zero length.
private func checkPairs(_ a: Int, _ b: Int, _ name: String) {
  guard a == b else {
    opFailure(name, "Found input variables with inconsistent numbers of samples: [\(a), \(b)]")
  }
  guard a > 0 else {
    opFailure(name, "Found array with 0 sample(s) while a minimum of 1 is required.")
  }
}
