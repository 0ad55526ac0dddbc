import ArgumentParser
import Descent
import Foundation

/// `descent predict`: applies a model written by `descent train` to a CSV file.
struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Apply a trained model to a CSV file and write one prediction per row.",
    discussion: """
      The model file (model.safetensors from descent train --out) names the feature columns \
      it was trained on; those columns are read from --data by name, in any order, and \
      standardised as in training. Other columns, the target among them, are ignored, so the \
      data may lack the target.

      The output is CSV with a header and one row per input row, by the loss the \
      model was trained with:
        mse, l1, huber   prediction
        bce, bce-logits  prob_1,class   (the probability of class 1, the class)
        ce               class,prob_0,…,prob_K−1

      Examples:
        descent predict --model iris-model/model.safetensors --data iris.csv
        descent predict --model run/model.safetensors --data new.csv \\
          --out predictions.csv
      """
  )

  @OptionGroup var modelOption: ModelOption

  @Option(
    name: .long,
    help: ArgumentHelp("The CSV file with the feature columns the model needs.", valueName: "file"))
  var data: String

  @Option(
    name: .long,
    help: ArgumentHelp("The CSV file to write (default: standard output).", valueName: "file"))
  var out: String?

  func run() throws {
    if let out { try checkWritableFile(out, option: "--out") }
    let (description, network) = try modelOption.load()
    let table = try readCSV(data)
    let raw = try features(description, from: table)
    let text = predictionsCSV(description, network, raw)
    if let out {
      try writeFileAtomically(Data(text.utf8), toPath: out)
    } else {
      Terminal.write(text)
    }
  }

  /// The model's feature columns from `table`, `[rows, features]` float64.
  private func features(_ description: ModelFile, from table: CSVTable) throws -> Tensor {
    let raw: Tensor
    do {
      raw = try table.tensor(columns: description.features, dtype: .float64)
    } catch let error as CSVError where error.kind == .unknownColumn {
      let needed = description.features.map { "\"\($0)\"" }.joined(separator: ", ")
      throw CLIError(
        "\(error.naming(data)) (the model \"\(modelOption.model)\" needs the columns \(needed))")
    } catch let error as CSVError {
      throw CLIError.wrapping(error.naming(data))
    }
    let values = raw.toDoubles()
    if let flat = values.firstIndex(where: { !$0.isFinite }) {
      let width = description.features.count
      throw CLIError(
        "CSV \"\(data)\", line \(table.line(ofRow: flat / width)), column \"\(description.features[flat % width])\": \(values[flat]) is not a finite number"
      )
    }
    return raw
  }

  /// The predictions as CSV text, in the form the loss gives them meaning.
  private func predictionsCSV(_ description: ModelFile, _ network: Sequential, _ raw: Tensor)
    -> String
  {
    let rows = raw.shape[0]
    let loss = description.loss
    let outputs = description.outputs
    var text: String
    switch loss {
    case .ce: text = "class," + (0..<outputs).map { "prob_\($0)" }.joined(separator: ",") + "\n"
    case .bce, .bceLogits: text = "prob_1,class\n"
    case .mse, .l1, .huber: text = "prediction\n"
    }
    guard rows > 0 else { return text }
    network.eval()
    let (scores, probabilities) = noGrad { () -> ([Float], [Float]) in
      let output = network(description.inputs(fromRaw: raw))
      switch loss {
      case .ce: return (output.toFloats(), output.softmax(dim: 1).toFloats())
      case .bceLogits: return (output.toFloats(), output.sigmoid().toFloats())
      default: return (output.toFloats(), output.toFloats())
      }
    }
    for row in 0..<rows {
      switch loss {
      case .ce:
        let range = (row * outputs)..<((row + 1) * outputs)
        text +=
          "\(predictedClass(scores[range])),"
          + probabilities[range].map { number(Double($0)) }.joined(separator: ",")
      case .bce, .bceLogits:
        text +=
          "\(number(Double(probabilities[row]))),\(predictedBinaryClass(scores[row], loss: loss))"
      case .mse, .l1, .huber:
        text += number(Double(scores[row]))
      }
      text += "\n"
    }
    return text
  }
}
