import Descent
import Foundation
import Synchronization
import Testing

@testable import DescentExamples

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// One run of an experiment: the lines it printed and the files it saved, kept in memory.
struct RecordedRun: Sendable {
  let lines: [String]
  /// The saved files in order: name and contents.
  let files: [String: String]
  let names: [String]
  /// Why the run stopped early, if it did.
  let failure: String?

  private static let runs = Mutex<[String: RecordedRun]>([:])

  /// The run of `experiment`, made once per test process and one at a time (R1 and R2 are slow
  /// in a debug build), each with its own default generator since R2, R7 and R8 seed it.
  static func of(_ experiment: any Experiment.Type) -> RecordedRun {
    runs.withLock { runs in
      if let done = runs[experiment.name] { return done }
      var printed: [String] = []
      let sink = FigureSink.memory()
      let context = ExperimentContext(experiment: experiment.name, sink: sink) {
        printed.append($0)
      }
      var failure: String?
      // A private default generator: other suites running in parallel draw from the global one.
      withDefaultGenerator(Generator()) {
        do { try experiment.run(context) } catch { failure = "\(error)" }
      }
      let run = RecordedRun(
        lines: printed, files: Dictionary(sink.files, uniquingKeysWith: { a, _ in a }),
        names: sink.names, failure: failure)
      runs[experiment.name] = run
      return run
    }
  }
}

/// The figures of `descent demo`: each experiment draws what the notes draw, every SVG is
/// well-formed, and the command writes into the --out directory only.
@Suite struct DemoFigureTests {
  static let expectedFiles: [String: [String]] = [
    "r1": ["r1-fit.svg", "r1-cost.svg"],
    "r2": ["r2-fit.svg", "r2-cost.svg"],
    "r3": [],
    "r4": [
      "r4-data.svg", "r4-centred.svg", "r4-graph-yp.dot", "r4-graph-yp.svg", "r4-graph-loss.dot",
      "r4-graph-loss.svg", "r4-learning-curve.svg", "r4-fit-centred.svg", "r4-fit-raw.svg",
    ],
    "r5": ["r5-learning-curves.svg"],
    "r6": ["r6-surface.svg", "r6-contour.svg"],
    "r7": ["r7-learning-curves.svg"],
    "r8": ["r8-graph.dot", "r8-graph.svg"],
    "r9": ["r9-learning-rates.svg"],
    "r10": ["r10-cost-curve.svg"],
    "r10b": ["r10b-learning-curve.svg"],
    "r11": [
      "r11-learning-curves.svg", "r11-held-out-predictions.svg", "r11-first-layer-filters.svg",
    ],
    "r12": ["r12-learning-curve.svg", "r12-attention.svg"],
  ]

  @Test(arguments: allExperiments.map { $0.name })
  func experimentSavesItsFigures(_ name: String) throws {
    let run = RecordedRun.of(try #require(experiment(named: name)))
    #expect(run.failure == nil)
    #expect(run.names == Self.expectedFiles[name])
    for (file, contents) in run.files {
      if file.hasSuffix(".svg") {
        let texts = try parsedTexts(contents, file)
        #expect(!texts.isEmpty, "\(file) has no text")
      } else {
        #expect(contents.hasPrefix("digraph {"), "\(file) is not DOT")
      }
    }
  }

  @Test func figuresSayWhatTheNotesSay() throws {
    func texts(_ experiment: any Experiment.Type, _ file: String) throws -> [String] {
      let contents = try #require(RecordedRun.of(experiment).files[file], "no \(file)")
      return try parsedTexts(contents, file)
    }
    // R5's legend, R9's divergence in words, R4's and R8's parameters named in the graphs.
    let r5 = try texts(R5Momentum.self, "r5-learning-curves.svg")
    #expect(r5.contains("SGD") && r5.contains("SGD + momentum"))
    let r9 = try texts(R9ScalarDescent.self, "r9-learning-rates.svg")
    #expect(r9.contains { $0.hasPrefix("diverged") })
    let graph = try #require(RecordedRun.of(R4HeightWeight.self).files["r4-graph-loss.dot"])
    #expect(graph.contains("label=\"W\n ()\"") && graph.contains("label=\"B\n ()\""))
    #expect(graph.contains("MeanBackward0"))
    #expect(try texts(R4HeightWeight.self, "r4-graph-yp.svg").contains("AddBackward0"))
    #expect(try texts(R8CustomModule.self, "r8-graph.svg").contains("fc1.weight"))
    // The first 11 points of R6's path on the surface, as the notes draw them.
    let surface = try #require(RecordedRun.of(R6LossSurface.self).files["r6-surface.svg"])
    #expect(surface.components(separatedBy: "<circle").count - 1 == 11)
  }

  @Test func r12LossFallsAndTheTransformerLearnsToReverse() throws {
    let printed = RecordedRun.of(R12SequenceModels.self).lines
    func number(after marker: String, in line: String) -> Double? {
      line.range(of: marker).flatMap { Double(line[$0.upperBound...].prefix { $0 != " " }) }
    }
    let losses = printed.filter { $0.hasPrefix("step ") }.compactMap {
      number(after: "loss ", in: $0)
    }
    #expect(losses.count == 5)
    #expect(losses.last! < losses.first! - 1, "\(losses)")
    let sample = try #require(printed.first { $0.hasPrefix("sample (seed 0") })
    #expect(sample.count > 160)
    let accuracy = try #require(
      printed.compactMap { number(after: "new sequences: ", in: $0) }.first)
    #expect(accuracy > 0.9)
    let attention = try #require(RecordedRun.of(R12SequenceModels.self).files["r12-attention.svg"])
    #expect(try parsedTexts(attention, "r12-attention.svg").contains("key position: token"))
  }

