import Descent
import Foundation
import Testing

/// Bad held-out data and bad schedule options: a non-zero exit, exactly one line on standard
/// error, nothing written.
@Suite("CLI: bad validation and evaluation input")
struct CLIValidationErrorTests {
  static let small = "a,b,y\n1,2,0\n2,1,1\n3,3,0\n4,0,1\n"

  /// Runs `descent arguments…` among `files` and expects `message` as the whole of stderr.
  func expectError(
    _ arguments: [String], files: [String: String] = [:], _ message: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    try CLI.withScratch { folder in
      try CLI.write(Self.small, "small.csv", in: folder)
      for (name, text) in files { try CLI.write(text, name, in: folder) }
      let before = CLI.entries(folder)
      let run = try CLI.run(arguments, in: folder)
      #expect(run.status != 0, "exit status 0 for \(arguments)", sourceLocation: sourceLocation)
      #expect(run.stderr == "Error: \(message)\n", sourceLocation: sourceLocation)
      #expect(run.stdout.isEmpty, sourceLocation: sourceLocation)
      #expect(
        CLI.entries(folder) == before, "files appeared: \(CLI.entries(folder))",
        sourceLocation: sourceLocation)
    }
  }

  func train(_ extra: [String]) -> [String] {
    ["train", "--data", "small.csv", "--target", "y", "--epochs", "3", "--out", "out"] + extra
  }

  @Test func badSplits() throws {
    try expectError(
      train(["--val-split", "0"]),
      "--val-split 0.0: the share of rows held out must lie between 0 and 1, e.g. 0.2")
    try expectError(
      train(["--val-split", "1"]),
      "--val-split 1.0: the share of rows held out must lie between 0 and 1, e.g. 0.2")
    try expectError(
      train(["--val-split", "0.2", "--val-data", "small.csv"]),
      "--val-split and --val-data: give one of them, not both")
    // One row: the held-out row is the only one.
    try expectError(
      ["train", "--data", "one.csv", "--target", "y", "--val-split", "0.5", "--out", "out"],
      files: ["one.csv": "a,y\n1,2\n"],
      "--val-split 0.5: \"one.csv\" has 1 row, and holding out 1 leaves none for training; give more rows, or use --val-data FILE"
    )
    try expectError(
      train(["--val-split", "0.5", "--loss", "ce"]),
      files: ["small.csv": "a,y\n1,0\n2,1\n3,0\n4,2\n5,1\n"],
      "--val-split 0.5: class 2 of \"small.csv\" has only 1 row, too few to stratify; every class needs a row for training and one for validation"
    )
  }

  @Test func badValidationFiles() throws {
    try expectError(
      train(["--val-data", "val.csv"]), files: ["val.csv": "a,y\n1,0\n"],
      "--val-data \"val.csv\": the column \"b\" of \"small.csv\" is missing; validation rows need the training file's columns"
    )
    try expectError(
      train(["--val-data", "val.csv"]), files: ["val.csv": "a,b,c,y\n1,2,3,0\n"],
      "--val-data \"val.csv\": the column \"c\" is not in \"small.csv\"; validation rows need the training file's columns"
    )
    try expectError(
      train(["--val-data", "val.csv", "--loss", "ce"]), files: ["val.csv": "a,b,y\n1,2,0\n3,4,2\n"],
      "CSV \"val.csv\", line 3, column \"y\": class 2 does not occur in the training rows of \"small.csv\" (classes 0, 1); a model cannot learn a class it never saw"
    )
    try expectError(
      train(["--val-data", "val.csv"]), files: ["val.csv": "a,b,y\n1,x,0\n"],
      "CSV \"val.csv\", line 2, column \"b\": \"x\" is not a number, so the column cannot be read as numbers (a missing value is written as an empty field or NA)"
    )
    try expectError(
      train(["--val-data", "val.csv"]), files: ["val.csv": "a,b,y\n"],
      "--val-data \"val.csv\": the file has no rows to validate on")
  }

  @Test func badEarlyStoppingAndSchedules() throws {
    try expectError(
      train(["--early-stopping", "3"]),
      "--early-stopping needs held-out rows to watch: add --val-split 0.2 or --val-data FILE")
    try expectError(
      train(["--early-stopping", "0", "--val-split", "0.5"]),
      "--early-stopping 0: wait at least 1 epoch without improvement")
    try expectError(
      train(["--scheduler", "step"]),
      "--scheduler step needs --step-size N, the epochs between reductions")
    try expectError(train(["--gamma", "0.5"]), "--gamma applies to --scheduler step")
    try expectError(
      train(["--scheduler", "cosine", "--factor", "0.5"]),
      "--factor applies to --scheduler plateau, not cosine")
    try expectError(
      train(["--scheduler", "plateau", "--factor", "1.5"]),
      "--factor 1.5: the factor must lie between 0 and 1, e.g. 0.5")
    try expectError(
      train(["--scheduler", "step", "--step-size", "0"]),
      "--step-size 0: reduce at most every 1 epoch")
    try expectError(
      train(["--scheduler", "cosine", "--t-max", "0"]),
      "--t-max 0: the cosine lasts at least 1 epoch")
  }

  @Test func helpNamesTheNewOptionsAndCommand() throws {
    try CLI.withScratch { folder in
      let top = try CLI.run(["--help"], in: folder)
      #expect(top.status == 0 && top.stdout.contains("evaluate"))
      let train = try CLI.run(["train", "--help"], in: folder)
      let help = train.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(
        separator: " ")
      for text in [
        "--val-split <share>", "--val-data <file>", "--early-stopping <n>",
        "--scheduler <schedule>", "--step-size <n>", "--t-max <n>", "--patience <n>",
      ] {
        #expect(help.contains(text), "descent train --help lacks \(text)")
      }
      let evaluate = try CLI.run(["evaluate", "--help"], in: folder)
      #expect(evaluate.status == 0)
      #expect(evaluate.stdout.contains("--model <file>") && evaluate.stdout.contains("Examples:"))
    }
  }

  @Test func badEvaluateInput() throws {
    try CLI.withScratch { folder in
      try CLI.write(Self.small, "small.csv", in: folder)
      let run = try CLI.run(
        [
          "train", "--data", "small.csv", "--target", "y", "--loss", "ce", "--epochs", "2", "--out",
          "m",
        ],
        in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      let cases: [([String], String, String)] = [
        (
          ["--data", "test.csv"], "a,b,y\n1,2,0\n1,2,5\n",
          "CSV \"test.csv\", line 3, column \"y\": class 5 is not one the model was trained on (classes 0 to 1)"
        ),
        (
          ["--data", "test.csv"], "a,b\n1,2\n",
          "CSV \"test.csv\", column \"y\": no column named \"y\". The columns are: \"a\", \"b\" (the model \"m/model.safetensors\" needs the columns \"a\", \"b\", \"y\")"
        ),
        (
          ["--data", "test.csv", "--target", "label"], "a,b,y\n1,2,0\n",
          "CSV \"test.csv\", column \"label\": no column named \"label\". The columns are: \"a\", \"b\", \"y\" (the model \"m/model.safetensors\" needs the columns \"a\", \"b\", \"label\")"
        ),
        (["--data", "test.csv"], "a,b,y\n", "CSV \"test.csv\": no rows to evaluate on"),
        (
          ["--data", "test.csv", "--out", "small.csv"], "a,b,y\n1,2,0\n",
          "--out \"small.csv\": that is a file, not a folder; give a folder to write the results into"
        ),
      ]
      for (arguments, csv, message) in cases {
        try CLI.write(csv, "test.csv", in: folder)
        let before = CLI.entries(folder)
        let result = try CLI.run(
          ["evaluate", "--model", "m/model.safetensors"] + arguments, in: folder)
        #expect(result.status != 0)
        #expect(result.stderr == "Error: \(message)\n")
        #expect(CLI.entries(folder) == before)
      }
    }
  }
}
