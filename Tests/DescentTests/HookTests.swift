import Testing

@testable import Descent

// Gradient hooks, post-accumulate hooks, retained gradients of non-leaves and end-of-backward
// callbacks. The expected values are derivatives worked by hand: y = 3x gives dy/dx = 3.

@Suite struct HookTests {
  @Test func aHookOnALeafReplacesItsGradientAndCanBeRemoved() {
    let x = Tensor([1, 2], requiresGrad: true)
    var seen: [[Double]] = []
    let handle = x.registerHook { grad in
      seen.append(grad.toDoubles())
      return grad * 2
    }
    (x * 3).sum().backward()
    #expect(seen == [[3, 3]])
    #expect(x.grad?.toDoubles() == [6, 6])
    handle.remove()
    handle.remove()  // a second removal does nothing
    x.grad = nil
    (x * 3).sum().backward()
    #expect(seen.count == 1)
    #expect(x.grad?.toDoubles() == [3, 3])
  }

  @Test func aHookOnANonLeafChangesWhatFlowsToItsInputs() {
    let x = Tensor([1, 2], requiresGrad: true)
    let y = x * x  // dy/dx = 2x
    y.registerHook { grad in grad * 10 }
    y.sum().backward()
    #expect(x.grad?.toDoubles() == [20, 40])
  }

  @Test func hooksRunInOrderEachSeeingTheLastReplacement() {
    let x = Tensor(1.0, requiresGrad: true)
    let y = x * 4
    var order: [Double] = []
    y.registerHook { grad in
      order.append(grad.item())
      return grad + 1
    }
    y.registerHook { grad in
      order.append(grad.item())
      return nil
    }
    y.backward()
    #expect(order == [1, 2])
    #expect(x.grad?.item() == 8)
  }

  @Test func retainGradKeepsANonLeafGradientAfterTheHooks() {
    let x = Tensor([1, 2], requiresGrad: true)
    let y = x * 3
    #expect(!y.retainsGrad)
    y.retainGrad()
    #expect(y.retainsGrad)
    #expect(!x.retainsGrad)
    y.registerHook { grad in grad * 2 }
    let loss = (y * y).sum()  // d/dy = 2y = [6, 12]
    loss.backward(retainGraph: true)
    #expect(y.grad?.toDoubles() == [12, 24])
    #expect(x.grad?.toDoubles() == [36, 72])
    loss.backward()
    #expect(y.grad?.toDoubles() == [24, 48])
  }

  @Test func postAccumulateHooksSeeTheLeafWithItsNewGradient() {
    let w = Tensor([1, 2, 3], requiresGrad: true)
    var gradients: [[Double]] = []
    let handle = w.registerPostAccumulateGradHook { leaf in
      gradients.append(leaf.grad!.toDoubles())
    }
    (w * 2).sum().backward()
    (w * w).sum().backward()
    #expect(gradients == [[2, 2, 2], [4, 6, 8]])
    handle.remove()
    (w * 2).sum().backward()
    #expect(gradients.count == 2)
  }

  @Test func callbacksQueuedDuringBackwardRunOnceItEnds() {
    let a = Tensor(2.0, requiresGrad: true)
    let b = Tensor(5.0, requiresGrad: true)
    var events: [String] = []
    a.registerPostAccumulateGradHook { _ in
      events.append("a")
      queueBackwardCallback { events.append("end, b.grad = \(b.grad?.item() ?? -1)") }
    }
    b.registerPostAccumulateGradHook { _ in events.append("b") }
    (a * b).backward()
    #expect(events.count == 3)
    #expect(events.last == "end, b.grad = 2.0")
  }

  @Test func aHookOnATensorWithoutGradientStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor([1, 2]).registerHook { $0 }
    }
    expectStopMessage(
      result, op: "register_hook",
      ["cannot register a hook on a tensor that doesn't require gradient"]
    )
  }

  @Test func aHookReturningAnotherShapeStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let x = Tensor([1, 2], requiresGrad: true)
      x.registerHook { _ in Tensor([1, 2, 3]) }
      (x * 2).sum().backward()
    }
    expectStopMessage(result, op: "hook", ["has changed the size of value", "[2]", "[3]"])
  }

  @Test func queueingACallbackOutsideBackwardStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      queueBackwardCallback {}
    }
    expectStopMessage(
      result, op: "queue_callback",
      ["Final callbacks can only be installed during the backward pass"])
  }
}