  @Test func r6PrintsThePointAfter21Steps() {
    let printed = RecordedRun.of(R6LossSurface.self).lines
    #expect(
      printed.first == "L(u, v) = 3u^2 + 3v^2 - uv + 7u - 7v + 10, start (4, 4), alpha = 0.05")
    #expect(printed.contains("step  0: u = 4.00000, v = 4.00000, L = 90.00000"))
    #expect(printed.contains("after 21 steps: (-0.99037, 1.00940), L = 3.00045"))
    #expect(printed.last == "the minimum: (-1, 1), L = 3")
  }

  @Test func sinkRefusesNamesWithAPath() throws {
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let sink = FigureSink.directory(folder.appendingPathComponent("out").path)
    for bad in ["../escape.svg", "a/b.svg", "/abs.svg", "x\\y.svg"] {
      #expect(throws: FigureSink.InvalidName.self) {
        try ExperimentContext(experiment: "r1", sink: sink) { _ in }.text(bad, "x")
      }
    }
    #expect(throws: FigureSink.InvalidName.self) {
      try ExperimentContext(experiment: "../r1", sink: sink) { _ in }.text("x.svg", "x")
    }
    for bad in ["..", ".", "", ".hidden"] {
      #expect(throws: FigureSink.InvalidName.self) { try sink.save(bad, "x") }
    }
    #expect(try everyFile(under: folder).isEmpty)
  }

  @Test func demoCommandWritesIntoOutOnly() throws {
    let descent = try #require(Self.executable, "build the descent executable first")
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let printed = try run(descent, ["demo", "r9", "r10", "--out", "figures/demo"], in: folder)
    let wrote = printed.filter { $0.hasPrefix("wrote ") }.map { String($0.dropFirst(6)) }
    #expect(wrote == ["figures/demo/r9-learning-rates.svg", "figures/demo/r10-cost-curve.svg"])
    #expect(try everyFile(under: folder) == Set(wrote))
    #expect(printed.contains("Epoch   10/10 W: 1.000, Cost: 0.000000"))
    // Without --out the figures go to ./descent-out; with --no-figures nowhere.
    _ = try run(descent, ["demo", "r10", "--no-figures"], in: folder)
    #expect(try everyFile(under: folder) == Set(wrote))
    _ = try run(descent, ["demo", "r10"], in: folder)
    let all = Set(wrote + ["descent-out/r10-cost-curve.svg"])
    #expect(try everyFile(under: folder) == all)
    // An --out that is a file stops the command before any experiment runs.
    let refused = try run(
      descent, ["demo", "r10", "--out", "descent-out/r10-cost-curve.svg"], in: folder, status: 1)
    #expect(refused.isEmpty)
    #expect(try everyFile(under: folder) == all)
  }

  // MARK: Helpers

  /// The texts of an SVG document, after checking it parses with an `svg` root and a viewBox.
  func parsedTexts(_ svg: String, _ file: String) throws -> [String] {
    final class Collector: NSObject, XMLParserDelegate {
      var root: [String: String]?
      var values: [String] = []
      var texts: [String] = []
      var inText = false
      func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
      ) {
        if root == nil { root = name == "svg" ? attributes : [:] }
        values += attributes.values
        if name == "text" { (inText, texts) = (true, texts + [""]) }
      }
      func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { texts[texts.count - 1] += string }
      }
      func parser(
        _ parser: XMLParser, didEndElement name: String, namespaceURI: String?,
        qualifiedName: String?
      ) {
        if name == "text" { inText = false }
      }
    }
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    #expect(parser.parse(), "\(file) is not well-formed XML")
    #expect(collector.root?["viewBox"] != nil, "\(file) has no svg root with a viewBox")
    let bad = collector.values.filter { $0.lowercased().contains("nan") || $0.contains("inf") }
    #expect(bad.isEmpty, "\(file) has bad numbers: \(bad.prefix(3))")
    return collector.texts
  }

  func scratchFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("descent-demo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  /// Every regular file under `folder`, as paths relative to it.
  func everyFile(under folder: URL) throws -> Set<String> {
    let base = folder.standardizedFileURL.path + "/"
    var files: Set<String> = []
    let walker = FileManager.default.enumerator(
      at: folder, includingPropertiesForKeys: [.isRegularFileKey])
    while let url = walker?.nextObject() as? URL {
      guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else {
        continue
      }
      files.insert(String(url.standardizedFileURL.path.dropFirst(base.count)))
    }
    return files
  }

  /// The `descent` executable that SwiftPM builds beside the test bundle.
  static let executable: URL? = {
    var folders = Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    folders.append(Bundle.main.bundleURL)
    return folders.map { $0.appendingPathComponent("descent") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// Runs `descent arguments…` in `folder`; returns its standard output, line by line.
  func run(_ descent: URL, _ arguments: [String], in folder: URL, status: Int32 = 0) throws
    -> [String]
  {
    let process = Process()
    process.executableURL = descent
    process.arguments = arguments
    process.currentDirectoryURL = folder
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(
      process.terminationStatus == status,
      "descent \(arguments.joined(separator: " ")): exit status")
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
  }
}
