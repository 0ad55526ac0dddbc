import ArgumentParser
import Descent

/// The processes one `descent train` run trains on: this one alone, or every rank of an MPI job
/// (`mpirun -np 4 descent train …`), recognised from the launcher's environment with no flag.
///
/// Every rank reads the data, makes the same model and trains on its share of each batch; rank
/// 0 alone prints, draws progress and writes files. An error that every rank meets (a bad
/// option, a bad file) is printed once, by rank 0; one that a single rank meets is printed by
/// that rank, naming it; either way every rank stops.
struct TrainingWorld {
  /// The job's process group; nil for one process.
  let group: ProcessGroup?

  var rank: Int { group?.rank ?? 0 }
  var size: Int { group?.size ?? 1 }
  /// True for rank 0 (and for a single process): the one that prints and writes.
  var isLeader: Bool { rank == 0 }

  /// One process, or the MPI job this process was started in.
  ///
  /// - Throws: ``CLIError`` from rank 0 when MPI cannot start (no library: what to install);
  ///   the other ranks stop silently, since without MPI they cannot agree on who prints.
  static func join() throws -> TrainingWorld {
    guard let launch = MPILaunch.current, launch.size > 1 else { return TrainingWorld(group: nil) }
    do {
      return TrainingWorld(group: try ProcessGroup.mpi())
    } catch {
      guard launch.rank == 0 else { throw ExitCode.failure }
      throw CLIError(
        "started by \(launch.launcher)'s launcher as rank 0 of \(launch.size), but MPI cannot start: \(error)"
      )
    }
  }

  /// Runs `body` on every rank; when it throws on any rank, every rank throws: rank 0 its own
  /// error (every rank likely met the same one), another rank its own only when rank 0 had
  /// none, naming itself; the rest stop silently.
  func agreeing<T>(_ body: () throws -> T) throws -> T {
    let outcome = Result { try body() }
    guard let group else { return try outcome.get() }
    let failed: Int64
    if case .failure = outcome { failed = 1 } else { failed = 0 }
    let flags = group.allGather(Tensor(shape: [1], scalars: [failed])).map {
      $0.toArray(as: Int64.self)[0]
    }
    guard flags.contains(1) else { return try outcome.get() }
    if case .failure(let error) = outcome {
      if rank == 0 { throw error }
      if flags[0] == 0 { throw CLIError("rank \(rank) of \(size): \(error)") }
    }
    throw ExitCode.failure
  }

  /// `values` summed over the ranks (in float64); `values` itself for one process.
  func sum(_ values: [Double]) -> [Double] {
    guard let group else { return values }
    let tensor = Tensor(shape: [values.count], scalars: values)
    group.allReduce(tensor, op: .sum)
    return tensor.toDoubles()
  }
}
