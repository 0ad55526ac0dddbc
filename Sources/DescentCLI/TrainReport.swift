import Descent
import DescentPlot
import Foundation

/// The result files of a training run, as text: `history.csv`, `summary.json` and the
/// learning-curve chart.
struct TrainReport {
  let history: [EpochRecord]
  let seconds: Double
  let model: Sequential
  let modelFile: ModelFile
  let rows: Int
  /// The settings worth keeping beside the numbers, in order (already JSON values).
  let settings: [(String, String)]
  /// The rows held out for validation (0 without).
  var validationRows = 0
  /// The epoch whose weights early stopping kept.
  var bestEpoch: Int? = nil
  /// The file lines of the rows `--val-split` held out, so that the split can be repeated.
  var validationLines: [Int]? = nil

  var finalLoss: Double { history.last?.loss ?? .nan }
  var finalAccuracy: Double? { history.last?.accuracy }
  /// The validation scores of the weights written: the best epoch's with early stopping.
  var finalValidation: ValidationScores? {
    guard let bestEpoch else { return history.last?.validation }
    return history[bestEpoch - 1].validation
  }
  private var classification: Bool { modelFile.loss.isClassification }
  private var hasValidation: Bool { history.first?.validation != nil }
  private var hasLearningRate: Bool { history.first?.learningRate != nil }

  /// `epoch,loss[,accuracy][,val_loss,val_…][,lr]`, one row per epoch, counted from 1.
  func historyCSV() -> String {
    var columns = ["epoch", "loss"] + (classification ? ["accuracy"] : [])
    if hasValidation {
      columns +=
        ["val_loss"]
        + ValidationScores.metricNames(classification: classification).map { "val_\($0)" }
    }
    if hasLearningRate { columns.append("lr") }
    var text = columns.joined(separator: ",") + "\n"
    for (index, record) in history.enumerated() {
      text += "\(index + 1),\(number(record.loss))"
      if classification { text += ",\(number(record.accuracy ?? .nan))" }
      if let validation = record.validation {
        text += "," + ([validation.loss] + validation.metrics).map(number).joined(separator: ",")
      }
      if let rate = record.learningRate { text += ",\(number(rate))" }
      text += "\n"
    }
    return text
  }

  /// The run's outcome and the trained parameters, as PyTorch's `state_dict()` keys holding
  /// nested lists (what `tensor.tolist()` gives).
  func summaryJSON() -> String {
    var fields: [(String, String)] = [
      ("final_loss", number(finalLoss)), ("epochs", String(history.count)),
      ("seconds", number((seconds * 1000).rounded() / 1000)),
    ]
    if let accuracy = finalAccuracy { fields.append(("accuracy", number(accuracy))) }
    if let validation = finalValidation {
      fields.append(("val_loss", number(validation.loss)))
      let names = ValidationScores.metricNames(classification: classification)
      for (name, value) in zip(names, validation.metrics) {
        fields.append(("val_\(name)", number(value)))
      }
    }
    if let bestEpoch { fields.append(("best_epoch", String(bestEpoch))) }
    fields.append(("rows", String(rows)))
    if hasValidation { fields.append(("val_rows", String(validationRows))) }
    if let validationLines {
      fields.append(
        ("val_lines", "[" + validationLines.map(String.init).joined(separator: ", ") + "]"))
    }
    fields.append(contentsOf: settings)
    let parameters = model.stateDict().map { key, tensor in
      "    \(jsonString(key)): \(nestedList(tensor))"
    }
    var text = "{\n"
    for (key, value) in fields { text += "  \(jsonString(key)): \(value),\n" }
    text += "  \"parameters\": {\n" + parameters.joined(separator: ",\n") + "\n  }\n}\n"
    return text
  }

  /// The learning curve. Long runs are thinned to each stretch's lowest and highest loss, so
  /// the picture keeps its spikes at a fraction of the size.
  /// With held-out rows the validation loss is drawn beside the training loss, and the epoch
  /// whose weights early stopping kept is marked.
  func learningCurve() throws -> LineChart {
    let losses = history.map(\.loss)
    let validation = history.compactMap { $0.validation?.loss }
    let (xs, ys) = thinned(losses, buckets: 1000)
    var series = [Series("training loss", xs: xs, ys: ys)]
    if !validation.isEmpty {
      let (vxs, vys) = thinned(validation, buckets: 1000)
      series.append(Series("validation loss", xs: vxs, ys: vys))
    }
    if let bestEpoch, let best = history[bestEpoch - 1].validation?.loss {
      series.append(
        Series(
          "kept: epoch \(bestEpoch)", xs: [Double(bestEpoch)], ys: [best], color: .tabGreen,
          markers: true))
    }
    let logY = prefersLogScale(losses + validation)
    let name = modelFile.loss.rawValue
    return try LineChart(
      series: series, title: "Learning curve", xLabel: "epoch",
      yLabel: logY ? "loss (\(name), log scale)" : "loss (\(name))", logY: logY)
  }
}

/// Whether a loss curve reads better on a log axis: positive and spanning two decades.
func prefersLogScale(_ values: [Double]) -> Bool {
  let finite = values.filter(\.isFinite)
  guard let low = finite.min(), let high = finite.max(), low > 0 else { return false }
  return high / low >= 100
}

/// (epoch, value) points: every epoch up to `2 × buckets` of them, else each bucket's minimum
/// and maximum in epoch order.
func thinned(_ values: [Double], buckets: Int) -> (xs: [Double], ys: [Double]) {
  guard values.count > 2 * buckets else {
    return (values.indices.map { Double($0 + 1) }, values)
  }
  var xs: [Double] = []
  var ys: [Double] = []
  for bucket in 0..<buckets {
    let range = (bucket * values.count / buckets)..<((bucket + 1) * values.count / buckets)
    let low = range.min { values[$0] < values[$1] }!
    let high = range.max { values[$0] < values[$1] }!
    for index in Set([low, high]).sorted() {
      xs.append(Double(index + 1))
      ys.append(values[index])
    }
  }
  return (xs, ys)
}

/// A number in its shortest exact form: float32 values (losses and weights are float32) as
/// Float prints them, so `0.879` rather than `0.8790000081062317`. Valid JSON and CSV.
func number(_ value: Double) -> String {
  guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
  if Double(Float(value)) == value { return "\(Float(value))" }
  return "\(value)"
}

/// `tensor.tolist()` as JSON: nested lists of numbers.
func nestedList(_ tensor: Tensor) -> String {
  let values = tensor.toDoubles()
  func list(_ dims: ArraySlice<Int>, _ offset: Int) -> String {
    guard let first = dims.first else { return number(values[offset]) }
    let stride = dims.dropFirst().reduce(1, *)
    return "["
      + (0..<first).map { list(dims.dropFirst(), offset + $0 * stride) }.joined(separator: ", ")
      + "]"
  }
  return list(tensor.shape[...], 0)
}

/// A JSON string literal.
func jsonString(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    default:
      if scalar.value < 0x20 {
        out += String(format: "\\u%04x", scalar.value)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out + "\""
}
