import Descent
import Foundation

// `descent-bench allreduce`: ddp_torch.py's workloads on 2 processes, over MPI.
//  1. allReduce (sum, float32) of 1 KB … 64 MB: the median of 20 calls, each after a barrier,
//     and the bus bandwidth 2(p−1)/p · bytes / time (nccl-tests' busbw).
//  2. DistributedDataParallel training of mlp_train_torch.py's MLP (784-512-256-10, Adam 1e-3,
//     CrossEntropyLoss), per-rank batch 64, 100 steps on the same synthetic data through a
//     DistributedSampler (seed 0): global samples per second, the step time, and the step time
//     of the same model trained on each rank alone (the compute in a step).
// Run by hand it starts itself under `mpirun -np 2` (or DESCENT_BENCH_LAUNCHER, e.g.
// "mpirun.mpich -np 2"); rank 0 prints `RESULT name=… world=2 value=… unit=…` lines.

@MainActor
func runAllReduceBenchmark() {
  guard MPILaunch.current != nil else {
    relaunchUnderMPI()
    return
  }
  let group: ProcessGroup
  do {
    group = try ProcessGroup.mpi()
  } catch {
    FileHandle.standardError.write(Data("descent-bench allreduce: \(error)\n".utf8))
    exit(1)
  }
  let world = group.size
  func report(_ name: String, _ value: Double, _ unit: String, _ format: String = "%.4g") {
    guard group.rank == 0 else { return }
    print("RESULT name=\(name) world=\(world) value=\(String(format: format, value)) unit=\(unit)")
  }
  if group.rank == 0 { print("allreduce over \(group.backend)") }

  for bytes in [1 << 10, 1 << 14, 1 << 18, 1 << 22, 1 << 26] {
    let tensor = Tensor.ones([bytes / 4])
    group.allReduce(tensor)
    var times: [Double] = []
    for _ in 0..<20 {
      group.barrier()
      let start = now()
      group.allReduce(tensor)
      times.append(now() - start)
    }
    let time = median(times)
    report(
      "ddp_allreduce_busbw_\(bytes)",
      2 * Double(world - 1) / Double(world) * Double(bytes) / time
        / 1e9, "GB/s")
    report("ddp_allreduce_us_\(bytes)", time * 1e6, "us", "%.1f")
  }

  let (x, y) = makeBlobs(samples: 60000, features: 784, classes: 10)
  let dataset = TensorDataset(x, y)
  let sampler = DistributedSampler(dataset, numReplicas: world, rank: group.rank, seed: 0)
  let loader = DataLoader(dataset, batchSize: 64, sampler: sampler)
  manualSeed(0)
  let model = Sequential([
    Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10),
  ])
  let ddp = DistributedDataParallel(model, group: group)
  let optimizer = Adam(ddp.parameters(), lr: 1e-3)
  let criterion = CrossEntropyLoss()
  sampler.setEpoch(0)
  group.barrier()
  let start = now()
  let steps = trainSteps(ddp, optimizer, criterion, loader)
  group.barrier()
  let seconds = now() - start
  report("ddp_mlp_samples_per_s", Double(steps * 64 * world) / seconds, "samples/s", "%.0f")
  report("ddp_mlp_step_ms", seconds / Double(steps) * 1e3, "ms", "%.3f")

  // The same steps without DDP, every rank at once (the same contention for the cores): the
  // compute a step costs, so that the step time above minus this is the exposed communication.
  let local = Sequential([
    Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10),
  ])
  let localOptimizer = Adam(local.parameters(), lr: 1e-3)
  group.barrier()
  let localStart = now()
  let localSteps = trainSteps(local, localOptimizer, criterion, loader)
  let localSeconds = now() - localStart
  group.barrier()
  report("mlp_local_step_ms", localSeconds / Double(localSteps) * 1e3, "ms", "%.3f")
}

/// At most 100 training steps of `model` over `loader`; returns how many ran.
private func trainSteps(
  _ model: Module, _ optimizer: Optimizer, _ criterion: CrossEntropyLoss,
  _ loader: DataLoader<TensorDataset>
) -> Int {
  var steps = 0
  for batch in loader {
    let loss = criterion(model(batch[0]), batch[1])
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
    steps += 1
    if steps == 100 { break }
  }
  return steps
}

/// Starts this program again as a 2-process MPI job running the same workload.
private func relaunchUnderMPI() {
  let environment = ProcessInfo.processInfo.environment
  var launcher =
    ["mpirun", "-np", "2", "--oversubscribe"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
  if let custom = environment["DESCENT_BENCH_LAUNCHER"], !custom.isEmpty {
    launcher = custom.split(separator: " ").map(String.init)
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = launcher + [CommandLine.arguments[0], "allreduce"]
  do {
    try process.run()
  } catch {
    FileHandle.standardError.write(
      Data("descent-bench allreduce: cannot start \(launcher[0]): \(error)\n".utf8))
    exit(1)
  }
  process.waitUntilExit()
  if process.terminationStatus != 0 { exit(process.terminationStatus) }
}
