import Descent
import Foundation

// The `descent train` command in MPI jobs, checked from outside as a user runs it.

extension Driver {
  /// Full batch on a file whose rows divide evenly between 2 ranks: the same model as one
  /// process, within 1e-5, for a classifier (Adam) and a linear regression (SGD); rank 0 alone
  /// prints and writes.
  func checkTrainCommand() -> Bool {
    guard let folder = scratchFolder("train") else { return false }
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = writeData(in: folder, rows: 120)
    var ok = true
    for (name, options) in [
      (
        "classifier",
        [
          "--target", "y", "--loss", "ce", "--hidden", "8", "--optimizer", "adam",
          "--lr", "0.01", "--epochs", "150", "--standardize",
        ]
      ),
      ("regression", ["--target", "a", "--features", "b,c", "--lr", "0.01", "--epochs", "300"]),
    ] {
      let common = ["train", "--data", data.path] + options
      let one = folder.appendingPathComponent("\(name)-one")
      let two = folder.appendingPathComponent("\(name)-two")
      let single = run([descent.path] + common + ["--out", one.path], capture: true, limit: 300)
      let job = run(
        launcher + ["-np", "2", descent.path] + common + ["--out", two.path], capture: true,
        limit: 300)
      ok = expect(single.status == 0, "\(name): descent train failed: \(single.output)") && ok
      ok =
        expect(job.status == 0, "\(name): mpirun -np 2 descent train failed: \(job.output)") && ok
      guard single.status == 0 && job.status == 0 else { continue }
      let printed = job.output.components(separatedBy: "final loss").count - 1
      ok = expect(printed == 1, "\(name): the job printed its summary \(printed) times") && ok
      let difference = largestDifference(one, two)
      ok =
        expect(
          difference.map { $0 <= 1e-5 } ?? false,
          "\(name): 2 ranks differ from one process by \(difference.map { "\($0)" } ?? "(unreadable)")"
        ) && ok
      say("  \(name): 2 ranks vs one process, largest parameter difference \(difference ?? .nan)")
    }
    return ok
  }

  /// A rank killed mid-run ends the job with an error, not a hang; a restart from the last
  /// checkpoint ends bit for bit where an uninterrupted run ends.
  func checkKilledRank() -> Bool {
    guard let folder = scratchFolder("kill") else { return false }
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = writeData(in: folder, rows: 120)
    let common = [
      descent.path, "train", "--data", data.path, "--target", "y", "--loss", "ce", "--hidden",
      "16", "--optimizer", "adam", "--lr", "0.003", "--batch-size", "4", "--epochs", "2000",
      "--checkpoint-every", "20", "--quiet",
    ]
    let (whole, interrupted) = (
      folder.appendingPathComponent("A"), folder.appendingPathComponent("B")
    )
    let wholeCheckpoint = folder.appendingPathComponent("a.ckpt").path
    let checkpoint = folder.appendingPathComponent("b.ckpt").path
    let uninterrupted = run(
      launcher + ["-np", "2"] + common + ["--checkpoint", wholeCheckpoint, "--out", whole.path],
      capture: true, limit: 600)
    var ok = expect(
      uninterrupted.status == 0, "the uninterrupted run failed: \(uninterrupted.output)")

    var killed: Int32?
    let broken = run(
      launcher + ["-np", "2"] + common + ["--checkpoint", checkpoint, "--out", interrupted.path],
      capture: true, limit: 600
    ) { _ in
      // Once a checkpoint exists, rank 1 dies without warning.
      let started = Date()
      while Date().timeIntervalSince(started) < 300 {
        if FileManager.default.fileExists(atPath: checkpoint), let pid = rankProcess(1, checkpoint)
        {
          kill(pid, SIGKILL)
          killed = pid
          return
        }
        Thread.sleep(forTimeInterval: 0.01)
      }
    }
    ok = expect(killed != nil, "rank 1 was never found to kill") && ok
    ok = expect(broken.status != 0, "the job with a killed rank ended with status 0") && ok
    ok = expect(!broken.timedOut, "the job with a killed rank hung") && ok
    let text = broken.output.lowercased()
    ok =
      expect(
        text.contains("signal 9") || text.contains("signal: 9"),
        "the job's output does not say a process was killed: \(broken.output)") && ok
    ok = expect(!FileManager.default.fileExists(atPath: interrupted.path), "B was written") && ok
    say(
      "  killed rank 1 (pid \(killed ?? 0)): the job ended after \(String(format: "%.1f", broken.seconds)) s"
    )

    let resumed = run(
      launcher + ["-np", "2"] + common + [
        "--resume", checkpoint, "--checkpoint", checkpoint, "--out", interrupted.path,
      ], capture: true, limit: 600)
    ok = expect(resumed.status == 0, "the resumed run failed: \(resumed.output)") && ok
    guard ok else { return false }
    let same = largestDifference(whole, interrupted) == 0
    ok = expect(same, "the resumed model differs from the uninterrupted one") && ok
    let histories = ["A", "B"].map {
      try? String(contentsOf: folder.appendingPathComponent("\($0)/history.csv"), encoding: .utf8)
    }
    ok = expect(histories[0] != nil && histories[0] == histories[1], "the histories differ") && ok
    return ok
  }

  /// A fresh folder for one check's files.
  private func scratchFolder(_ name: String) -> URL? {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-mpi-\(name)-\(getpid())")
    try? FileManager.default.removeItem(at: folder)
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      return folder
    } catch {
      printError("cannot create \(folder.path): \(error)")
      return nil
    }
  }

  /// A CSV of `rows` rows: features a, b, c and a class y in 0…2 that depends on them.
  private func writeData(in folder: URL, rows: Int) -> URL {
    let generator = Generator(seed: 99)
    let x = Tensor.randn([rows, 3], dtype: .float64, generator: generator).toDoubles()
    var text = "a,b,c,y\n"
    for row in 0..<rows {
      let (a, b, c) = (x[3 * row], x[3 * row + 1], x[3 * row + 2])
      let label = a + 0.5 * b > 0.3 ? 2 : (c > 0 ? 1 : 0)
      text += String(format: "%.6f,%.6f,%.6f,%d\n", a, b, c, label)
    }
    let url = folder.appendingPathComponent("data.csv")
    try? text.write(to: url, atomically: true, encoding: .utf8)
    return url
  }

  /// The largest difference between the parameters of two trained models (`model.safetensors`
  /// in each folder); nil when either is missing or their keys differ.
  private func largestDifference(_ a: URL, _ b: URL) -> Double? {
    guard
      let first = try? Safetensors.load(from: a.appendingPathComponent("model.safetensors")).0,
      let second = try? Safetensors.load(from: b.appendingPathComponent("model.safetensors")).0,
      first.keys == second.keys
    else { return nil }
    return first.keys.map { key in
      (first[key]!.to(.float64) - second[key]!.to(.float64)).abs().max().item()
    }.max()
  }
}

/// The process of rank `rank` of the job whose command line holds `marker`, found in /proc
/// (Open MPI's and MPICH's launchers both put the rank in the environment).
private func rankProcess(_ rank: Int, _ marker: String) -> pid_t? {
  guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
    return nil
  }
  for entry in entries {
    guard let pid = pid_t(entry),
      let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
      String(decoding: command, as: UTF8.self).contains(marker),
      let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
    else { continue }
    let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") || variables.contains("PMI_RANK=\(rank)")
    {
      return pid
    }
  }
  return nil
}
