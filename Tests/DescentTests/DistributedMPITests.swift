import Foundation
import Testing

@testable import Descent

#if canImport(Glibc)
  import Glibc
#endif

/// What this machine has of MPI, found without loading it into the test process for good.
enum MPIOnThisMachine {
  /// The first standard MPI library name the dynamic loader can open, if any.
  static let library: String? = MPILibrary.candidates(environment: [:]).lazy.map(\.name).first {
    name in
    guard let handle = dlopen(name, RTLD_LAZY | RTLD_LOCAL) else { return false }
    dlclose(handle)
    return true
  }

  /// `mpirun` on the PATH.
  static let mpirun: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "")
    .split(separator: ":").map { "\($0)/mpirun" }
    .first { FileManager.default.isExecutableFile(atPath: $0) }

  /// `descent-mpi-tests`, which SwiftPM builds beside the test bundle.
  static let testProgram: URL? = CLI.executable.map {
    $0.deletingLastPathComponent().appendingPathComponent("descent-mpi-tests")
  }.flatMap { FileManager.default.isExecutableFile(atPath: $0.path) ? $0 : nil }

  static var canRunJobs: Bool { library != nil && mpirun != nil && testProgram != nil }

  static let skipReason: Comment =
    "needs an MPI library and mpirun (apt-get install openmpi-bin); none here, so the distributed tests run only where .ci/run installs Open MPI"
}

@Suite struct MPILoaderTests {
  @Test func withoutAnyLibraryTheErrorSaysWhatToInstall() {
    let candidates = [
      MPILibrary.Candidate(name: "libdescent-absent-mpi.so.40", family: "Open MPI 4/5"),
      MPILibrary.Candidate(name: "libdescent-absent-mpich.so.12", family: "MPICH 4"),
    ]
    #expect {
      try MPILibrary.load(candidates: candidates)
    } throws: { error in
      let text = "\(error)"
      return text.hasPrefix(
        "no MPI library found: tried libdescent-absent-mpi.so.40 (Open MPI 4/5), libdescent-absent-mpich.so.12 (MPICH 4). Install Open MPI"
      ) && text.contains("apt-get install openmpi-bin") && text.contains("apt-get install mpich")
        && text.contains("DESCENT_MPI_LIBRARY")
    }
  }

  @Test func aLibraryPathThatDoesNotOpenIsNamed() {
    #expect {
      try MPILibrary.load(explicit: "/nonexistent/folder/libmpi.so")
    } throws: { error in
      "\(error)".hasPrefix("DESCENT_MPI_LIBRARY=/nonexistent/folder/libmpi.so: cannot open it: ")
        && "\(error)".contains("or unset it to search the standard names")
    }
  }

  @Test func aFileThatIsNoMPILibraryIsRefused() {
    // libm opens but has no MPI_Init_thread.
    #expect {
      try MPILibrary.load(explicit: "libm.so.6")
    } throws: { error in
      "\(error)".contains(
        "DESCENT_MPI_LIBRARY=libm.so.6: not a usable MPI library: the library has no function MPI_Init_thread"
      )
    }
  }

  @Test(
    .enabled(
      if: MPIOnThisMachine.library == nil,
      "an MPI library is installed here: the message for none is checked with absent names above"
    ))
  func processGroupWithoutMPISaysWhatToInstall() {
    #expect {
      _ = try ProcessGroup.mpi()
    } throws: { error in
      "\(error)".hasPrefix("no MPI library found: tried libmpi.so.40 (Open MPI 4/5)")
        && "\(error)".contains("apt-get install openmpi-bin")
    }
  }

  @Test func theLaunchersLibraryIsTriedFirst() {
    let openMPI = MPILibrary.candidates(environment: ["OMPI_COMM_WORLD_SIZE": "4"])
    let mpich = MPILibrary.candidates(environment: ["PMI_SIZE": "4", "PMI_RANK": "1"])
    #expect(openMPI.map(\.name) == ["libmpi.so.40", "libmpi.so.12", "libmpich.so.12"])
    #expect(mpich.map(\.name) == ["libmpi.so.12", "libmpich.so.12", "libmpi.so.40"])
  }

  @Test func launchesAreReadFromEitherLaunchersVariables() {
    #expect(
      MPILaunch.detect(["OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "4"])
        == MPILaunch(rank: 3, size: 4, launcher: "Open MPI"))
    #expect(
      MPILaunch.detect(["PMI_RANK": "0", "PMI_SIZE": "2"])
        == MPILaunch(rank: 0, size: 2, launcher: "MPICH"))
    #expect(MPILaunch.detect([:]) == nil)
    #expect(MPILaunch.detect(["PMI_RANK": "2", "PMI_SIZE": "2"]) == nil)
    #expect(MPILaunch.detect(["PMI_RANK": "x", "PMI_SIZE": "2"]) == nil)
  }

  @Test func theCollectiveTimeoutComesFromTheEnvironment() throws {
    #expect(try ProcessGroup.collectiveTimeout([:]) == .seconds(600))
    #expect(
      try ProcessGroup.collectiveTimeout(["DESCENT_COLLECTIVE_TIMEOUT": "2.5"]) == .seconds(2.5))
    #expect {
      _ = try ProcessGroup.collectiveTimeout(["DESCENT_COLLECTIVE_TIMEOUT": "soon"])
    } throws: { error in
      "\(error)"
        == "DESCENT_COLLECTIVE_TIMEOUT=soon: give the time limit of a collective in seconds, e.g. 600"
    }
  }
}

/// The quick distributed suites in a real job of two processes, where MPI is installed. The
/// others (collectives up to 10^7 elements and over 2 GiB, DDP, the command) take minutes in a
/// debug build: .ci/run runs all of them in release.
@Suite struct DistributedMPITests {
  @Test(.enabled(if: MPIOnThisMachine.canRunJobs, MPIOnThisMachine.skipReason))
  func samplerAndTimeoutInATwoProcessJob() throws {
    let program = try #require(MPIOnThisMachine.testProgram)
    let process = Process()
    process.executableURL = program
    process.arguments = ["sampler", "timeout"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains("descent-mpi-tests: all 2 suites passed"), "\(text)")
  }
}
