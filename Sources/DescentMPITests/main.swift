import Descent
import Foundation

// descent-mpi-tests: the distributed tests, which need real processes and a real MPI.
//
//   descent-mpi-tests [--launcher "mpirun --oversubscribe --allow-run-as-root"] [--no-large]
//                     [suite …]
//
// --no-large leaves out the suite `large` (a tensor over 2 GiB on each rank).
//
// Started by hand (no launcher in the environment), it is the driver: it starts each suite under
// the launcher with 2 processes (`<launcher> -np 2 descent-mpi-tests --rank-suite <suite>`), runs
// the checks of the `descent` command (which start their own jobs), prints one line per suite
// and exits non-zero when any failed. Suites: collectives, large, timeout, sampler, ddp,
// train, train-kill (all by default).

let arguments = Array(CommandLine.arguments.dropFirst())
let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL

/// The suites run in processes of a job, by name.
let rankSuites: [String: (ProcessGroup) -> Bool] = [
  "collectives": checkCollectives,
  "large": checkLargeTensor,
  "timeout": runTimeoutScenario,
  "sampler": checkSamplerAcrossRanks,
  "ddp": checkDistributedDataParallel,
]

if let index = arguments.firstIndex(of: "--rank-suite"), index + 1 < arguments.count {
  // One process of a job.
  let name = arguments[index + 1]
  guard let suite = rankSuites[name] else {
    printError("descent-mpi-tests: unknown suite \(name)")
    exit(2)
  }
  do {
    let group = try ProcessGroup.mpi()
    exit(suite(group) ? 0 : 1)
  } catch {
    printError("descent-mpi-tests: \(error)")
    exit(1)
  }
}

var launcher = "mpirun --oversubscribe --allow-run-as-root"
var large = true
var selected: [String] = []
var position = 0
while position < arguments.count {
  let argument = arguments[position]
  if argument == "--launcher", position + 1 < arguments.count {
    launcher = arguments[position + 1]
    position += 2
    continue
  }
  if argument == "--no-large" {
    large = false
  } else {
    selected.append(argument)
  }
  position += 1
}
let allSuites = ["collectives", "large", "timeout", "sampler", "ddp", "train", "train-kill"]
if selected.isEmpty { selected = allSuites.filter { large || $0 != "large" } }
if let unknown = selected.first(where: { !allSuites.contains($0) }) {
  printError(
    "descent-mpi-tests: unknown suite \(unknown); suites: \(allSuites.joined(separator: ", "))")
  exit(2)
}

let driver = Driver(launcher: launcher.split(separator: " ").map(String.init), program: executable)
var failures: [String] = []
for suite in selected {
  let started = Date()
  let passed: Bool
  switch suite {
  case "timeout": passed = driver.checkTimeout()
  case "train": passed = driver.checkTrainCommand()
  case "train-kill": passed = driver.checkKilledRank()
  default: passed = driver.runSuite(suite)
  }
  let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
  say("\(passed ? "ok" : "FAILED") \(suite) (\(seconds) s)")
  if !passed { failures.append(suite) }
}
if failures.isEmpty {
  say("descent-mpi-tests: all \(selected.count) suites passed with: \(launcher)")
} else {
  say("descent-mpi-tests: failed: \(failures.joined(separator: ", "))")
  exit(1)
}
