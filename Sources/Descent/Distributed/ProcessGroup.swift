import CDescentMPI
import Foundation

/// The processes of a data-parallel job and the collectives between them, like
/// `torch.distributed`'s default process group, on MPI (Open MPI or MPICH, loaded at run time).
///
/// Start the program with the launcher of an MPI library (`mpirun -np 4 program`, `srun …`);
/// each process creates the group and calls the same collectives in the same order:
///
/// ```swift
/// let group = try ProcessGroup.mpi()
/// let t = Tensor([Float(group.rank)])
/// group.allReduce(t, op: .sum)         // every rank now holds 0 + 1 + … + (size − 1)
/// ```
///
/// Collectives work in place on contiguous float32, float64 and int64 tensors of any size
/// (counts above what one MPI call takes are split). Each has an overall time limit: a collective
/// that has not completed after ``timeout`` ends the whole job with a message naming the rank and
/// the operation, so that a dead or stuck rank never leaves the others waiting for ever. An MPI
/// error ends the job the same way, since the other ranks could not continue either.
public final class ProcessGroup: @unchecked Sendable {
  /// This process's rank, in `0..<size` (`dist.get_rank()`).
  public let rank: Int
  /// The number of processes (`dist.get_world_size()`).
  public let size: Int
  /// How long a collective may take before the job is ended: `DESCENT_COLLECTIVE_TIMEOUT`
  /// seconds, or 10 minutes.
  public let timeout: Duration
  /// The MPI library in use, e.g. "Open MPI v4.1.4, …" (its version text's first line).
  public let backend: String

  /// The most elements one MPI call is given; larger tensors are split into calls of this many.
  /// nil (the default) means 1 GiB per call, far inside the `int` counts of MPI's interface and
  /// clear of the large-message limits some MPI transports have. Lowering it exercises the split
  /// with small tensors, or works around an MPI library that fails on large messages.
  public var maxElementsPerCall: Int?
  /// Counts the ring all-reduces started, for their message tags (under `lock`).
  var ringSequence = 0

  /// MPI is initialised once per process; later groups share that world.
  nonisolated(unsafe) private static var world: (rank: Int, size: Int)?
  /// Serialises every MPI call (MPI_THREAD_SERIALIZED) and guards `world`.
  static let lock = NSLock()

  private init(rank: Int, size: Int, timeout: Duration) {
    self.rank = rank
    self.size = size
    self.timeout = timeout
    self.backend = MPILibrary.version
  }

  /// The group of every process of an MPI job (`init_process_group("mpi")`): loads the MPI
  /// library (`DESCENT_MPI_LIBRARY`, or the standard names of Open MPI and MPICH) and
  /// initialises MPI on first use. A program not started by a launcher is a group of one.
  ///
  /// - Parameter timeout: the time limit of every collective; nil reads
  ///   `DESCENT_COLLECTIVE_TIMEOUT` (seconds), or takes 10 minutes.
  /// - Throws: ``DistributedError`` when no MPI library is installed (saying what to install),
  ///   when MPI cannot start, or when the library is not the launcher's.
  public static func mpi(timeout: Duration? = nil) throws -> ProcessGroup {
    let environment = ProcessInfo.processInfo.environment
    let limit = try timeout ?? collectiveTimeout(environment)
    return try lock.withLock {
      if let world { return ProcessGroup(rank: world.rank, size: world.size, timeout: limit) }
      try MPILibrary.load(environment: environment)
      var rank: Int32 = 0
      var size: Int32 = 0
      var message = [CChar](repeating: 0, count: 512)
      let code = descent_mpi_initialize(&rank, &size, &message, message.count)
      guard code == 0 else {
        throw DistributedError(
          "\(MPILibrary.familyName) (\(MPILibrary.path)): \(MPILibrary.text(message)): \(MPILibrary.errorText(code))"
        )
      }
      if let launch = MPILaunch.detect(environment), launch.size != Int(size) {
        throw DistributedError(
          "started by \(launch.launcher)'s launcher as rank \(launch.rank) of \(launch.size), but the MPI library \(MPILibrary.path) (\(MPILibrary.familyName)) sees \(size) process\(size == 1 ? "" : "es"): a process must use the library of the launcher that started it; set DESCENT_MPI_LIBRARY to that library, or start the program with \(MPILibrary.familyName)'s mpirun"
        )
      }
      world = (Int(rank), Int(size))
      return ProcessGroup(rank: Int(rank), size: Int(size), timeout: limit)
    }
  }

  /// `DESCENT_COLLECTIVE_TIMEOUT` in seconds, or 10 minutes.
  static func collectiveTimeout(_ environment: [String: String]) throws -> Duration {
    guard let text = environment["DESCENT_COLLECTIVE_TIMEOUT"] else { return .seconds(600) }
    guard let seconds = Double(text), seconds.isFinite, seconds > 0 else {
      throw DistributedError(
        "DESCENT_COLLECTIVE_TIMEOUT=\(text): give the time limit of a collective in seconds, e.g. 600"
      )
    }
    return .milliseconds(Int64((seconds * 1000).rounded(.up)))
  }

  /// The time limit in seconds, for the C waiting loop.
  var timeoutSeconds: Double {
    let (seconds, attoseconds) = timeout.components
    return Double(seconds) + Double(attoseconds) * 1e-18
  }

  /// Ends every process of the job after printing `message` for this rank: what a failed or
  /// timed-out collective does, since the other ranks cannot continue without this one.
  func endJob(_ message: String) -> Never {
    FileHandle.standardError.write(
      Data("Descent: rank \(rank) of \(size): \(message). Ending the job.\n".utf8))
    descent_mpi_abort(1)
    fatalError("MPI_Abort returned")
  }
}

/// A reduction for ``ProcessGroup/allReduce(_:op:)`` and ``ProcessGroup/reduceScatter(_:op:)``
/// (`torch.distributed.ReduceOp`).
public enum ReduceOp: Sendable, CustomStringConvertible {
  /// The sum over the ranks.
  case sum
  /// The sum divided by the number of ranks, after the sum (an int64 sum is divided with
  /// truncation toward zero).
  case avg
  /// The largest value over the ranks.
  case max
  /// The smallest value over the ranks.
  case min

  public var description: String {
    switch self {
    case .sum: return "sum"
    case .avg: return "avg"
    case .max: return "max"
    case .min: return "min"
    }
  }

  /// The MPI operation: avg is computed as a sum.
  var mpiOp: Int32 {
    switch self {
    case .sum, .avg: return Int32(DESCENT_MPI_SUM)
    case .max: return Int32(DESCENT_MPI_MAX)
    case .min: return Int32(DESCENT_MPI_MIN)
    }
  }
}
