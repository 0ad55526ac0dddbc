import DescentPlot
import Foundation

/// One reference experiment of the course notes, runnable from `descent demo NAME` and from
/// the tests, which check the lines it prints and the figures it draws.
public protocol Experiment: Sendable {
  /// Short name used on the command line and in file names: `r1`, `r4`, …
  static var name: String { get }
  /// One line saying what the experiment shows.
  static var summary: String { get }
  /// Runs the experiment: printed lines go to `context.say`, figures to `context.figure`.
  static func run(_ context: ExperimentContext) throws
}

/// Every experiment, in the order of REFERENCE.md.
public let allExperiments: [any Experiment.Type] = [
  R1ManualGradientDescent.self,
  R2OptimSGD.self,
  R3TrainingStepByStep.self,
  R4HeightWeight.self,
  R5Momentum.self,
  R6LossSurface.self,
  R7AdamNoisyLine.self,
  R8CustomModule.self,
  R9ScalarDescent.self,
  R10CostCurve.self,
  R10OptimSGD.self,
  R11DigitsCNN.self,
  R12SequenceModels.self,
]

/// The experiment called `name` (case-insensitive), if there is one.
public func experiment(named name: String) -> (any Experiment.Type)? {
  allExperiments.first { $0.name.lowercased() == name.lowercased() }
}

/// What an experiment runs with: where its printed lines go and where its figures go.
public struct ExperimentContext {
  /// The experiment's name, the prefix of its files (`r4` → `r4-learning-curve.svg`).
  public let experiment: String
  private let output: (String) -> Void
  private let sink: FigureSink

  /// A context for the experiment called `experiment`, printing through `say`.
  public init(experiment: String, sink: FigureSink, say: @escaping (String) -> Void) {
    self.experiment = experiment
    self.sink = sink
    self.output = say
  }

  /// Prints one line (the notes' `print`).
  public func say(_ line: String) { output(line) }

  /// Saves `figure` as `<experiment>-<name>.svg`.
  public func figure(_ name: String, _ figure: any Figure) throws {
    try sink.save("\(experiment)-\(name).svg", figure.svg())
  }

  /// Saves text such as Graphviz DOT as `<experiment>-<file>` (`file` has its extension).
  public func text(_ file: String, _ contents: String) throws {
    try sink.save("\(experiment)-\(file)", contents)
  }
}

/// Where figures go: files in a directory, kept in memory (for tests), or nowhere.
public final class FigureSink {
  /// Why a file could not be saved.
  public struct InvalidName: Error, CustomStringConvertible {
    public let name: String
    public var description: String {
      "figure file name '\(name)' must be letters, digits, '-' and '.', with no path"
    }
  }

  /// Why the directory or a file in it could not be written.
  public struct WriteFailure: Error, CustomStringConvertible {
    public let description: String
  }

  enum Storage {
    case directory(path: String)
    case memory
    case discard
  }

  let storage: Storage
  /// Called with the path of each file written (`descent-out/r4-learning-curve.svg`).
  let onWrite: (String) -> Void
  /// The files saved so far, in order: name and contents (contents only in memory).
  public private(set) var files: [(name: String, contents: String)] = []

  init(_ storage: Storage, onWrite: @escaping (String) -> Void = { _ in }) {
    self.storage = storage
    self.onWrite = onWrite
  }

  /// Writes every file into `directory` (created if missing), calling `onWrite` with its path.
  public static func directory(_ path: String, onWrite: @escaping (String) -> Void = { _ in })
    -> FigureSink
  {
    FigureSink(.directory(path: path), onWrite: onWrite)
  }

  /// Keeps every file in `files`.
  public static func memory() -> FigureSink { FigureSink(.memory) }

  /// Draws nothing to disk and keeps nothing.
  public static func discard() -> FigureSink { FigureSink(.discard) }

  /// Creates the directory if it is missing, so that a bad `--out` stops a run before it starts.
  public func prepare() throws {
    guard case .directory(let path) = storage else { return }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw WriteFailure(description: "\(path) is a file, not a directory")
      }
      return
    }
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw WriteFailure(description: "cannot create the directory \(path): \(Self.reason(error))")
    }
  }

  /// The system's words for a file error ("Permission denied"), without Foundation's wrapping.
  static func reason(_ error: Error) -> String {
    if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error {
      let posix = underlying as NSError
      if posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
    }
    return error.localizedDescription
  }

  /// The names of the files saved so far.
  public var names: [String] { files.map(\.name) }

  func save(_ name: String, _ contents: String) throws {
    // A plain file name, so that nothing is ever written outside the directory.
    let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
    guard !name.isEmpty, !name.hasPrefix("."), name.allSatisfy(allowed.contains) else {
      throw InvalidName(name: name)
    }
    switch storage {
    case .directory(let path):
      try prepare()
      let url = URL(fileURLWithPath: path).appendingPathComponent(name)
      do {
        try Data(contents.utf8).write(to: url, options: .atomic)
      } catch {
        throw WriteFailure(description: "cannot write \(url.path): \(Self.reason(error))")
      }
      files.append((name, ""))
      onWrite(path.hasSuffix("/") ? path + name : path + "/" + name)
    case .memory:
      files.append((name, contents))
    case .discard:
      files.append((name, ""))
    }
  }
}

/// Python's `format(value, ".Nf")`: fixed notation with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
  String(format: "%.\(digits)f", value)
}

/// Python's `format(value, "Nd")`: an integer right-aligned in `width` columns.
func padded(_ value: Int, _ width: Int) -> String {
  let text = String(value)
  return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
}
