import Descent
import Foundation

/// Starts jobs under the MPI launcher and checks how they end.
struct Driver {
  /// The launcher command and its options, e.g. ["mpirun", "--oversubscribe", …].
  let launcher: [String]
  /// This program, which each job runs with `--rank-suite`.
  let program: URL

  /// The `descent` command built beside this program.
  var descent: URL { program.deletingLastPathComponent().appendingPathComponent("descent") }

  /// What a finished process left.
  struct Outcome {
    let status: Int32
    let output: String
    let seconds: Double
    /// True when the watchdog had to end it.
    let timedOut: Bool
  }

  /// Runs a suite in a job of 2 processes, its output going straight to ours.
  func runSuite(_ suite: String) -> Bool {
    let outcome = run(
      launcher + ["-np", "2", program.path, "--rank-suite", suite], capture: false, limit: 1800)
    return outcome.status == 0 && !outcome.timedOut
  }

  /// A rank that never joins a collective: the other rank must end the job after
  /// DESCENT_COLLECTIVE_TIMEOUT (2 s here) with a message naming itself and the collective,
  /// long before the absent rank would have finished on its own (60 s).
  func checkTimeout() -> Bool {
    let outcome = run(
      launcher + ["-np", "2", program.path, "--rank-suite", "timeout"], capture: true, limit: 120,
      environment: ["DESCENT_COLLECTIVE_TIMEOUT": "2"])
    let message =
      "Descent: rank 0 of 2: allReduce(sum) of 1 float32 element did not complete within 2 s (DESCENT_COLLECTIVE_TIMEOUT)"
    var ok = true
    ok =
      expect(outcome.status != 0, "the job ended with status \(outcome.status), not a failure")
      && ok
    ok = expect(outcome.seconds < 40, "the job took \(outcome.seconds) s to end") && ok
    ok = expect(outcome.output.contains(message), "the output lacks \"\(message)\"") && ok
    if !ok { say(outcome.output) }
    return ok
  }

  /// Prints a failed expectation; returns `condition`.
  func expect(_ condition: Bool, _ message: @autoclosure () -> String) -> Bool {
    if !condition { printError("FAIL: \(message())") }
    return condition
  }

  /// Runs `command` (searched in PATH), optionally capturing its output, ending it (and its
  /// process group) after `limit` seconds.
  func run(
    _ command: [String], capture: Bool, limit: Double, environment: [String: String] = [:],
    onStart: ((Process) -> Void)? = nil
  ) -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let pipe = Pipe()
    let collected = OutputBuffer()
    if capture {
      process.standardOutput = pipe
      process.standardError = pipe
      pipe.fileHandleForReading.readabilityHandler = { handle in
        collected.append(handle.availableData)
      }
    }
    let started = Date()
    do {
      try process.run()
    } catch {
      return Outcome(
        status: -1, output: "cannot start \(command): \(error)", seconds: 0, timedOut: false)
    }
    onStart?(process)
    var timedOut = false
    while process.isRunning {
      if Date().timeIntervalSince(started) > limit {
        timedOut = true
        process.terminate()
        Thread.sleep(forTimeInterval: 2)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      }
      Thread.sleep(forTimeInterval: 0.05)
    }
    process.waitUntilExit()
    if capture {
      pipe.fileHandleForReading.readabilityHandler = nil
      collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
    }
    return Outcome(
      status: process.terminationStatus, output: collected.text,
      seconds: Date().timeIntervalSince(started), timedOut: timedOut)
  }
}

/// Output collected from a pipe's handler thread.
final class OutputBuffer: @unchecked Sendable {
  private var data = Data()
  private let lock = NSLock()
  func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
  var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

/// The timeout scenario, in each process: rank 0 starts an all-reduce that rank 1 never joins.
func runTimeoutScenario(_ group: ProcessGroup) -> Bool {
  if group.rank == 0 {
    group.allReduce(Tensor(shape: [1], scalars: [Float(1)]), op: .sum)
    printError("rank 0: the all-reduce completed, but rank 1 never took part")
    return false
  }
  Thread.sleep(forTimeInterval: 60)
  return false
}
