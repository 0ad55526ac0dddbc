import Foundation

/// How an MPI launcher started this process, read from the environment it sets: Open MPI's
/// `mpirun` sets `OMPI_COMM_WORLD_RANK` and `OMPI_COMM_WORLD_SIZE`; MPICH's Hydra (and Slurm's
/// `srun --mpi=pmi2`) set `PMI_RANK` and `PMI_SIZE`.
///
/// A program reads it before it loads MPI, to decide whether to train data-parallel at all:
///
/// ```swift
/// if let launch = MPILaunch.current, launch.size > 1 { let group = try ProcessGroup.mpi() … }
/// ```
public struct MPILaunch: Sendable, Equatable {
  /// This process's rank, in `0..<size`.
  public let rank: Int
  /// The number of processes the launcher started.
  public let size: Int
  /// "Open MPI" or "MPICH", after the variables found.
  public let launcher: String

  /// The launch described by this process's environment, or nil when no launcher started it.
  public static var current: MPILaunch? { detect(ProcessInfo.processInfo.environment) }

  /// The launch described by `environment`; nil without a launcher's variables or when they do
  /// not hold a rank below a positive size.
  public static func detect(_ environment: [String: String]) -> MPILaunch? {
    for (rankKey, sizeKey, launcher) in [
      ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "Open MPI"),
      ("PMI_RANK", "PMI_SIZE", "MPICH"),
    ] {
      guard let rankText = environment[rankKey], let sizeText = environment[sizeKey],
        let rank = Int(rankText), let size = Int(sizeText), size >= 1, rank >= 0, rank < size
      else { continue }
      return MPILaunch(rank: rank, size: size, launcher: launcher)
    }
    return nil
  }
}
