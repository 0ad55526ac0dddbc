import Descent
import Foundation
import Testing

/// `descent train --checkpoint … --resume …` in one process (the MPI jobs are checked by
/// descent-mpi-tests).
@Suite("CLI: checkpoints and resume")
struct CLICheckpointTests {
  /// Shuffled mini-batches and Adam: the shuffles come from the global generator, which the
  /// checkpoint restores with the model and the optimizer's moments.
  private static let options = [
    "--target", "species", "--loss", "ce", "--hidden", "8", "--standardize", "--optimizer",
    "adam", "--lr", "0.01", "--batch-size", "16", "--seed", "3", "--quiet",
  ]

  @Test func aResumedRunEndsBitForBitWhereAnUninterruptedOneEnds() throws {
    try CLI.withScratch { folder in
      let iris = try CLI.shared("iris.csv")
      let train = ["train", "--data", iris] + Self.options
      let whole = try CLI.run(
        train + ["--epochs", "6", "--checkpoint", "a.ckpt", "--out", "A"], in: folder)
      #expect(whole.status == 0, "\(whole.stderr)")
      let firstHalf = try CLI.run(
        train + ["--epochs", "3", "--checkpoint", "b.ckpt", "--checkpoint-every", "2"], in: folder)
      #expect(firstHalf.status == 0, "\(firstHalf.stderr)")
      let rest = try CLI.run(
        train + ["--epochs", "6", "--resume", "b.ckpt", "--out", "B"], in: folder)
      #expect(rest.status == 0, "\(rest.stderr)")
      for file in ["model.safetensors", "history.csv"] {
        let a = try Data(contentsOf: folder.appendingPathComponent("A/\(file)"))
        let b = try Data(contentsOf: folder.appendingPathComponent("B/\(file)"))
        #expect(a == b, "\(file) differs")
      }
      let history = try String(
        contentsOf: folder.appendingPathComponent("B/history.csv"), encoding: .utf8)
      #expect(history.split(separator: "\n").count == 7)
    }
  }

  @Test func badCheckpointOptionsAreNamed() throws {
    try CLI.withScratch { folder in
      let iris = try CLI.shared("iris.csv")
      let train = ["train", "--data", iris] + Self.options
      let saved = try CLI.run(train + ["--epochs", "2", "--checkpoint", "c.ckpt"], in: folder)
      #expect(saved.status == 0, "\(saved.stderr)")
      let cases: [([String], String)] = [
        (
          ["--checkpoint-every", "2"],
          "Error: --checkpoint-every needs --checkpoint FILE, the file to save into"
        ),
        (
          ["--checkpoint", "d.ckpt", "--checkpoint-every", "0"],
          "Error: --checkpoint-every 0: save at least every 1 epoch"
        ),
        (["--resume", "missing.ckpt"], "Error: --resume \"missing.ckpt\": no such file"),
        (
          ["--resume", "c.ckpt", "--lr", "0.02"],
          "Error: --resume \"c.ckpt\": the run was saved with lr 0.01, this one has 0.02; resume with the same options"
        ),
        (
          ["--resume", "c.ckpt", "--epochs", "2"],
          "Error: --resume \"c.ckpt\": the run has already trained 2 epochs; give --epochs above 2 to train more"
        ),
        (
          ["--resume", iris],
          "Error: --resume \"\(iris)\": "
        ),
      ]
      for (extra, message) in cases {
        let run = try CLI.run(train + ["--epochs", "4"] + extra, in: folder)
        #expect(run.status != 0)
        #expect(run.errorLines.count == 1 && run.stderr.hasPrefix(message), "\(run.stderr)")
      }
    }
  }
}
