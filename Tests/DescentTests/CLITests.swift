import Descent
import Foundation
import Testing

/// `descent train` and `descent predict`, run as a subprocess on real files.
@Suite("CLI: descent train and predict")
struct CLITests {
  /// R2 of the reference: the notes' 30 points, zero start, SGD lr 0.001, 10000 epochs.
  @Test func regressionOnTheNotesPointsEndsAtTheReferenceNumbers() throws {
    try CLI.withScratch { folder in
      let data = CLI.fixtures.appendingPathComponent("notes30.csv").path
      let run = try CLI.run(
        [
          "train", "--data", data, "--target", "y", "--init", "zeros", "--optimizer", "sgd",
          "--lr", "0.001", "--epochs", "10000", "--out", "r2",
        ], in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      let out = folder.appendingPathComponent("r2")
      let summary = try CLI.summary(out)
      let parameters = try #require(summary["parameters"] as? [String: Any])
      let weight = try #require(parameters["0.weight"] as? [[Double]])
      let bias = try #require(parameters["0.bias"] as? [Double])
      let loss = try #require(summary["final_loss"] as? Double)
      #expect(String(format: "%.3f", weight[0][0]) == "0.879")
      #expect(String(format: "%.3f", bias[0]) == "-0.432")
      #expect(String(format: "%.3f", loss) == "1.372")
      #expect(summary["epochs"] as? Int == 10000)
      #expect(summary["accuracy"] == nil)
      let history = CLI.csvRows(
        try String(contentsOf: out.appendingPathComponent("history.csv"), encoding: .utf8))
      #expect(history.first == ["epoch", "loss"])
      #expect(history.count == 10001)
      #expect(history.last?.first == "10000")
      #expect(Double(history.last![1]) == loss)
    }
  }

  /// Cross entropy on iris: high accuracy, every file present and readable.
  @Test func crossEntropyOnIrisWritesEveryFile() throws {
    try CLI.withScratch { folder in
      let iris = try CLI.shared("iris.csv")
      let run = try CLI.run(
        [
          "train", "--data", iris, "--target", "species", "--loss", "ce", "--hidden", "8",
          "--standardize", "--optimizer", "adam", "--lr", "0.05", "--epochs", "60", "--seed", "1",
          "--out", "runs/iris",
        ], in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stderr.isEmpty)
      let out = folder.appendingPathComponent("runs/iris")
      #expect(
        CLI.entries(out) == [
          "history.csv", "learning-curve.svg", "model.safetensors", "summary.json",
        ])
      #expect(CLI.entries(folder.appendingPathComponent("runs")) == ["iris"])

      let summary = try CLI.summary(out)
      for key in ["final_loss", "epochs", "seconds", "accuracy", "parameters"] {
        #expect(summary[key] != nil, "summary.json lacks \(key)")
      }
      let accuracy = try #require(summary["accuracy"] as? Double)
      #expect(accuracy >= 0.95)
      let parameters = try #require(summary["parameters"] as? [String: Any])
      #expect(Set(parameters.keys) == ["0.weight", "0.bias", "2.weight", "2.bias"])
      #expect((parameters["2.weight"] as? [[Double]])?.map(\.count) == [8, 8, 8])

      let history = CLI.csvRows(
        try String(contentsOf: out.appendingPathComponent("history.csv"), encoding: .utf8))
      #expect(history.first == ["epoch", "loss", "accuracy"])
      #expect(history.count == 61)
      #expect(Double(history.last![2]) == accuracy)

      let (tensors, metadata) = try Safetensors.load(
        from: out.appendingPathComponent("model.safetensors"))
      #expect(Set(tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias"])
      #expect(tensors["0.weight"]?.shape == [8, 4] && tensors["2.bias"]?.shape == [3])
      #expect(metadata["format"] == "descent-model" && metadata["loss"] == "ce")
      #expect(metadata["standardize"] != nil && metadata["layers"] != nil)
      let weights = try #require(parameters["0.weight"] as? [[Double]])
      // summary.json writes each float32 in its shortest form, which reads back exactly.
      #expect(weights.flatMap { $0 }.map { Float($0) } == tensors["0.weight"]!.toFloats())
      #expect(try CLI.parsesAsSVG(out.appendingPathComponent("learning-curve.svg")))

      // Without a terminal: a plain summary, no escape sequences.
      #expect(run.stdout.contains("final loss") && run.stdout.contains("accuracy"))
      #expect(run.stdout.contains("runs/iris/model.safetensors"))
      #expect(!run.stdout.contains("\u{1B}"))

      // predict reproduces the model's output computed in process.
      let predict = try CLI.run(
        ["predict", "--model", "runs/iris/model.safetensors", "--data", iris, "--out", "p.csv"],
        in: folder)
      #expect(predict.status == 0, "\(predict.stderr)")
      #expect(predict.stdout.isEmpty)
      let rows = CLI.csvRows(
        try String(contentsOf: folder.appendingPathComponent("p.csv"), encoding: .utf8))
      #expect(rows.first == ["class", "prob_0", "prob_1", "prob_2"])
      #expect(rows.count == 151)
      let model = try InProcessModel(file: out.appendingPathComponent("model.safetensors"))
      let output = try model.output(csv: iris)
      let probabilities = output.softmax(dim: 1).toFloats()
      let classes = output.argmax(dim: 1).toArray(as: Int64.self)
      let truth = try CSVReader.read(URL(fileURLWithPath: iris)).column("species")
      var right = 0
      for (row, fields) in rows.dropFirst().enumerated() {
        #expect(Int64(fields[0]) == classes[row])
        // Bit-equal: a GEMM path forced by another test holds for that test's thread only.
        let printed = fields.dropFirst().map { Float($0) }
        let expected = probabilities[(row * 3)..<(row * 3 + 3)].map { Optional($0) }
        #expect(printed == expected, "row \(row)")
        if Double(classes[row]) == truth[row] { right += 1 }
      }
      #expect(Double(right) / 150 >= 0.95)
    }
  }

