import ArgumentParser
import Descent

/// `--model` of `descent evaluate` and `descent predict`: the model file `descent train` wrote.
struct ModelOption: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The model file written by descent train (model.safetensors).", valueName: "file"))
  var model: String

  /// The model's description and network; a failure is one line naming the problem.
  func load() throws -> (ModelFile, Sequential) {
    try reportingOneLine { try ModelFile.load(path: model) }
  }
}
