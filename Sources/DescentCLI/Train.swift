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
        history.csv         epoch, loss (and accuracy for classification), the
                            validation scores and the learning rate when used
        summary.json        final_loss, epochs, seconds, accuracy, the validation
                            scores, the settings, and parameters: the state
                            dict as nested lists
        model.safetensors   the weights under nn.Sequential's keys (0.weight,
                            0.bias, 2.weight, …) and, as metadata, the layers,
                            features and standardisation; read it with descent
                            predict, or in PyTorch with load_state_dict
        learning-curve.svg  the loss per epoch

      In a terminal a progress bar and, at the end, the learning curve are drawn; \
      otherwise (or with --quiet) they are not. A loss that stops being a number \
      ends the run with an error naming the epoch. A release build trains many \
      times faster than a debug one.

      Held-out rows (--val-split SHARE, seeded and stratified by class, or --val-data \
      FILE) are scored after every epoch: val_loss and val_accuracy, or val_mse, \
      val_mae and val_r2 (scikit-learn's definitions) for regression. --standardize \
      is fitted on the training rows alone. --early-stopping N stops after N epochs \
      without a lower validation loss and keeps the best epoch's weights. \
      --scheduler steps PyTorch's StepLR, CosineAnnealingLR or ReduceLROnPlateau once \
      per epoch. descent evaluate scores a model on new labelled rows.

      --checkpoint FILE saves the training state (model, optimizer, generator, \
      history) every --checkpoint-every epochs; --resume FILE continues it with the \
      same options, ending exactly where an uninterrupted run ends.

      Started by an MPI launcher (mpirun -np 4 descent train …, Open MPI's or \
      MPICH's), the processes train together, data-parallel, with no extra option: \
      each takes its share of the rows (PyTorch's DistributedSampler, seeded with \
      --seed), --batch-size is the batch of each process, gradients are averaged \
      over the processes after every backward pass (DistributedDataParallel), and \
      the first process alone prints and writes. Files, --resume included, must be \
      readable by every process. MPI is loaded at run time: set DESCENT_MPI_LIBRARY \
      to use a library outside the standard places.

      Examples:
        descent train --data points.csv --target y --init zeros --lr 0.001 \\
          --epochs 10000
        descent train --data iris.csv --target species --loss ce --hidden 16 \\
          --standardize --optimizer adam --epochs 200 --out iris-model
        descent predict --model iris-model/model.safetensors --data iris.csv
        descent train --data iris.csv --target species --loss ce --hidden 16 \\
          --val-split 0.2 --early-stopping 10 --scheduler step --step-size 50 \\
          --out iris-model
        mpirun -np 4 descent train --data big.csv --target y --hidden 256,128 \\
          --optimizer adam --batch-size 64 --epochs 20 --checkpoint run.ckpt
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

  @OptionGroup(title: "Validation") var validation: ValidationOptions

  @OptionGroup(title: "Learning-rate schedule") var schedule: SchedulerOptions

  @OptionGroup var checkpoints: CheckpointOptions

  func run() throws {
    let world = try TrainingWorld.join()
    // Everything that can fail on its own, before any rank depends on another.
    let run = try world.agreeing { try prepare(world) }
    let network: Module =
      world.group.map { DistributedDataParallel(run.model, group: $0) } ?? run.model
    let loop = TrainingLoop(
      model: run.model, network: network, world: world, loss: loss, optimizer: run.optimizer,
      learningRate: lr, inputs: run.modelFile.inputs(fromRaw: run.data.rawFeatures),
      target: run.data.target, batchSize: batchSize, seed: seed,
      end: EpochEnd(
        modelFile: run.modelFile, validation: run.validation, scheduler: run.scheduler,
        earlyStopping: run.earlyStopping))

    let interactive = !quiet && world.isLeader && Terminal.isInteractive
    let start = ContinuousClock.now
    let history = try world.agreeing {
      try train(
        loop, after: run.history, world: world, settings: run.settings, showingProgress: interactive
      )
    }
    guard world.isLeader else { return }
    var report = TrainReport(
      history: history, seconds: seconds(ContinuousClock.now - start), model: run.model,
      modelFile: run.modelFile, rows: run.data.rows, settings: run.settings)
    report.validationRows = run.validation?.rows ?? 0
    if validation.valSplit != nil { report.validationLines = run.validation?.lines }
    report.bestEpoch = run.earlyStopping.flatMap { $0.bestWeights == nil ? nil : $0.bestEpoch }
    let written = try run.folder.map { try write(report, into: $0) } ?? []
    if quiet { return }
    if interactive && history.count > 1 {
      let losses = history.map(\.loss)
      let validationLosses = history.compactMap { $0.validation?.loss }
      let logY = prefersLogScale(losses + validationLosses)
      let scale = logY ? ", log scale" : ""
      let chart = TerminalChart.render(
        validationLosses.isEmpty ? [losses] : [losses, validationLosses],
        title: validationLosses.isEmpty
          ? "loss (\(loss.rawValue)\(scale))"
          : "loss (\(loss.rawValue)\(scale)): training ⠒, \(TerminalChart.highlighted("validation ⠒"))",
        width: max(20, min(72, Terminal.width - 12)), height: 8, logY: logY)
      print(chart.joined(separator: "\n"))
    }
    print(summaryLines(report, written: written).joined(separator: "\n"))
  }

  /// What a run needs before it trains.
  private struct PreparedRun {
    let folder: OutputFolder?
    let data: TrainingData
    let modelFile: ModelFile
    let model: Sequential
    let optimizer: Optimizer
    let validation: TrainingData?
    let scheduler: (any CheckpointableScheduler)?
    let earlyStopping: EarlyStopping?
    let settings: [(String, String)]
    /// The epochs a resumed run has already trained.
    let history: [EpochRecord]
  }

  /// Checks the options, reads the data, makes the model and the optimizer (PyTorch's order:
  /// seed, then the model's initialisation draws) and restores a checkpoint.
  private func prepare(_ world: TrainingWorld) throws -> PreparedRun {
    let hiddenSizes = try checkOptions()
    try validation.check()
    try schedule.check()
    try checkpoints.check()
    let folder = try world.isLeader ? out.map { try OutputFolder(path: $0) } : nil
    let featureList = try features.map(parseFeatureList)
    let allRows = try TrainingData.load(
      path: self.data, target: target, features: featureList, loss: loss)
    let (data, held) = try validation.split(
      allRows, target: target, features: featureList, loss: loss, seed: seed)
    // Fitted on the training rows alone: the held-out rows must not leak into the model.
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
    manualSeed(UInt64(seed))
    let model = modelFile.makeModel()
    if initialization == .zeros {
      noGrad { for parameter in model.parameters() { parameter.zero_() } }
    }
    let decay = weightDecay ?? optimizer.defaultWeightDecay
    let optimizer = optimizer.make(
      model.parameters(), lr: lr, momentum: momentum ?? 0, nesterov: nesterov, weightDecay: decay)
    let settings =
      settings(data, hiddenSizes: hiddenSizes, decay: decay) + validation.settings
      + schedule.settings(epochs: epochs)
    let scheduler = schedule.make(optimizer, epochs: epochs)
    let earlyStopping = validation.earlyStopping.map { EarlyStopping(patience: $0) }
    let history =
      try checkpoints.resume.map {
        try TrainingState.load(
          from: $0, model: model, optimizer: optimizer, scheduler: scheduler,
          earlyStopping: earlyStopping, settings: settings, ranks: world.size, epochs: epochs)
      } ?? []
    return PreparedRun(
      folder: folder, data: data, modelFile: modelFile, model: model, optimizer: optimizer,
      validation: held, scheduler: scheduler, earlyStopping: earlyStopping, settings: settings,
      history: history)
  }

  /// Runs the loop, with a progress bar in a terminal that is cleared however the run ends, and
  /// the checkpoints (written by rank 0; every rank stops if that fails).
  private func train(
    _ loop: TrainingLoop, after history: [EpochRecord], world: TrainingWorld,
    settings: [(String, String)], showingProgress: Bool
  ) throws -> [EpochRecord] {
    let progress =
      showingProgress ? TerminalProgress(epochs: epochs, first: history.count + 1) : nil
    defer { progress?.clear() }
    return try reportingOneLine {
      try loop.run(epochs: epochs, after: history) { epoch, record, history in
        progress?.update(epoch: epoch, record: record)
        guard checkpoints.savesAfter(epoch: epoch, of: epochs) else { return }
        try world.agreeing {
          guard world.isLeader, let path = checkpoints.checkpoint else { return }
          try TrainingState.save(
            to: path, model: loop.model, optimizer: loop.optimizer,
            scheduler: loop.end.scheduler, earlyStopping: loop.end.earlyStopping,
            history: history, settings: settings, ranks: world.size)
        }
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
}