  /// Regression with mini-batches on diabetes; predict works on data without the target.
  @Test func miniBatchRegressionOnDiabetes() throws {
    try CLI.withScratch { folder in
      let diabetes = try CLI.shared("diabetes.csv")
      let arguments = [
        "train", "--data", diabetes, "--target", "progression", "--standardize", "--hidden", "16",
        "--activation", "tanh", "--optimizer", "adam", "--lr", "0.05", "--epochs", "15",
        "--batch-size", "64", "--seed", "3", "--out", "d",
      ]
      let run = try CLI.run(arguments, in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      let history = CLI.csvRows(
        try String(contentsOf: folder.appendingPathComponent("d/history.csv"), encoding: .utf8))
      #expect(history.count == 16)
      #expect(Double(history.last![1])! < Double(history[1][1])! / 2)
      let summary = try CLI.summary(folder.appendingPathComponent("d"))
      #expect(summary["batch_size"] as? Int == 64)

      // The same seed gives the same run, bit for bit.
      let again = try CLI.run(arguments.dropLast() + ["d2"], in: folder)
      #expect(again.status == 0)
      #expect(
        try Data(contentsOf: folder.appendingPathComponent("d/model.safetensors"))
          == Data(contentsOf: folder.appendingPathComponent("d2/model.safetensors")))

      // The features alone, in another order, without the target column.
      let table = try CSVReader.read(URL(fileURLWithPath: diabetes))
      let names = table.columns.filter { $0 != "progression" }.reversed()
      var text = names.joined(separator: ",") + "\n"
      for row in 0..<table.rowCount {
        text += try names.map { try table.strings($0)[row] }.joined(separator: ",") + "\n"
      }
      let features = try CLI.write(text, "features.csv", in: folder)
      let predict = try CLI.run(
        ["predict", "--model", "d/model.safetensors", "--data", features], in: folder)
      #expect(predict.status == 0, "\(predict.stderr)")
      let rows = CLI.csvRows(predict.stdout)
      #expect(rows.first == ["prediction"])
      #expect(rows.count == 443)
      let expected = try InProcessModel(file: folder.appendingPathComponent("d/model.safetensors"))
        .output(csv: features).toFloats()
      #expect(rows.dropFirst().map { Float($0[0])! } == expected)
    }
  }

