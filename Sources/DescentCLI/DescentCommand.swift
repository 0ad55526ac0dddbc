import ArgumentParser
import Descent
import DescentExamples
import Foundation

/// `descent`: the command-line face of Descent.
@main
struct DescentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "descent",
    abstract:
      "PyTorch's training core in Swift: tensors, autograd, and the course notes' experiments.",
    subcommands: [Demo.self, Train.self, Predict.self, Evaluate.self]
  )

  /// Like argument-parser's `main()`, but an error is one line on stderr (with a pointer to
  /// `--help`) instead of the message followed by the whole usage text.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      // A rank of an MPI job that leaves the message to rank 0 stops without one.
      if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
      let code = exitCode(for: error)
      // --help and --version arrive as errors too; argument-parser prints them as usual.
      if code == .success { exit(withError: error) }
      var message = oneLine(self.message(for: error))
      if error is ValidationError || isArgumentParserError(error) {
        message += " (see 'descent --help')"
      }
      FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
      Foundation.exit(code.rawValue)
    }
  }

  /// Folds a multi-line message into one line; a list of choices ("  - mse") becomes
  /// "mse, l1, …".
  private static func oneLine(_ message: String) -> String {
    let lines = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    guard let first = lines.first else { return message }
    let items = lines.dropFirst().map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
    guard !items.isEmpty else { return first }
    return first + " " + items.joined(separator: ", ")
  }

  /// True for the parser's own errors (unknown option, bad value), which the user fixes by
  /// reading the usage.
  private static func isArgumentParserError(_ error: Error) -> Bool {
    String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
  }
}

/// `descent demo`: runs the reference experiments of the course notes, printing their numbers
/// and writing their figures.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Run the reference experiments of the course notes: print their numbers, draw their figures.",
    discussion: """
      With no NAME, every experiment runs in order. `descent demo --list` names them. Figures \
      (SVG) and computation graphs (Graphviz DOT) are written into the --out directory as \
      r4-learning-curve.svg, r4-graph-loss.dot, …
      """
  )

  @Flag(name: .long, help: "List the experiments and exit.")
  var list = false

  @Option(name: .long, help: ArgumentHelp("Directory for the figures.", valueName: "DIR"))
  var out = "descent-out"

  @Flag(name: .long, help: "Print the numbers only; write no figures.")
  var noFigures = false

  @Argument(help: "Experiments to run (e.g. r1 r4); all when omitted.")
  var names: [String] = []

  func validate() throws {
    for name in names where experiment(named: name) == nil {
      let known = allExperiments.map { $0.name }.joined(separator: ", ")
      throw ValidationError("unknown experiment '\(name)'; known: \(known)")
    }
    if out.isEmpty { throw ValidationError("--out needs a directory name") }
  }

  func run() throws {
    if list {
      for item in allExperiments { print("\(item.name)\t\(item.summary)") }
      return
    }
    let sink =
      noFigures ? FigureSink.discard() : FigureSink.directory(out) { print("wrote \($0)") }
    try sink.prepare()  // a bad --out stops here, before any experiment runs
    let chosen = names.isEmpty ? allExperiments : names.compactMap { experiment(named: $0) }
    for (index, item) in chosen.enumerated() {
      if index > 0 { print("") }
      print("== \(item.name.uppercased()): \(item.summary)")
      let context = ExperimentContext(experiment: item.name, sink: sink) { print($0) }
      do {
        try item.run(context)
      } catch {
        throw Failure(description: "\(item.name): \(error)")
      }
    }
  }

  /// An error printed as it is, without the usage text.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }
}
