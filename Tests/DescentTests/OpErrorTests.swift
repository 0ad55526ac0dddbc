import Testing

@testable import Descent

// `withOpErrors`: math errors that would stop the program are thrown instead, and nothing
// after the first one changes a model.

@Suite struct OpErrorTests {
  @Test func aShapeMismatchIsThrownWithTheOpTheMessageAndTheShapes() throws {
    let error = try #require(
      throws: OpError.self,
      performing: {
        try withOpErrors { _ = Tensor([1, 2, 3]) + Tensor([1, 2, 3, 4]) }
      })
    #expect(error.op == "add")
    #expect(
      error.message.contains(
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0")
    )
    #expect(error.shapes == [[3], [4]])
    #expect(error.description.hasPrefix("add: The size of tensor a (3)"))
  }

  @Test func laterOpsPassThePoisonOnWithoutComputingAndTheFirstErrorWins() throws {
    var seen: [Tensor] = []
    let error = try #require(
      throws: OpError.self,
      performing: {
        try withOpErrors {
          let bad = Tensor.zeros([3, 4]).matmul(Tensor.zeros([5, 2]))
          let next = (bad * 2).exp().sum()
          let reshaped = Tensor([1, 2, 3]).reshaped([2, 2])  // a second error
          seen = [bad, next, reshaped]
        }
      })
    #expect(error.op == "matmul")
    #expect(error.shapes == [[3, 4], [5, 2]])
    #expect(seen.map(\.isPoisoned) == [true, true, true])
    #expect(seen[1].shape == [])
    #expect(seen[1].item().isNaN)
  }

  @Test func aScopeWithoutErrorsReturnsTheBodysValue() throws {
    let total = try withOpErrors { (Tensor([1, 2]) * 3).sum().item() }
    #expect(total == 9)
  }

  @Test func anErrorTheBodyThrowsItselfPropagates() {
    struct Custom: Error {}
    #expect(throws: Custom.self) { try withOpErrors { throw Custom() } }
  }

  @Test func scopesNestAndAnErrorBelongsToTheInnermost() throws {
    var inner: OpError?
    let outer = try withOpErrors { () -> Double in
      do {
        try withOpErrors { _ = Tensor([1, 2]).softmax(dim: 3) }
      } catch let error as OpError {
        inner = error
      }
      return Tensor([2.5]).sum().item()
    }
    #expect(inner?.op == "softmax")
    #expect(outer == 2.5)
  }

  @Test func aTrainingLoopSurvivesAMismatchedBatchWithTheModelUntouched() throws {
    manualSeed(0)
    let model = Sequential(Linear(3, 4), ReLU(), Linear(4, 1))
    let optimizer = Adam(model.parameters(), lr: 0.1)
    let x = Tensor.randn([8, 3])
    let y = Tensor.randn([8, 1])
    func step(_ input: Tensor, _ target: Tensor) throws {
      try withOpErrors {
        optimizer.zeroGrad()
        let loss = mseLoss(model(input), target)
        loss.backward()
        optimizer.step()
      }
    }
    try step(x, y)
    let before = model.parameters().map { $0.toFloats() }
    let stepsBefore = model.parameters().map { optimizer.state(for: $0).step }
    // A batch with 5 features instead of 3: the first Linear fails.
    let error = try #require(throws: OpError.self) { try step(Tensor.randn([8, 5]), y) }
    #expect(error.op == "linear")
    #expect(error.message.contains("mat1 and mat2 shapes cannot be multiplied"))
    #expect(model.parameters().map { $0.toFloats() } == before)
    #expect(model.parameters().map { optimizer.state(for: $0).step } == stepsBefore)
    // A target of the wrong shape fails in the loss; still nothing changes.
    #expect(throws: OpError.self) { try step(x, Tensor.randn([8, 2])) }
    #expect(model.parameters().map { $0.toFloats() } == before)
    // The next good batch trains as usual.
    try step(x, y)
    #expect(model.parameters().map { $0.toFloats() } != before)
  }

  @Test func afterAnErrorBackwardAndStepChangeNothingEvenWithRealTensors() throws {
    let w = Tensor([1, 2], requiresGrad: true)
    let optimizer = SGD([w], lr: 0.5)
    #expect(throws: OpError.self) {
      try withOpErrors {
        let loss = (w * w).sum()  // a real graph, made before the error
        _ = Tensor([1, 2]).matmul(Tensor([1, 2, 3]))
        loss.backward()
        w.grad = Tensor([1, 1])
        optimizer.step()
      }
    }
    #expect(w.toDoubles() == [1, 2])
    #expect(w.grad?.toDoubles() == [1, 1])
  }

  @Test func opsThatReturnPairsAndListsGivePoisonedPlaceholders() throws {
    var pieces: [Tensor] = []
    var maximum: (values: Tensor, indices: Tensor)?
    #expect(throws: OpError.self) {
      try withOpErrors {
        pieces = Tensor([1, 2, 3]).split(0)
        maximum = Tensor([1, 2, 3]).max(dim: 4)
      }
    }
    #expect(pieces.count == 1 && pieces[0].isPoisoned)
    #expect(maximum?.values.isPoisoned == true && maximum?.indices.isPoisoned == true)
  }
}
