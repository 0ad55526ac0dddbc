import ArgumentParser
import Descent
import Foundation

/// `descent train`: trains a feed-forward network on a CSV file, as a short PyTorch script
/// would, and writes the model, its history and its learning curve.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train a network (Linear layers and activations) on a CSV file.",
    discussion: """
      The model is a torch.nn.Sequential: with no --hidden layers (the default) one Linear \
      layer, the linear model of the course notes; with --hidden 64,32 it is Linear, \
      activation, Linear, activation, Linear. --loss ce takes class indices 0…K−1 in the \
      target column and gives K outputs (one score per class); bce and bce-logits take 0 and 1; \
      mse, l1 and huber regress one value. With --loss bce the model ends in a Sigmoid.

      Training is PyTorch's loop: forward, loss, zero_grad, backward, step, for every batch. \
      The whole file is one batch unless --batch-size is given; mini-batches are shuffled \
      every epoch. The loss of an epoch is that of its forward pass (full batch), or the \
      size-weighted mean of its batch losses. --seed seeds the generator before the model is \
      made, so --init default gives PyTorch's initial weights for the same seed.

      With --out DIR, written only when training succeeds (other files in DIR are \
      kept):
        history.csv         epoch, loss (and accuracy for classification)
        summary.json        final_loss, epochs, seconds, accuracy, the settings,
                            and parameters: the state dict as nested lists
        model.safetensors   the weights under nn.Sequential's keys (0.weight,
                            0.bias, 2.weight, …) and, as metadata, the layers,
                            features and standardisation; read it with descent
                            predict, or in PyTorch with load_state_dict
        learning-curve.svg  the loss per epoch

      In a terminal a progress bar and, at the end, the learning curve are drawn; \
      otherwise (or with --quiet) they are not. A loss that stops being a number \
      ends the run with an error naming the epoch. A release build trains many \
      times faster than a debug one.

      Examples:
        descent train --data points.csv --target y --init zeros --lr 0.001 \\
          --epochs 10000
        descent train --data iris.csv --target species --loss ce --hidden 16 \\
          --standardize --optimizer adam --epochs 200 --out iris-model
        descent predict --model iris-model/model.safetensors --data iris.csv
      """
  )

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The CSV file to train on: a header line, then one row per sample.", valueName: "file"))
  var data: String

  @Option(name: .long, help: ArgumentHelp("The column to predict.", valueName: "column"))
  var target: String

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Comma-separated feature columns, in order (default: every column but the target).",
      valueName: "columns"))
  var features: String?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "Hidden layer sizes, comma-separated; \"\" for none: one Linear layer, a linear model.",
      valueName: "sizes"))
  var hidden: String = ""

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The activation after each hidden layer (default: relu).", valueName: "activation"))
  var activation: ActivationChoice?

  @Option(name: .long, help: ArgumentHelp("The loss to minimise.", valueName: "loss"))
  var loss: LossChoice = .mse

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The optimizer, with PyTorch's algorithm and defaults.", valueName: "optimizer"))
  var optimizer: OptimizerChoice = .sgd

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("The learning rate.", valueName: "rate"))
  var lr: Double = 0.01

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("Momentum, for sgd and rmsprop (default: 0).", valueName: "factor"))
  var momentum: Double?

  @Flag(name: .long, help: "Nesterov momentum (sgd, with --momentum above 0).")
  var nesterov = false

  @Option(
    name: .customLong("weight-decay"), parsing: .unconditional,
    help: ArgumentHelp(
      "L2 penalty; decoupled for adamw (default: 0, and 0.01 for adamw).", valueName: "factor"))
  var weightDecay: Double?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("Passes over the data.", valueName: "n"))
  var epochs: Int = 100

  @Option(
    name: .customLong("batch-size"), parsing: .unconditional,
    help: ArgumentHelp(
      "Rows per mini-batch, shuffled each epoch (default: all rows, full batch).", valueName: "n"))
  var batchSize: Int?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("Seed of the initial weights and the shuffling.", valueName: "n"))
  var seed: Int = 0

  @Option(
    name: .customLong("init"),
    help: ArgumentHelp(
      "The initial parameters: PyTorch's for the seed, or all zeros.", valueName: "init"))
  var initialization: InitChoice = .default

  @Flag(
    name: .long,
    help:
      "Scale each feature by its mean and population standard deviation (stored with the model).")
  var standardize = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The folder to write the results into (nothing is written without it).", valueName: "dir"))
  var out: String?

  @Flag(name: .long, help: "Print nothing but errors.")
  var quiet = false

  func run() throws {
    let hiddenSizes = try checkOptions()
    let folder = try out.map { try OutputFolder(path: $0) }
    let featureList = try features.map(parseFeatureList)
    let data = try TrainingData.load(
      path: self.data, target: target, features: featureList, loss: loss)
    let standardizer = standardize ? Standardizer(fitting: data.rawFeatures) : nil
    if let standardizer {
      for (index, name) in data.featureNames.enumerated()
      where !standardizer.mean[index].isFinite || !standardizer.scale[index].isFinite {
        throw CLIError(
          "--standardize: column \"\(name)\" of \(self.data) has values too large to scale (its mean or spread is not a finite number)"
        )
      }
    }
    let modelFile = ModelFile(
      hidden: hiddenSizes, activation: activation ?? .relu, features: data.featureNames,
      target: target, loss: loss, classes: data.classes, standardizer: standardizer)
    // A bound that keeps a typo such as --hidden 100000,100000 from exhausting memory.
    guard modelFile.parameterCount <= 1 << 28 else {
      throw CLIError(
        "--hidden \"\(hidden)\": the network would have \(modelFile.parameterCount) parameters, more than the \(1 << 28) descent train allows"
      )
    }

    // PyTorch's order: seed, make the model (its initialisation draws), then shuffle.
    manualSeed(UInt64(seed))
    let model = modelFile.makeModel()
    if initialization == .zeros {
      noGrad { for parameter in model.parameters() { parameter.zero_() } }
    }
    let decay = weightDecay ?? optimizer.defaultWeightDecay
    let loop = TrainingLoop(
      model: model, loss: loss,
      optimizer: optimizer.make(
        model.parameters(), lr: lr, momentum: momentum ?? 0, nesterov: nesterov, weightDecay: decay),
      learningRate: lr, inputs: modelFile.inputs(fromRaw: data.rawFeatures), target: data.target,
      batchSize: batchSize)

    let interactive = !quiet && Terminal.isInteractive
    let start = ContinuousClock.now
    let history = try train(loop, showingProgress: interactive)
    let report = TrainReport(
      history: history, seconds: seconds(ContinuousClock.now - start), model: model,
      modelFile: modelFile, rows: data.rows,
      settings: settings(data, hiddenSizes: hiddenSizes, decay: decay))
    let written = try folder.map { try write(report, into: $0) } ?? []
    if quiet { return }
    if interactive && history.count > 1 {
      let losses = history.map(\.loss)
      let logY = prefersLogScale(losses)
      let chart = TerminalChart.render(
        losses, title: "loss (\(loss.rawValue)\(logY ? ", log scale" : ""))",
        width: max(20, min(72, Terminal.width - 12)), height: 8, logY: logY)
      print(chart.joined(separator: "\n"))
    }
    print(summaryLines(report, written: written).joined(separator: "\n"))
  }

  /// Runs the loop, with a progress bar in a terminal that is cleared however the run ends.
  private func train(_ loop: TrainingLoop, showingProgress: Bool) throws -> [EpochRecord] {
    let progress = showingProgress ? TerminalProgress(epochs: epochs) : nil
    defer { progress?.clear() }
    return try reportingOneLine {
      try loop.run(epochs: epochs) { epoch, record in progress?.update(epoch: epoch, record: record)
      }
    }
  }

  /// Writes the four result files into `folder` at once; returns their paths for the summary.
  private func write(_ report: TrainReport, into folder: OutputFolder) throws -> [String] {
    let chart = try reportingOneLine { try report.learningCurve() }
    let files: [(String, () throws -> Data)] = [
      ("history.csv", { Data(report.historyCSV().utf8) }),
      ("summary.json", { Data(report.summaryJSON().utf8) }),
      ("model.safetensors", { try report.modelFile.encode(report.model) }),
    ]
    try reportingOneLine {
      try folder.commit { staging in
        for (name, contents) in files {
          try writeNewFile(try contents(), to: staging.appendingPathComponent(name))
        }
        try chart.write(to: staging.appendingPathComponent("learning-curve.svg"))
      }
    }
    return (files.map(\.0) + ["learning-curve.svg"]).map(folder.shown)
  }

  /// Checks what argument-parser cannot: every message is one line naming the option.
  private func checkOptions() throws -> [Int] {
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
  private func parseFeatureList(_ text: String) throws -> [String] {
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
  private func settings(_ data: TrainingData, hiddenSizes: [Int], decay: Double) -> [(
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
  private func summaryLines(_ report: TrainReport, written: [String]) -> [String] {
    let epochs = report.history.count
    var lines = [
      "final loss \(String(format: "%.6g", report.finalLoss)) (\(loss.rawValue)) after \(epochs) epoch\(epochs == 1 ? "" : "s") in \(String(format: "%.2f", report.seconds)) s"
    ]
    if let accuracy = report.finalAccuracy {
      let right = Int((accuracy * Double(report.rows)).rounded())
      lines.append(String(format: "accuracy %.4f (%d of %d rows)", accuracy, right, report.rows))
    }
    lines.append(
      written.isEmpty
        ? "no files written (give --out DIR to keep the model)"
        : "wrote " + written.joined(separator: ", "))
    return lines
  }
}
