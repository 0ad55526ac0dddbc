import Descent
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Runs the built `descent` executable as a user would, in a scratch folder of its own.
///
/// SwiftPM builds every product before `swift test` runs, so the executable lies next to the
/// test bundle (`.build/debug/descent`).
struct CLIRun {
  let status: Int32
  let stdout: String
  let stderr: String

  /// The non-empty lines written to standard error.
  var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

enum CLI {
  /// The `descent` executable beside the test bundle.
  static let executable: URL? = {
    var folders: [URL] = []
    if let executable = Bundle.main.executableURL {
      folders.append(executable.deletingLastPathComponent())
    }
    folders.append(Bundle.main.bundleURL)
    folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      folders.append(bundle.bundleURL.deletingLastPathComponent())
    }
    return folders.lazy.map { $0.appendingPathComponent("descent") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// The repository's `Tests/Fixtures/csv` folder.
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/csv")

  /// One of the real data sets the repository ships (Tests/Fixtures/data).
  static func shared(_ name: String) throws -> String {
    try CSVSharedDataTests.url(name).path
  }

  /// Runs `descent arguments…` (or another `executable`) in `folder`; standard output is a
  /// file, so not a terminal.
  static func run(_ arguments: [String], in folder: URL, executable other: URL? = nil) throws
    -> CLIRun
  {
    let executable = try #require(
      other ?? executable,
      "the descent executable is not next to the test bundle; run `swift build` first")
    let outURL = folder.appendingPathComponent(".stdout-\(UUID().uuidString)")
    let errURL = folder.appendingPathComponent(".stderr-\(UUID().uuidString)")
    try Data().write(to: outURL)
    try Data().write(to: errURL)
    defer {
      try? FileManager.default.removeItem(at: outURL)
      try? FileManager.default.removeItem(at: errURL)
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return CLIRun(
      status: process.terminationStatus,
      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
  }

  /// A fresh scratch folder, removed after `body`.
  static func withScratch<R>(_ body: (URL) throws -> R) throws -> R {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("descent-cli-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
  }

  /// Writes `text` as `name` in `folder` and returns its path.
  @discardableResult
  static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
  }

  /// The entries of `folder` (hidden ones included), sorted.
  static func entries(_ folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
  }

  /// summary.json as a dictionary.
  static func summary(_ folder: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent("summary.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// A CSV file's rows (header first), split at commas.
  static func csvRows(_ text: String) -> [[String]] {
    text.split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
  }

  /// True when `url` is well-formed XML with an `svg` root.
  static func parsesAsSVG(_ url: URL) throws -> Bool {
    let parser = try #require(XMLParser(contentsOf: url))
    let delegate = RootName()
    parser.delegate = delegate
    return parser.parse() && delegate.root == "svg"
  }
}

/// Notes the root element's name.
private final class RootName: NSObject, XMLParserDelegate {
  var root: String?
  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    if root == nil { root = name }
  }
}

/// The network a model file describes, rebuilt in process from its tensors and metadata the
/// way a reader of the format would, and its output for the rows of a CSV file.
struct InProcessModel {
  let model: Sequential
  let features: [String]
  let mean: [Double]?
  let scale: [Double]?
  let loss: String

  init(file: URL) throws {
    let (tensors, metadata) = try Safetensors.load(from: file)
    let layersText = try #require(metadata["layers"])
    let layers = try #require(
      try JSONSerialization.jsonObject(with: Data(layersText.utf8)) as? [[String: Any]])
    model = Sequential(
      try layers.map { layer -> Module in
        switch layer["type"] as? String {
        case "Linear": return Linear(layer["in_features"] as! Int, layer["out_features"] as! Int)
        case "ReLU": return ReLU()
        case "Tanh": return Tanh()
        case "Sigmoid": return Sigmoid()
        default: throw CocoaError(.coderReadCorrupt)
        }
      })
    try model.loadStateDict(tensors)
    let featuresText = try #require(metadata["features"])
    features = try #require(
      try JSONSerialization.jsonObject(with: Data(featuresText.utf8)) as? [String])
    if let text = metadata["standardize"] {
      let values = try #require(
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [Double]])
      mean = values["mean"]
      scale = values["scale"]
    } else {
      mean = nil
      scale = nil
    }
    loss = try #require(metadata["loss"])
  }

  /// The raw output `[rows, outputs]` for the rows of `csv`: features standardised in float64,
  /// then float32, as the format says.
  func output(csv: String) throws -> Tensor {
    let table = try CSVReader.read(URL(fileURLWithPath: csv))
    var x = try table.tensor(columns: features, dtype: .float64)
    if let mean, let scale { x = Standardizer(mean: mean, scale: scale).transform(x) }
    return noGrad { model(x.to(.float32)) }
  }
}
