import Descent
import Foundation
import Testing

/// `descent train` with held-out rows, schedulers and early stopping, against PyTorch runs
/// (evaluation.json), and the split's promises: seeded, stratified, standardised on the
/// training rows alone.
@Suite("CLI: validation, schedulers, early stopping")
struct CLIValidationTests {
  /// The history columns by name, as numbers.
  static func history(_ folder: URL) throws -> (header: [String], rows: [[Double]]) {
    let rows = CLI.csvRows(
      try String(contentsOf: folder.appendingPathComponent("history.csv"), encoding: .utf8))
    let header = try #require(rows.first)
    return (header, rows.dropFirst().map { $0.map { Double($0) ?? .nan } })
  }

  /// float32 training: 1e-5 relative + 1e-6 absolute, as the op fixtures.
  static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 + 1e-5 * abs(b) }

  @Test(arguments: EvaluationFixtures.shared.runs)
  func historyMatchesPyTorch(run: EvaluationFixtures.Run) throws {
    try CLI.withScratch { folder in
      try CLI.write(run.train, "train.csv", in: folder)
      try CLI.write(run.val, "val.csv", in: folder)
      let result = try CLI.run(
        ["train", "--data", "train.csv", "--target", "y", "--val-data", "val.csv", "--out", "m"]
          + run.options, in: folder)
      #expect(result.status == 0, "\(result.stderr)")
      let out = folder.appendingPathComponent("m")
      let (header, rows) = try Self.history(out)
      let classification = run.history[0].accuracy != nil
      #expect(
        header
          == (classification
            ? ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"]
            : ["epoch", "loss", "val_loss", "val_mse", "val_mae", "val_r2", "lr"]))
      #expect(rows.count == run.history.count)
      for (row, expected) in zip(rows, run.history) {
        let values =
          classification
          ? [
            expected.loss, expected.accuracy!, expected.val_loss, expected.val_accuracy!,
            expected.lr,
          ]
          : [
            expected.loss, expected.val_loss, expected.val_mse!, expected.val_mae!,
            expected.val_r2!, expected.lr,
          ]
        for (index, value) in values.enumerated() {
          #expect(
            Self.close(row[index + 1], value),
            "epoch \(Int(row[0])), \(header[index + 1]): \(row[index + 1]) vs PyTorch \(value)")
        }
      }
      let summary = try CLI.summary(out)
      #expect(summary["val_rows"] as? Int == 12)
      if let best = run.best_epoch, let weights = run.best_weights {
        #expect(summary["best_epoch"] as? Int == best)
        #expect(summary["epochs"] as? Int == run.history.count)
        let bestLoss = try #require(summary["val_loss"] as? Double)
        #expect(bestLoss == rows[best - 1][2])
        let (tensors, _) = try Safetensors.load(
          from: out.appendingPathComponent("model.safetensors"))
        for (key, values) in weights {
          let saved = try #require(tensors[key]).toDoubles()
          #expect(
            zip(saved, values).allSatisfy { Self.close($0, $1) }, "\(key): \(saved) vs \(values)")
        }
        #expect(
          result.stdout.contains(
            "early stopping: no lower validation loss in the 3 epochs after epoch \(best); kept its weights"
          ))
      } else {
        let last = try #require(rows.last)
        #expect(summary["val_loss"] as? Double == last[classification ? 3 : 2])
      }
    }
  }

  /// iris, 50 rows per class, a quarter held out: ceil(37.5) = 38 rows, 13 + 13 + 12.
  @Test func splitIsSeededStratifiedAndStandardisedOnTrainingRows() throws {
    try CLI.withScratch { folder in
      let iris = try CLI.shared("iris.csv")
      func train(_ seed: String, _ out: String) throws -> [String: Any] {
        let run = try CLI.run(
          [
            "train", "--data", iris, "--target", "species", "--loss", "ce", "--hidden", "8",
            "--standardize", "--optimizer", "adam", "--lr", "0.05", "--epochs", "30",
            "--val-split", "0.25", "--seed", seed, "--out", out,
          ], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("validation accuracy "))
        return try CLI.summary(folder.appendingPathComponent(out))
      }
      let first = try train("4", "a")
      let again = try train("4", "b")
      let other = try train("5", "c")
      let lines = try #require(first["val_lines"] as? [Int])
      #expect(lines.count == 38 && first["val_rows"] as? Int == 38 && first["rows"] as? Int == 112)
      #expect(again["val_lines"] as? [Int] == lines)
      #expect(other["val_lines"] as? [Int] != lines)
      #expect(lines == lines.sorted() && Set(lines).count == 38)

      let table = try CSVReader.read(URL(fileURLWithPath: iris))
      let species = try table.column("species")
      let held = Set(lines.map { $0 - 2 })  // line 2 is the first row
      let counts = (0..<3).map { k in held.filter { species[$0] == Double(k) }.count }
      #expect(counts == [13, 13, 12])

      // The stored standardisation is the mean and population std of the 112 training rows.
      let (_, metadata) = try Safetensors.load(
        from: folder.appendingPathComponent("a/model.safetensors"))
      let standardize = try #require(metadata["standardize"])
      let stored = try #require(
        try JSONSerialization.jsonObject(with: Data(standardize.utf8)) as? [String: [Double]])
      let column = try table.column("sepal_length")
      let training = column.indices.filter { !held.contains($0) }.map { column[$0] }
      let mean = training.reduce(0, +) / Double(training.count)
      let std = (training.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(training.count))
        .squareRoot()
      #expect(abs(stored["mean"]![0] - mean) <= 1e-12 && abs(stored["scale"]![0] - std) <= 1e-12)

      // descent evaluate on the held-out rows gives the summary's validation scores.
      var text = table.columns.joined(separator: ",") + "\n"
      for row in held.sorted() {
        text += try table.columns.map { try table.strings($0)[row] }.joined(separator: ",") + "\n"
      }
      try CLI.write(text, "held.csv", in: folder)
      let evaluate = try CLI.run(
        ["evaluate", "--model", "a/model.safetensors", "--data", "held.csv", "--out", "e"],
        in: folder)
      #expect(evaluate.status == 0, "\(evaluate.stderr)")
      let accuracy = try #require(first["val_accuracy"] as? Double)
      #expect(evaluate.stdout.contains(String(format: "accuracy %.4f (", accuracy)))
      let loss = try #require(first["val_loss"] as? Double)
      #expect(evaluate.stdout.contains("loss \(String(format: "%.6g", loss)) (ce)"))
    }
  }

  /// Regression: ceil(0.2 × 30) = 6 rows held out, the learning curve draws both losses.
  @Test func regressionSplitDrawsBothCurves() throws {
    try CLI.withScratch { folder in
      let data = CLI.fixtures.appendingPathComponent("notes30.csv").path
      let run = try CLI.run(
        [
          "train", "--data", data, "--target", "y", "--lr", "0.001", "--epochs", "50",
          "--val-split", "0.2", "--out", "r",
        ], in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      let summary = try CLI.summary(folder.appendingPathComponent("r"))
      #expect(summary["val_rows"] as? Int == 6 && summary["rows"] as? Int == 24)
      for key in ["val_loss", "val_mse", "val_mae", "val_r2"] {
        #expect(summary[key] is Double, "summary.json lacks \(key)")
      }
      #expect(run.stdout.contains("validation loss ") && run.stdout.contains(" r2 "))
      let svg = try String(
        contentsOf: folder.appendingPathComponent("r/learning-curve.svg"), encoding: .utf8)
      #expect(svg.contains(">training loss<") && svg.contains(">validation loss<"))
    }
  }

  /// A run resumed from its checkpoint carries on the schedule, the validation history and
  /// the best weights so far, and ends bit for bit where an uninterrupted one ends.
  @Test func resumedRunKeepsScheduleAndBestWeights() throws {
    try CLI.withScratch { folder in
      let iris = try CLI.shared("iris.csv")
      let train = [
        "train", "--data", iris, "--target", "species", "--loss", "ce", "--hidden", "8",
        "--standardize", "--optimizer", "sgd", "--lr", "0.5", "--batch-size", "32", "--seed", "2",
        "--val-split", "0.3", "--early-stopping", "50", "--scheduler", "plateau", "--patience",
        "0", "--quiet",
      ]
      let whole = try CLI.run(train + ["--epochs", "12", "--out", "A"], in: folder)
      #expect(whole.status == 0, "\(whole.stderr)")
      let half = try CLI.run(train + ["--epochs", "5", "--checkpoint", "c.ckpt"], in: folder)
      #expect(half.status == 0, "\(half.stderr)")
      let rest = try CLI.run(
        train + ["--epochs", "12", "--resume", "c.ckpt", "--out", "B"], in: folder)
      #expect(rest.status == 0, "\(rest.stderr)")
      for file in ["model.safetensors", "history.csv"] {
        let a = try Data(contentsOf: folder.appendingPathComponent("A/\(file)"))
        let b = try Data(contentsOf: folder.appendingPathComponent("B/\(file)"))
        #expect(a == b, "\(file) differs")
      }
      let (header, rows) = try Self.history(folder.appendingPathComponent("A"))
      #expect(header.last == "lr")
      // patience 0: the rate falls tenfold after every epoch without a lower validation loss.
      #expect(Set(rows.map { $0.last! }).count > 1)
      let summary = try CLI.summary(folder.appendingPathComponent("A"))
      let losses = rows.map { $0[3] }
      let best = try #require(summary["best_epoch"] as? Int)
      #expect(losses[best - 1] == losses.min())
    }
  }

  /// In a terminal the chart draws the validation loss in colour beside the training loss.
  #if os(Linux)
    @Test(
      .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
        "needs /usr/bin/script (util-linux; Debian's bsdutils) to make a pseudo-terminal"))
    func terminalChartShowsTheValidationLoss() throws {
      try CLI.withScratch { folder in
        let executable = try #require(CLI.executable)
        let data = CLI.fixtures.appendingPathComponent("notes30.csv").path
        let command =
          "'\(executable.path)' train --data '\(data)' --target y --lr 0.001 --epochs 100 --val-split 0.2"
        let run = try CLI.run(
          ["-qec", command, "/dev/null"], in: folder,
          executable: URL(fileURLWithPath: "/usr/bin/script"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("training ⠒, \u{1B}[33mvalidation ⠒\u{1B}[0m"))
        #expect(run.stdout.contains("100 epochs"))
      }
    }
  #endif
}
