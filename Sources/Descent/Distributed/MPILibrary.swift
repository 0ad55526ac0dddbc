import CDescentMPI
import Foundation

/// An error setting up distributed training: no MPI library, a library that cannot serve, a
/// launch that does not match the library, or a bad setting.
public struct DistributedError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// The MPI library of this process, opened once with `dlopen` (see CDescentMPI.h).
enum MPILibrary {
  /// A library name the dynamic loader searches for, and whose it is.
  struct Candidate: Equatable {
    let name: String
    let family: String
  }

  static let openMPI = [Candidate(name: "libmpi.so.40", family: "Open MPI 4/5")]
  static let mpich = [
    Candidate(name: "libmpi.so.12", family: "MPICH 4"),
    Candidate(name: "libmpich.so.12", family: "MPICH 4, as Debian names it"),
  ]

  /// What to install, for every message that finds no library.
  static let installAdvice =
    "Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin; Fedora: dnf install openmpi) or MPICH (apt-get install mpich), or set DESCENT_MPI_LIBRARY to the path of an MPI library (libmpi.so)"

  /// The names to try, the launcher's own library first: under Open MPI's `mpirun` its library,
  /// under MPICH's (Hydra, or Slurm with PMI) MPICH's, since a process can only join a job
  /// through the library of the launcher that started it.
  static func candidates(environment: [String: String]) -> [Candidate] {
    if environment["OMPI_COMM_WORLD_SIZE"] != nil { return openMPI + mpich }
    if environment["PMI_SIZE"] != nil || environment["PMI_RANK"] != nil { return mpich + openMPI }
    return openMPI + mpich
  }

  /// Opens the library named by `DESCENT_MPI_LIBRARY`, or the first candidate that opens.
  ///
  /// - Throws: ``DistributedError`` naming what was tried and what to install.
  static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
    if let explicit = environment["DESCENT_MPI_LIBRARY"], !explicit.isEmpty {
      try load(explicit: explicit)
    } else {
      try load(candidates: candidates(environment: environment))
    }
  }

  /// Opens the library at `path`, as `DESCENT_MPI_LIBRARY` names it.
  static func load(explicit path: String) throws {
    let (code, reason) = open(path)
    guard code == 0 else {
      throw DistributedError(
        "DESCENT_MPI_LIBRARY=\(path): \(code == 1 ? "cannot open it" : "not a usable MPI library"): \(reason). Point it at the MPI library of Open MPI (libmpi.so.40) or MPICH (libmpi.so.12, libmpich.so.12), or unset it to search the standard names"
      )
    }
  }

  /// Opens the first of `candidates` that opens; a library that opens but cannot serve is an
  /// error of its own, since it would hide the others behind a puzzling failure later.
  static func load(candidates: [Candidate]) throws {
    var tried: [String] = []
    for candidate in candidates {
      let (code, reason) = open(candidate.name)
      switch code {
      case 0: return
      case 1: tried.append("\(candidate.name) (\(candidate.family))")
      default:
        throw DistributedError(
          "the MPI library \(candidate.name) (\(candidate.family)) opened but cannot serve: \(reason). \(installAdvice)"
        )
      }
    }
    throw DistributedError(
      "no MPI library found: tried \(tried.joined(separator: ", ")). \(installAdvice)")
  }

  private static func open(_ path: String) -> (Int32, String) {
    var message = [CChar](repeating: 0, count: 1024)
    let code = descent_mpi_open(path, &message, message.count)
    return (code, text(message))
  }

  /// "Open MPI" or "MPICH", after a successful load.
  static var familyName: String {
    descent_mpi_abi() == Int32(DESCENT_MPI_ABI_OPEN_MPI) ? "Open MPI" : "MPICH"
  }

  /// The path or name the library was opened by.
  static var path: String { String(cString: descent_mpi_path()) }

  /// The first line of the library's version text.
  static var version: String {
    var text = [CChar](repeating: 0, count: 512)
    descent_mpi_library_version(&text, text.count)
    return MPILibrary.text(text).split(separator: "\n").first.map(String.init) ?? ""
  }

  /// MPI_Error_string of `code`.
  static func errorText(_ code: Int32) -> String {
    var text = [CChar](repeating: 0, count: 1024)
    descent_mpi_error_string(code, &text, text.count)
    return MPILibrary.text(text)
  }

  /// The text a C function wrote into `buffer`, up to its terminating zero.
  static func text(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }
}