  /// Binary classification, with a Sigmoid layer (bce) and on logits (bce-logits).
  @Test(arguments: ["bce", "bce-logits"])
  func binaryClassification(loss: String) throws {
    try CLI.withScratch { folder in
      let table = try CSVReader.read(URL(fileURLWithPath: try CLI.shared("iris.csv")))
      let columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
      var text = columns.joined(separator: ",") + ",setosa\n"
      let species = try table.column("species")
      for row in 0..<table.rowCount {
        text += try columns.map { try table.strings($0)[row] }.joined(separator: ",")
        text += species[row] == 0 ? ",1\n" : ",0\n"
      }
      let data = try CLI.write(text, "setosa.csv", in: folder)
      let run = try CLI.run(
        [
          "train", "--data", data, "--target", "setosa", "--loss", loss, "--standardize", "--lr",
          "0.5", "--epochs", "30", "--out", "m",
        ],
        in: folder)
      #expect(run.status == 0, "\(run.stderr)")
      let summary = try CLI.summary(folder.appendingPathComponent("m"))
      #expect((summary["accuracy"] as? Double ?? 0) >= 0.98)
      let model = try InProcessModel(file: folder.appendingPathComponent("m/model.safetensors"))
      #expect(model.model.count == (loss == "bce" ? 2 : 1))
      let predict = try CLI.run(
        ["predict", "--model", "m/model.safetensors", "--data", data], in: folder)
      #expect(predict.status == 0, "\(predict.stderr)")
      let rows = CLI.csvRows(predict.stdout)
      #expect(rows.first == ["prob_1", "class"])
      let output = try model.output(csv: data)
      let probabilities = (loss == "bce" ? output : output.sigmoid()).toFloats()
      for (row, fields) in rows.dropFirst().enumerated() {
        #expect(Float(fields[0]) == probabilities[row])
        #expect(fields[1] == (probabilities[row] > 0.5 ? "1" : "0"))
      }
    }
  }

  @Test func quietPrintsNothingAndNoOutFolderWritesNothing() throws {
    try CLI.withScratch { folder in
      let data = CLI.fixtures.appendingPathComponent("notes30.csv").path
      let quiet = try CLI.run(
        ["train", "--data", data, "--target", "y", "--epochs", "5", "--quiet"], in: folder)
      #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
      let plain = try CLI.run(
        ["train", "--data", data, "--target", "y", "--epochs", "5"], in: folder)
      #expect(plain.status == 0)
      #expect(plain.stdout.hasPrefix("final loss ") && plain.stdout.contains("no files written"))
      #expect(CLI.entries(folder).allSatisfy { $0.hasPrefix(".std") })
    }
  }

  /// In a terminal (a pseudo-terminal made by util-linux's `script`): a progress bar redrawn
  /// in place, then the learning curve drawn in text, then the summary.
  #if os(Linux)
    @Test(
      .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
        "needs /usr/bin/script (util-linux; Debian's bsdutils) to make a pseudo-terminal"))
    func terminalShowsProgressAndChart() throws {
      try CLI.withScratch { folder in
        let executable = try #require(CLI.executable)
        let data = CLI.fixtures.appendingPathComponent("notes30.csv").path
        let command =
          "'\(executable.path)' train --data '\(data)' --target y --lr 0.001 --epochs 300"
        let run = try CLI.run(
          ["-qec", command, "/dev/null"], in: folder,
          executable: URL(fileURLWithPath: "/usr/bin/script"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("epoch 300/300") && run.stdout.contains(" left"))
        #expect(run.stdout.contains("\r") && run.stdout.contains("\u{1B}[K"))
        #expect(
          run.stdout.contains("loss (mse") && run.stdout.contains("┤")
            && run.stdout.contains("300 epochs"))
        #expect(run.stdout.contains("final loss"))
      }
    }
  #endif

  @Test func helpReadsLikeAUnixTool() throws {
    try CLI.withScratch { folder in
      let top = try CLI.run(["--help"], in: folder)
      #expect(top.status == 0)
      #expect(
        top.stdout.contains("train") && top.stdout.contains("predict")
          && top.stdout.contains("demo"))
      let train = try CLI.run(["train", "--help"], in: folder)
      #expect(train.status == 0)
      // The help wraps to the terminal's width; compare with single spaces.
      let help = train.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(
        separator: " ")
      for text in [
        "--data <file>", "--target <column>", "--hidden <sizes>", "--lr <rate>", "(default: 0.01)",
        "(default: 100)", "default: mse", "default: sgd", "bce-logits", "Examples:", "history.csv",
      ] {
        #expect(help.contains(text), "descent train --help lacks \(text)")
      }
      let predict = try CLI.run(["predict", "--help"], in: folder)
      #expect(predict.status == 0)
      #expect(predict.stdout.contains("--model <file>") && predict.stdout.contains("Examples:"))
    }
  }
}
