import ArgumentParser
import Descent
import DescentPlot
import Foundation

/// `descent evaluate`: scores a model written by `descent train` on labelled rows.
struct Evaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Score a trained model on a CSV file with the target column.",
    discussion: """
      The model's feature columns are read from --data by name, standardised as in training, \
      and the model's output is compared with the target column (the one it was trained on, \
      or --target). The metrics follow scikit-learn's definitions:
        regression      loss, mse, mae, r2 (1 − residual / total sum of squares)
        classification  loss, accuracy and the confusion matrix (rows: true class,
                        columns: predicted class, as sklearn.metrics.confusion_matrix)

      For a classification model the confusion matrix is also drawn as a heat map with \
      its counts, confusion-matrix.svg, in --out (default: the current folder).

      Examples:
        descent evaluate --model iris-model/model.safetensors --data iris-test.csv
        descent evaluate --model run/model.safetensors --data new.csv --target label \\
          --out report
      """
  )

  @OptionGroup var modelOption: ModelOption

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The CSV file with the model's feature columns and the target.", valueName: "file"))
  var data: String

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The target column (default: the one the model was trained on).", valueName: "column"))
  var target: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The folder for confusion-matrix.svg (default: the current folder).", valueName: "dir"))
  var out: String?

  func run() throws {
    let folder = try OutputFolder(path: out ?? ".")
    let (description, network) = try modelOption.load()
    let rows = try labelledRows(description)
    let evaluation = Evaluation.measure(network, description, on: rows)
    var lines = [
      "rows \(evaluation.rows)",
      "loss \(String(format: "%.6g", evaluation.loss)) (\(description.loss.rawValue))",
    ]
    var written: [String] = []
    if let accuracy = evaluation.accuracy, let confusion = evaluation.confusion {
      let right = confusion.indices.reduce(0) { $0 + confusion[$1][$1] }
      lines.append(
        String(format: "accuracy %.4f (%d of %d rows)", accuracy, right, evaluation.rows))
      lines.append("confusion matrix (rows: true class, columns: predicted class)")
      lines += confusionTable(confusion)
      let labels = confusion.indices.map(String.init)
      let figure = try reportingOneLine {
        try HeatMap(
          counts: confusion, rowLabels: labels, columnLabels: labels,
          title: "Confusion matrix (\(evaluation.rows) rows)", xLabel: "predicted class",
          yLabel: "true class")
      }
      try reportingOneLine {
        try folder.commit { staging in
          try figure.write(to: staging.appendingPathComponent("confusion-matrix.svg"))
        }
      }
      written.append(out == nil ? "confusion-matrix.svg" : folder.shown("confusion-matrix.svg"))
    } else {
      lines += [
        "mse \(String(format: "%.6g", evaluation.mse!))",
        "mae \(String(format: "%.6g", evaluation.mae!))",
        "r2 \(String(format: "%.4f", evaluation.r2!))",
      ]
    }
    if !written.isEmpty { lines.append("wrote " + written.joined(separator: ", ")) }
    print(lines.joined(separator: "\n"))
  }

  /// The confusion matrix as right-aligned columns under the predicted classes.
  private func confusionTable(_ matrix: [[Int]]) -> [String] {
    let width = max(
      String(matrix.count - 1).count, matrix.joined().map { String($0).count }.max() ?? 1)
    func cell(_ text: String) -> String {
      String(repeating: " ", count: width + 2 - text.count) + text
    }
    let margin = String(repeating: " ", count: String(matrix.count - 1).count)
    var lines = [margin + " " + matrix.indices.map { cell(String($0)) }.joined()]
    for (row, counts) in matrix.enumerated() {
      let label = String(row)
      lines.append(
        String(repeating: " ", count: margin.count - label.count) + label + " "
          + counts.map { cell(String($0)) }.joined())
    }
    return lines
  }

  /// The rows of --data: the model's features and the target, every value checked.
  private func labelledRows(_ description: ModelFile) throws -> TrainingData {
    let table = try readCSV(data)
    let column = target ?? description.target
    let raw: Tensor
    let targets: [Double]
    do {
      raw = try table.tensor(columns: description.features, dtype: .float64)
      targets = try table.column(column)
    } catch let error as CSVError where error.kind == .unknownColumn {
      let needed = (description.features + [column]).map { "\"\($0)\"" }.joined(separator: ", ")
      throw CLIError(
        "\(error.naming(data)) (the model \"\(modelOption.model)\" needs the columns \(needed))")
    } catch let error as CSVError {
      throw CLIError.wrapping(error.naming(data))
    }
    guard table.rowCount > 0 else { throw CLIError("CSV \"\(data)\": no rows to evaluate on") }
    let values = raw.toDoubles()
    let width = description.features.count
    if let flat = values.firstIndex(where: { !$0.isFinite }) {
      throw CLIError(
        "CSV \"\(data)\", line \(table.line(ofRow: flat / width)), column \"\(description.features[flat % width])\": \(values[flat]) is not a finite number"
      )
    }
    if let row = targets.firstIndex(where: { !$0.isFinite }) {
      throw CLIError(
        "CSV \"\(data)\", line \(table.line(ofRow: row)), column \"\(column)\": \(targets[row]) is not a finite number"
      )
    }
    let loss = description.loss
    let targetTensor: Tensor
    if loss.isClassification {
      let classes = loss == .ce ? description.outputs : 2
      if let row = targets.firstIndex(where: {
        !($0 >= 0 && $0 < Double(classes) && $0.rounded(.towardZero) == $0)
      }) {
        throw CLIError(
          "CSV \"\(data)\", line \(table.line(ofRow: row)), column \"\(column)\": class \(TrainingData.number(targets[row])) is not one the model was trained on (classes 0 to \(classes - 1))"
        )
      }
      targetTensor =
        loss == .ce
        ? Tensor(shape: [targets.count], scalars: targets.map { Int64($0) })
        : Tensor(shape: [targets.count, 1], scalars: targets.map { Float($0) })
    } else {
      targetTensor = Tensor(shape: [targets.count, 1], scalars: targets.map { Float($0) })
    }
    return TrainingData(
      file: data, featureNames: description.features, rawFeatures: raw, target: targetTensor,
      classes: loss == .ce ? description.outputs : nil, rawTarget: targets,
      lines: targets.indices.map { table.line(ofRow: $0) })
  }
}
