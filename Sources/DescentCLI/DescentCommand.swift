import ArgumentParser
import Descent
import DescentExamples

/// `descent`: the command-line face of Descent.
@main
struct DescentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "descent",
    abstract: "PyTorch's training core in Swift: tensors, autograd, and the course notes' experiments.",
    subcommands: [Demo.self]
  )
}

/// `descent demo`: runs the reference experiments of the course notes.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the reference experiments of the course notes and print their numbers.",
    discussion: "With no NAME, every experiment runs in order. `descent demo --list` names them."
  )

  @Flag(name: .long, help: "List the experiments and exit.")
  var list = false

  @Argument(help: "Experiments to run (e.g. r1 r4); all when omitted.")
  var names: [String] = []

  func validate() throws {
    for name in names where experiment(named: name) == nil {
      let known = allExperiments.map { $0.name }.joined(separator: ", ")
      throw ValidationError("unknown experiment '\(name)'; known: \(known)")
    }
  }

  func run() {
    if list {
      for item in allExperiments { print("\(item.name)\t\(item.summary)") }
      return
    }
    let chosen = names.isEmpty ? allExperiments : names.compactMap { experiment(named: $0) }
    for (index, item) in chosen.enumerated() {
      if index > 0 { print("") }
      print("== \(item.name.uppercased()): \(item.summary)")
      item.run { print($0) }
    }
  }
}
