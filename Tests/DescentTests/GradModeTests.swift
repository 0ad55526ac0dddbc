import Dispatch
import Foundation
import Testing

@testable import Descent

// `noGrad` and `enableGrad`: nothing recorded inside, recording again inside, and the mode
// belonging to one thread and one task.

@Suite struct GradModeTests {
  @Test func noGradRecordsNothing() {
    let w = Tensor([1, 2], requiresGrad: true)
    #expect(isGradEnabled)
    let y = noGrad { () -> Tensor in
      #expect(!isGradEnabled)
      return (w * 2 + 1).exp().sum()
    }
    #expect(isGradEnabled)
    #expect(y.gradFn == nil)
    #expect(!y.requiresGrad)
    #expect(y.isLeaf)
    // noGrad returns the body's value and nests.
    let nested = noGrad { noGrad { 42 } }
    #expect(nested == 42)
  }

  @Test func enableGradInsideNoGrad() {
    let w = Tensor([1, 2], requiresGrad: true)
    let (outer, inner, after) = noGrad { () -> (Tensor, Tensor, Tensor) in
      let outer = w * 2
      let inner = enableGrad { () -> Tensor in
        #expect(isGradEnabled)
        return w * 3
      }
      #expect(!isGradEnabled)
      return (outer, inner, w * 4)
    }
    #expect(outer.gradFn == nil)
    #expect(inner.gradFn?.name == "MulBackward0")
    #expect(after.gradFn == nil)
    inner.sum().backward()
    #expect(w.grad?.toDoubles() == [3, 3])
  }

  @Test func noGradOnOneThreadDoesNotStopAnotherFromRecording() async {
    // Thread A enters noGrad and stays there until thread B has built its graph, so the two
    // overlap for certain; the semaphores order them without timing assumptions.
    final class Outcome: @unchecked Sendable {
      var enabledInA = true
      var recordedInA = true
      var enabledInB = false
      var recordedInB: String?
    }
    let outcome = Outcome()
    let aIsInsideNoGrad = DispatchSemaphore(value: 0)
    let bHasRecorded = DispatchSemaphore(value: 0)
    let group = DispatchGroup()
    group.enter()
    Thread {
      noGrad {
        aIsInsideNoGrad.signal()
        bHasRecorded.wait()
        let w = Tensor([1, 2], requiresGrad: true)
        outcome.enabledInA = isGradEnabled
        outcome.recordedInA = (w * 2).gradFn != nil
      }
      group.leave()
    }.start()
    group.enter()
    Thread {
      aIsInsideNoGrad.wait()
      let w = Tensor([1, 2], requiresGrad: true)
      outcome.enabledInB = isGradEnabled
      outcome.recordedInB = (w * 2 + 1).gradFn?.name
      bHasRecorded.signal()
      group.leave()
    }.start()
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      group.notify(queue: .global()) { done.resume() }
    }
    #expect(outcome.enabledInB)
    #expect(outcome.recordedInB == "AddBackward0")
    #expect(!outcome.enabledInA)
    #expect(!outcome.recordedInA)
  }

  @Test func noGradIsPerTask() async {
    // A detached task does not inherit noGrad; a child task does (task-local values).
    let (detached, child) = noGrad { () -> (Task<Bool, Never>, Task<Bool, Never>) in
      (Task.detached { isGradEnabled }, Task { isGradEnabled })
    }
    let enabledInDetached = await detached.value
    let enabledInChild = await child.value
    #expect(enabledInDetached)
    #expect(!enabledInChild)
    // Concurrent tasks: one inside noGrad, the others recording.
    let names = await withTaskGroup(of: String?.self) { group -> [String?] in
      for index in 0..<8 {
        group.addTask {
          let w = Tensor([1, 2], requiresGrad: true)
          return index == 0 ? noGrad { (w * 2).gradFn?.name } : (w * 2).gradFn?.name
        }
      }
      var names: [String?] = []
      for await name in group { names.append(name) }
      return names
    }
    #expect(names.filter { $0 == nil }.count == 1)
    #expect(names.filter { $0 == "MulBackward0" }.count == 7)
  }
}
