import CDescentMPI

/// A collective in flight (PyTorch's `Work`): its MPI requests and what to do once all have
/// completed. Started by a ``ProcessGroup`` call; completed by `wait()`, or found complete by
/// `test()`, which also moves MPI's progress engine along: MPI advances non-blocking operations
/// only inside MPI calls, so DDP tests its buckets between gradients.
///
/// A collective may run in phases (the steps of a ring): each phase issues its requests, and
/// the next one runs once they have all completed.
final class CollectiveWork {
  let group: ProcessGroup
  /// The operation as messages name it, e.g. "allReduce(sum) of 1000 float32 elements".
  let name: String
  /// When the job is ended if the requests have not completed (monotonic seconds).
  let deadline: Double
  private var requests: [descent_mpi_request] = []
  private var pending = 0
  private var phases: [() -> Void] = []
  private var nextPhase = 0
  private var finish: (() -> Void)?
  /// True once every request has completed and `finish` has run.
  private(set) var isCompleted = false

  init(group: ProcessGroup, name: String, finish: (() -> Void)? = nil) {
    self.group = group
    self.name = name
    self.deadline = descent_mpi_now() + group.timeoutSeconds
    self.finish = finish
  }

  /// Issues one non-blocking MPI call that fills in a request; a failure ends the job.
  func start(_ call: (UnsafeMutablePointer<descent_mpi_request>) -> Int32) {
    ProcessGroup.lock.withLock { issue(call) }
  }

  /// Queues phases that run one after the other, each once the requests of the one before
  /// (or those already started) have completed; the first may run at once. Each phase issues
  /// its requests with `issue`.
  func run(phases: [() -> Void]) {
    self.phases = phases
    ProcessGroup.lock.withLock { _ = advance() }
  }

  /// `start` for a phase, which already holds the lock.
  func issue(_ call: (UnsafeMutablePointer<descent_mpi_request>) -> Int32) {
    var request = descent_mpi_request()
    let code = call(&request)
    guard code == 0 else { group.endJob("\(name) failed to start: \(MPILibrary.errorText(code))") }
    requests.append(request)
    pending += 1
  }

  /// True when the collective has completed; never blocks.
  @discardableResult
  func test() -> Bool {
    if isCompleted { return true }
    let done = ProcessGroup.lock.withLock { advance() }
    if done { complete() }
    return isCompleted
  }

  /// Blocks until the collective has completed, or ends the job at the deadline.
  func wait() {
    if isCompleted { return }
    ProcessGroup.lock.withLock {
      while true {
        while pending > 0 {
          var timedOut: Int32 = 0
          let index = requests.count - pending
          let code = descent_mpi_wait(&requests[index], deadline, &timedOut)
          guard code == 0 else { group.endJob("\(name) failed: \(MPILibrary.errorText(code))") }
          if timedOut != 0 { timeOut() }
          pending -= 1
        }
        guard nextPhase < phases.count else { break }
        startNextPhase()
      }
    }
    complete()
  }

  /// Tests the requests in order and starts the phases whose turn has come; true when all is
  /// done. Holds the lock.
  private func advance() -> Bool {
    while true {
      while pending > 0 {
        var done: Int32 = 0
        let index = requests.count - pending
        let code = descent_mpi_test(&requests[index], &done)
        guard code == 0 else { group.endJob("\(name) failed: \(MPILibrary.errorText(code))") }
        guard done != 0 else {
          if descent_mpi_now() > deadline { timeOut() }
          return false
        }
        pending -= 1
      }
      guard nextPhase < phases.count else { return true }
      startNextPhase()
    }
  }

  private func startNextPhase() {
    requests.removeAll(keepingCapacity: true)
    let phase = phases[nextPhase]
    nextPhase += 1
    phase()
  }

  private func timeOut() -> Never {
    group.endJob(
      "\(name) did not complete within \(formatSeconds(group.timeoutSeconds)) (DESCENT_COLLECTIVE_TIMEOUT): another rank has stopped, hangs, or called a different collective"
    )
  }

  private func complete() {
    guard !isCompleted else { return }
    isCompleted = true
    finish.take()?()
  }
}

/// Seconds as a message shows them: "600 s", "2.5 s".
private func formatSeconds(_ seconds: Double) -> String {
  seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
}
