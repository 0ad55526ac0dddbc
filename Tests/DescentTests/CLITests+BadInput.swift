import Descent
import Foundation
import Testing

/// Each bad input: a non-zero exit, one line on standard error naming the problem, and no
/// output written (nor staging folders left behind).
@Suite("CLI: bad input")
struct CLIBadInputTests {
  static let small = "a,b,y\n1,2,0\n2,1,1\n3,3,0\n4,0,1\n"

  /// Runs `descent arguments…` in a scratch folder holding `files`, and checks the failure.
  func expectFailure(
    _ arguments: [String], files: [String: String] = ["small.csv": small], mentions: [String],
    oneLine: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    try CLI.withScratch { folder in
      for (name, text) in files { try CLI.write(text, name, in: folder) }
      let before = CLI.entries(folder)
      let run = try CLI.run(arguments, in: folder)
      #expect(run.status != 0, "exit status 0 for \(arguments)", sourceLocation: sourceLocation)
      let lines = run.errorLines
      if oneLine {
        #expect(lines.count == 1, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
      }
      for text in mentions {
        #expect(
          lines.first?.contains(text) == true, "\"\(text)\" not in: \(run.stderr)",
          sourceLocation: sourceLocation)
      }
      #expect(
        CLI.entries(folder) == before, "files appeared: \(CLI.entries(folder))",
        sourceLocation: sourceLocation)
    }
  }

  func train(_ extra: [String]) -> [String] {
    ["train", "--data", "small.csv", "--target", "y", "--epochs", "3", "--out", "out"] + extra
  }

  @Test func unknownAndNonNumericColumns() throws {
    try expectFailure(
      ["train", "--data", "small.csv", "--target", "z", "--out", "out"],
      mentions: ["small.csv", "\"z\""])
    try expectFailure(train(["--features", "a,c"]), mentions: ["small.csv", "\"c\""])
    try expectFailure(
      train([]), files: ["small.csv": "a,b,y\n1,2,0\n2,two,1\n"],
      mentions: ["small.csv", "line 3", "column \"b\"", "two"])
    try expectFailure(
      train([]), files: ["small.csv": "a,b,y\n1,2,0\n2,,1\n"],
      mentions: ["small.csv", "line 3", "column \"b\"", "missing"])
    try expectFailure(
      train([]), files: ["small.csv": "a,b,y\n1,inf,0\n"],
      mentions: ["line 2", "column \"b\"", "finite"])
    try expectFailure(train(["--features", "a,y"]), mentions: ["target"])
    try expectFailure(
      ["train", "--data", "absent.csv", "--target", "y", "--out", "out"],
      mentions: ["absent.csv", "no such file"])
  }

  @Test func badClassTargets() throws {
    try expectFailure(
      train(["--loss", "ce"]), files: ["small.csv": "a,y\n1,0\n2,1\n3,3\n"],
      mentions: ["small.csv", "column \"y\"", "class 2 is missing"])
    try expectFailure(
      train(["--loss", "ce"]), files: ["small.csv": "a,y\n1,0\n2,1.5\n"],
      mentions: ["line 3", "1.5", "not a class index"])
    try expectFailure(
      train(["--loss", "ce"]), files: ["small.csv": "a,y\n1,0\n2,-1\n"], mentions: ["line 3", "-1"])
    try expectFailure(
      train(["--loss", "bce"]), files: ["small.csv": "a,y\n1,0\n2,2\n"],
      mentions: ["line 3", "0 and 1"])
  }

  @Test func badOptionValues() throws {
    for hidden in ["0", "-3", "abc", "8,,4", "4,0"] {
      try expectFailure(train(["--hidden", hidden]), mentions: ["--hidden"])
    }
    try expectFailure(train(["--lr", "-0.1"]), mentions: ["--lr", "learning rate"])
    try expectFailure(train(["--lr", "0"]), mentions: ["--lr"])
    try expectFailure(train(["--epochs", "0"]), mentions: ["--epochs"])
    try expectFailure(train(["--batch-size", "0"]), mentions: ["--batch-size"])
    try expectFailure(train(["--seed", "-1"]), mentions: ["--seed"])
    try expectFailure(
      train(["--optimizer", "adam", "--momentum", "0.9"]), mentions: ["--momentum", "adam"])
    try expectFailure(train(["--nesterov"]), mentions: ["--nesterov", "momentum"])
    try expectFailure(train(["--activation", "tanh"]), mentions: ["--activation", "hidden"])
    try expectFailure(train(["--weight-decay", "-1"]), mentions: ["--weight-decay"])
    // argument-parser's own errors, also on one line.
    try expectFailure(train(["--loss", "mae"]), mentions: ["mae", "--loss"])
    try expectFailure(train(["--optimizer", "lbfgs"]), mentions: ["lbfgs"])
    try expectFailure(train(["--lr", "fast"]), mentions: ["fast", "--lr"])
  }

  @Test func unwritableOutputFolder() throws {
    try expectFailure(
      ["train", "--data", "small.csv", "--target", "y", "--out", "small.csv/run"],
      mentions: ["--out", "small.csv", "is a file"])
    try expectFailure(
      ["train", "--data", "small.csv", "--target", "y", "--out", "small.csv"],
      mentions: ["--out", "not a folder"])
    try expectFailure(
      ["train", "--data", "small.csv", "--target", "y", "--out", "small.csv/a/b"],
      mentions: ["is a file"])
  }

  /// A diverging run names the epoch and the learning rate; an existing --out folder keeps
  /// its files.
  @Test func divergenceStopsAndKeepsTheOldFolder() throws {
    try CLI.withScratch { folder in
      let data = CLI.fixtures.appendingPathComponent("notes30.csv").path
      let old = folder.appendingPathComponent("out")
      try FileManager.default.createDirectory(at: old, withIntermediateDirectories: true)
      try Data("old".utf8).write(to: old.appendingPathComponent("summary.json"))
      try Data("mine".utf8).write(to: old.appendingPathComponent("notes.txt"))
      let run = try CLI.run(
        ["train", "--data", data, "--target", "y", "--lr", "1", "--epochs", "500", "--out", "out"],
        in: folder)
      #expect(run.status != 0)
      #expect(run.errorLines.count == 1, "\(run.stderr)")
      let line = run.errorLines.first ?? ""
      #expect(line.contains("diverged") && line.contains("epoch") && line.contains("learning rate"))
      #expect(CLI.entries(old) == ["notes.txt", "summary.json"])
      #expect(
        try String(contentsOf: old.appendingPathComponent("summary.json"), encoding: .utf8) == "old"
      )

      // A successful run replaces its own files and keeps the others.
      let good = try CLI.run(
        [
          "train", "--data", data, "--target", "y", "--lr", "0.001", "--epochs", "3", "--out",
          "out",
        ], in: folder)
      #expect(good.status == 0, "\(good.stderr)")
      #expect(
        CLI.entries(old) == [
          "history.csv", "learning-curve.svg", "model.safetensors", "notes.txt", "summary.json",
        ])
      #expect(try CLI.summary(old)["epochs"] as? Int == 3)
    }
  }

  @Test func predictRefusesModelsOfAnotherShapeAndCorruptFiles() throws {
    try CLI.withScratch { folder in
      try CLI.write(Self.small, "small.csv", in: folder)
      for (name, hidden) in [("a", "4"), ("b", "3")] {
        let run = try CLI.run(
          [
            "train", "--data", "small.csv", "--target", "y", "--epochs", "3", "--hidden", hidden,
            "--out", name,
          ],
          in: folder)
        #expect(run.status == 0, "\(run.stderr)")
      }
      // Metadata of one model with the tensors of another.
      let (tensorsB, _) = try Safetensors.load(
        from: folder.appendingPathComponent("b/model.safetensors"))
      let (_, metadataA) = try Safetensors.load(
        from: folder.appendingPathComponent("a/model.safetensors"))
      try Safetensors.save(
        tensorsB, to: folder.appendingPathComponent("mixed.safetensors"), metadata: metadataA)
      // A state dict without the model description, as PyTorch would save one.
      try Safetensors.save(tensorsB, to: folder.appendingPathComponent("plain.safetensors"))
      // A truncated file.
      let bytes = try Data(contentsOf: folder.appendingPathComponent("a/model.safetensors"))
      try bytes.prefix(bytes.count - 7).write(to: folder.appendingPathComponent("cut.safetensors"))
      try Data("not a model".utf8).write(to: folder.appendingPathComponent("text.safetensors"))
      try CLI.write("a,y\n1,0\n", "lacking.csv", in: folder)

      let cases: [([String], [String])] = [
        (["--model", "mixed.safetensors", "--data", "small.csv"], ["mixed.safetensors", "shape"]),
        (
          ["--model", "plain.safetensors", "--data", "small.csv"],
          ["plain.safetensors", "not a model"]
        ),
        (["--model", "cut.safetensors", "--data", "small.csv"], ["cut.safetensors"]),
        (["--model", "text.safetensors", "--data", "small.csv"], ["text.safetensors"]),
        (["--model", "absent.safetensors", "--data", "small.csv"], ["absent.safetensors"]),
        (["--model", "a/model.safetensors", "--data", "lacking.csv"], ["lacking.csv", "\"b\""]),
        (
          ["--model", "a/model.safetensors", "--data", "small.csv", "--out", "nowhere/p.csv"],
          ["nowhere"]
        ),
        (
          ["--model", "a/model.safetensors", "--data", "small.csv", "--out", "a"],
          ["--out", "folder"]
        ),
      ]
      for (arguments, mentions) in cases {
        let before = CLI.entries(folder)
        let run = try CLI.run(["predict"] + arguments, in: folder)
        #expect(run.status != 0, "\(arguments)")
        #expect(run.errorLines.count == 1, "\(arguments): \(run.stderr)")
        for text in mentions {
          #expect(run.errorLines.first?.contains(text) == true, "\"\(text)\" not in: \(run.stderr)")
        }
        #expect(run.stdout.isEmpty)
        #expect(CLI.entries(folder) == before)
      }
    }
  }
}
