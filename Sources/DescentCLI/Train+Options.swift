import Descent
import Foundation

// The checks, settings and summary of `descent train`.

extension Train {
  /// Checks what argument-parser cannot: every message is one line naming the option.
  func checkOptions() throws -> [Int] {
    let sizes = try parseHiddenSizes(hidden)
    if activation != nil && sizes.isEmpty {
      throw CLIError(
        "--activation needs hidden layers (e.g. --hidden 16): a model without them is one Linear layer, with no activation"
      )
    }
    guard lr.isFinite && lr > 0 else {
      throw CLIError("--lr \(lr): the learning rate must be a positive number, e.g. 0.01")
    }
    guard epochs >= 1 else { throw CLIError("--epochs \(epochs): train for at least 1 epoch") }
    if let batchSize, batchSize < 1 {
      throw CLIError(
        "--batch-size \(batchSize): a batch needs at least 1 row (leave the option out for full batch)"
      )
    }
    guard seed >= 0 else { throw CLIError("--seed \(seed): the seed must be 0 or more") }
    if let momentum {
      guard optimizer.takesMomentum else {
        throw CLIError(
          "--momentum applies to sgd and rmsprop, not \(optimizer.rawValue) (whose moments are built in)"
        )
      }
      guard momentum.isFinite && momentum >= 0 else {
        throw CLIError("--momentum \(momentum): momentum must be 0 or more, e.g. 0.9")
      }
    }
    if nesterov {
      guard optimizer == .sgd else {
        throw CLIError("--nesterov applies to sgd only, not \(optimizer.rawValue)")
      }
      guard (momentum ?? 0) > 0 else {
        throw CLIError("--nesterov needs a momentum above 0, e.g. --momentum 0.9")
      }
    }
    if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) {
      throw CLIError("--weight-decay \(weightDecay): the weight decay must be 0 or more")
    }
    return sizes
  }

  /// `--features a,b,c` as names; names are matched exactly, spaces included.
  func parseFeatureList(_ text: String) throws -> [String] {
    let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    if names.contains(where: \.isEmpty) {
      throw CLIError(
        "--features \"\(text)\": an empty column name; give names separated by commas, e.g. --features a,b"
      )
    }
    if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
      throw CLIError("--features \"\(text)\": the column \"\(repeated)\" is named twice")
    }
    return names
  }

  /// The settings kept in summary.json, as JSON values.
  func settings(_ data: TrainingData, hiddenSizes: [Int], decay: Double) -> [(
    String, String
  )] {
    var fields: [(String, String)] = [
      ("data", jsonString(self.data)), ("target", jsonString(target)),
      ("features", "[" + data.featureNames.map(jsonString).joined(separator: ", ") + "]"),
      ("hidden", "[" + hiddenSizes.map(String.init).joined(separator: ", ") + "]"),
    ]
    if !hiddenSizes.isEmpty {
      fields.append(("activation", jsonString((activation ?? .relu).rawValue)))
    }
    fields += [
      ("loss", jsonString(loss.rawValue)), ("optimizer", jsonString(optimizer.rawValue)),
      ("lr", number(lr)),
    ]
    if optimizer.takesMomentum { fields.append(("momentum", number(momentum ?? 0))) }
    if optimizer == .sgd { fields.append(("nesterov", nesterov ? "true" : "false")) }
    fields += [
      ("weight_decay", number(decay)),
      ("batch_size", String(min(batchSize ?? data.rows, data.rows))),
      ("seed", String(seed)), ("init", jsonString(initialization.rawValue)),
      ("standardize", standardize ? "true" : "false"),
    ]
    if let classes = data.classes { fields.append(("classes", String(classes))) }
    return fields
  }

  /// The plain summary: final loss, accuracy, files written.
  func summaryLines(_ report: TrainReport, written: [String]) -> [String] {
    let epochs = report.history.count
    var lines = [
      "final loss \(String(format: "%.6g", report.finalLoss)) (\(loss.rawValue)) after \(epochs) epoch\(epochs == 1 ? "" : "s") in \(String(format: "%.2f", report.seconds)) s"
    ]
    if let accuracy = report.finalAccuracy {
      let right = Int((accuracy * Double(report.rows)).rounded())
      lines.append(String(format: "accuracy %.4f (%d of %d rows)", accuracy, right, report.rows))
    }
    if let scores = report.finalValidation {
      let rows = report.validationRows
      let which = report.bestEpoch.map { " at epoch \($0)" } ?? ""
      if let accuracy = scores.accuracy {
        let right = Int((accuracy * Double(rows)).rounded())
        lines.append(
          String(format: "validation accuracy %.4f (%d of %d rows), loss ", accuracy, right, rows)
            + String(format: "%.6g", scores.loss) + which)
      } else {
        lines.append(
          "validation loss \(String(format: "%.6g", scores.loss)), mse \(String(format: "%.6g", scores.mse ?? .nan)), mae \(String(format: "%.6g", scores.mae ?? .nan)), r2 \(String(format: "%.4f", scores.r2 ?? .nan)) (\(rows) rows)\(which)"
        )
      }
    }
    if let best = report.bestEpoch, let patience = validation.earlyStopping {
      lines.append(
        epochs < self.epochs
          ? "early stopping: no lower validation loss in the \(patience) epochs after epoch \(best); kept its weights"
          : "kept the weights of epoch \(best), the lowest validation loss")
    }
    lines.append(
      written.isEmpty
        ? "no files written (give --out DIR to keep the model)"
        : "wrote " + written.joined(separator: ", "))
    return lines
  }
}
