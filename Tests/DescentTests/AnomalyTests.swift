import Testing

@testable import Descent

/// `detectAnomaly` names the op that first produced NaN or infinity, forward or backward, and
/// `ensureFinite` stops a diverging loop at its epoch.
@Suite struct AnomalyTests {
  @Test func forwardNaNNamesTheOpAndShapes() {
    let x = Tensor([-1, 4], requiresGrad: true)
    do {
      try detectAnomaly {
        let y = x * 2
        _ = y.log()  // log(-2) is NaN
        _ = y.sqrt()
      }
      Issue.record("no anomaly reported")
    } catch let error as AnomalyError {
      #expect(error.op == "LogBackward0")
      #expect(error.phase == .forward)
      #expect(error.kind == "nan")
      #expect(error.shape == [2] && error.inputShapes == [[2]])
      #expect(error.description.contains("Function 'LogBackward0' produced nan"))
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func backwardInfinityNamesTheNode() {
    // sqrt(0) is fine forward, but its gradient 1 / (2·sqrt(0)) is infinite.
    let x = Tensor([0, 4], requiresGrad: true)
    #expect(throws: AnomalyError.self) {
      try detectAnomaly { x.sqrt().sum().backward() }
    }
    do {
      try detectAnomaly { x.sqrt().sum().backward() }
    } catch let error as AnomalyError {
      #expect(error.op == "SqrtBackward0")
      #expect(error.phase == .backward)
      #expect(error.kind == "inf")
      #expect(error.outputIndex == 0)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func cleanRunsPassAndNothingIsCheckedOutside() throws {
    let x = Tensor([1, 4], requiresGrad: true)
    let total = try detectAnomaly { () -> Double in
      let loss = (x * x).sum()
      loss.backward()
      try checkAnomaly()
      return loss.item()
    }
    #expect(total == 17)
    // Outside a detectAnomaly scope NaN flows through silently, as in PyTorch.
    #expect(Tensor([-1], requiresGrad: true).log().item().isNaN)
    try checkAnomaly()
  }

  @Test func divergingLossStopsAtItsEpoch() {
    // R9 with lr 10 diverges: (w − 1)² grows by 19² per step until it overflows.
    let w = Tensor([2.0], requiresGrad: true)
    let optimizerRate = 10.0
    var stoppedAt: DivergenceError?
    for epoch in 1...200 {
      let loss = ((w - 1) ** 2).sum()
      do {
        try ensureFinite(loss, epoch: epoch, learningRate: optimizerRate)
      } catch let error as DivergenceError {
        stoppedAt = error
        break
      } catch {}
      loss.backward()
      noGrad { w -= optimizerRate * w.grad! }
      w.grad = nil
    }
    guard let error = stoppedAt else {
      Issue.record("the loss never stopped being finite")
      return
    }
    // w − 1 is multiplied by 1 − 2·10 = −19 at each step, so epoch e's loss is 19^(2(e−1)):
    // 19^30 ≈ 2.3e38 at epoch 16 is still a float32, 19^32 ≈ 8.4e40 at epoch 17 is not.
    #expect(error.epoch == 17)
    #expect(error.description.contains("learning rate is the usual cause"))
    #expect(error.description.contains("epoch \(error.epoch)"))
  }
}
