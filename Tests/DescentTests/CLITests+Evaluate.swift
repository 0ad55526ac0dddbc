import Descent
import Foundation
import Testing

/// `descent evaluate` on models of fixed weights: the printed metrics and confusion matrix are
/// PyTorch's and scikit-learn's (evaluation.json), and the heat map holds the counts.
@Suite("CLI: descent evaluate")
struct CLIEvaluateTests {
  /// A model file as `descent train` writes it, with the fixture's weights.
  static func writeModel(_ item: EvaluationFixtures.EvaluateCase, to url: URL) throws {
    let outputs = item.weight.count
    let weight = Tensor(
      shape: [outputs, item.weight[0].count], scalars: item.weight.joined().map { Float($0) })
    let bias = Tensor(shape: [outputs], scalars: item.bias.map { Float($0) })
    var metadata = [
      "format": "descent-model", "version": "1",
      "layers": "[{\"in_features\":2,\"out_features\":\(outputs),\"type\":\"Linear\"}]",
      "features": "[\"a\",\"b\"]", "target": "y", "loss": item.loss,
    ]
    if let mean = item.mean, let scale = item.scale {
      metadata["standardize"] = "{\"mean\":\(mean),\"scale\":\(scale)}"
    }
    try Safetensors.save(["0.weight": weight, "0.bias": bias], to: url, metadata: metadata)
  }

  @Test(arguments: EvaluationFixtures.shared.evaluate)
  func printsPyTorchsMetrics(item: EvaluationFixtures.EvaluateCase) throws {
    try CLI.withScratch { folder in
      try Self.writeModel(item, to: folder.appendingPathComponent("model.safetensors"))
      try CLI.write(item.csv, "test.csv", in: folder)
      let run = try CLI.run(
        ["evaluate", "--model", "model.safetensors", "--data", "test.csv"], in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stderr.isEmpty)
      #expect(run.stdout == item.printed.joined(separator: "\n") + "\n")
      let svg = folder.appendingPathComponent("confusion-matrix.svg")
      if let confusion = item.confusion {
        #expect(try CLI.parsesAsSVG(svg))
        let text = try String(contentsOf: svg, encoding: .utf8)
        // Every count in its cell, in reading order after the title.
        let counts = confusion.joined().map { ">\($0)</text>" }
        var rest = text[...]
        for count in counts {
          let found = try #require(rest.range(of: count), "\(count) missing")
          rest = rest[found.upperBound...]
        }
        #expect(text.contains(">predicted class<") && text.contains(">true class<"))
      } else {
        #expect(!FileManager.default.fileExists(atPath: svg.path))
      }
    }
  }

  /// --out puts the heat map into a new folder; --target reads another column.
  @Test func outAndTargetOptions() throws {
    try CLI.withScratch { folder in
      let item = try #require(EvaluationFixtures.shared.evaluate.first { $0.confusion != nil })
      try Self.writeModel(item, to: folder.appendingPathComponent("model.safetensors"))
      try CLI.write(
        item.csv.replacingOccurrences(of: "a,b,y", with: "a,b,label"), "t.csv", in: folder)
      let run = try CLI.run(
        [
          "evaluate", "--model", "model.safetensors", "--data", "t.csv", "--target", "label",
          "--out", "report/figures",
        ], in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      let expected = item.printed.dropLast() + ["wrote report/figures/confusion-matrix.svg"]
      #expect(run.stdout == expected.joined(separator: "\n") + "\n")
      #expect(
        CLI.entries(folder.appendingPathComponent("report/figures")) == ["confusion-matrix.svg"])
    }
  }
}
