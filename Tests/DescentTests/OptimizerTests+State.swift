import Foundation
import Testing

@testable import Descent

/// The optimizer's state: the state dict round trip, refusals that change nothing, updates in
/// place (no new tensors after the first step), and the bookkeeping around `step()`.
@Suite("Optimizer state, in-place updates and parameter groups")
struct OptimizerStateTests {
  static let cases = OptimFixtureFile.file?.optimizers ?? []

  /// Fresh leaves holding `params`' values.
  func copies(_ params: [Tensor]) -> [Tensor] {
    params.map { $0.detach().clone().requiresGrad_() }
  }

  /// Save after 10 steps, load into a fresh optimizer over copies of the parameters, and run
  /// both for the remaining steps: the resumed run is bit-identical to the uninterrupted one.
  @Test(arguments: cases)
  func stateDictRoundTripResumesBitIdentically(_ c: OptimCase) throws {
    let file = try OptimFixtureFile.loaded.get()
    let dtype = c.descentDType
    let params = fixtureParameters(file.problem, dtype: dtype)
    let optimizer = makeOptimizer(c, params)
    for step in c.steps.prefix(10) {
      feedGradients(step, params, dtype: dtype)
      optimizer.step()
    }
    let saved = optimizer.stateDict()
    let resumedParams = copies(params)
    let resumed = makeOptimizer(c, resumedParams)
    try resumed.loadStateDict(saved)
    // The loaded state is a copy: nothing is shared with the saved dict or the original.
    for (_, entry) in saved.state {
      for (key, tensor) in entry {
        #expect(resumed.state.values.allSatisfy { $0[key]?.storage !== tensor.storage })
      }
    }
    for step in c.steps.dropFirst(10) {
      feedGradients(step, params, dtype: dtype)
      feedGradients(step, resumedParams, dtype: dtype)
      optimizer.step()
      resumed.step()
    }
    for (a, b) in zip(params, resumedParams) {
      #expect(a.toDoubles() == b.toDoubles(), "\(c.name): parameters differ after resuming")
    }
    let (expected, actual) = (optimizer.stateDict(), resumed.stateDict())
    #expect(expected.state.keys.sorted() == actual.state.keys.sorted())
    for (id, entry) in expected.state {
      #expect(entry.keys == actual.state[id]?.keys)
      for (key, tensor) in entry {
        #expect(
          tensor.toDoubles() == actual.state[id]?[key]?.toDoubles(), "\(c.name): \(id).\(key)")
      }
    }
  }

  /// After the first step every state buffer keeps its identity and storage, and parameters
  /// are updated in place (same object, same storage, version bumped).
  @Test(arguments: cases.filter { $0.dtype == "float32" })
  func stepsUpdateInPlaceWithoutNewTensors(_ c: OptimCase) throws {
    let file = try OptimFixtureFile.loaded.get()
    let params = fixtureParameters(file.problem, dtype: .float32)
    let storages = params.map { $0.storage.data }
    let optimizer = makeOptimizer(c, params)
    // Steps 0 and 1 give every parameter its first step (b skips step 1 in the group cases).
    for step in c.steps.prefix(2) {
      feedGradients(step, params, dtype: .float32)
      optimizer.step()
    }
    func snapshot() -> [String: (ObjectIdentifier, UnsafeMutableRawPointer)] {
      var result: [String: (ObjectIdentifier, UnsafeMutableRawPointer)] = [:]
      for (index, p) in params.enumerated() {
        for (key, tensor) in optimizer.state(for: p).buffers {
          result["\(index).\(key)"] = (ObjectIdentifier(tensor), tensor.storage.data)
        }
      }
      return result
    }
    let before = snapshot()
    for (index, step) in c.steps.dropFirst(2).prefix(6).enumerated() {
      feedGradients(step, params, dtype: .float32)
      let versions = params.map { $0.storage.version }
      optimizer.step()
      let after = snapshot()
      #expect(Set(after.keys) == Set(before.keys), "\(c.name): state keys changed")
      for (key, value) in before {
        #expect(
          after[key]?.0 == value.0 && after[key]?.1 == value.1,
          "\(c.name): \(key) replaced at step \(index + 3)")
      }
      for (k, p) in params.enumerated() {
        #expect(optimizer.paramGroups.flatMap(\.params)[k] === p)
        #expect(p.storage.data == storages[k])
        if p.grad != nil {
          #expect(p.storage.version > versions[k], "\(c.name): parameter \(k) not written")
        }
      }
    }
  }

  @Test func parametersWithoutGradientAreSkipped() {
    let w = Tensor([1, 2, 3], requiresGrad: true)
    let frozen = Tensor([4, 5], requiresGrad: true)
    let optimizer = Adam([w, frozen], lr: 0.1)
    w.grad = Tensor([1, 1, 1])
    optimizer.step()
    #expect(frozen.toDoubles() == [4, 5])
    #expect(optimizer.state(for: frozen).isEmpty)
    #expect(optimizer.stateDict().state.keys.sorted() == [0])
    #expect(optimizer.state(for: w).step == 1)
  }

  @Test func zeroGradSetsNilOrZeros() {
    let w = Tensor([1, 2], requiresGrad: true)
    let optimizer = SGD([w], lr: 0.1)
    w.grad = Tensor([3, 4])
    let grad = w.grad!
    optimizer.zeroGrad(setToNil: false)
    #expect(w.grad === grad && grad.toDoubles() == [0, 0])
    optimizer.zeroGrad()
    #expect(w.grad == nil)
  }

  @Test func groupsTakeDefaultsAndKeepTheirOwnValues() {
    let a = Tensor([1, 2], requiresGrad: true)
    let b = Tensor([3], requiresGrad: true)
    let optimizer = SGD(
      [ParamGroup([a]), ParamGroup([b], lr: 0.5, nesterov: true)], lr: 0.1, momentum: 0.9)
    #expect(optimizer.paramGroups[0].lr == 0.1 && optimizer.paramGroups[1].lr == 0.5)
    #expect(optimizer.paramGroups[1].momentum == 0.9 && optimizer.paramGroups[1].nesterov == true)
    #expect(optimizer.paramGroups[0].nesterov == false && optimizer.paramGroups[0].dampening == 0)
    // Changing a group's rate takes effect at the next step.
    optimizer.paramGroups[0].lr = 1
    a.grad = Tensor([1, 1])
    optimizer.step()
    #expect(a.toDoubles() == [0, 1])
    // A group added later (fine-tuning) gets the defaults too.
    let c = Tensor([10], requiresGrad: true)
    optimizer.addParamGroup(ParamGroup([c], momentum: 0))
    #expect(optimizer.paramGroups.count == 3 && optimizer.paramGroups[2].lr == 0.1)
    c.grad = Tensor([2])
    optimizer.step()
    #expect(c.toDoubles() == [Double(Float(10) - Float(0.1) * 2)])
  }

  @Test func defaultsMatchPyTorch() {
    let p = [Tensor([1], requiresGrad: true)]
    let sgd = SGD(p).paramGroups[0]
    #expect(sgd.lr == 1e-3 && sgd.momentum == 0 && sgd.dampening == 0 && sgd.weightDecay == 0)
    let adam = Adam(p).paramGroups[0]
    #expect(adam.lr == 1e-3 && adam.betas?.0 == 0.9 && adam.betas?.1 == 0.999 && adam.eps == 1e-8)
    #expect(adam.weightDecay == 0 && adam.amsgrad == false && adam.decoupledWeightDecay == false)
    let adamw = AdamW(p).paramGroups[0]
    #expect(adamw.weightDecay == 1e-2 && adamw.decoupledWeightDecay == true)
    let adagrad = Adagrad(p).paramGroups[0]
    #expect(adagrad.lr == 1e-2 && adagrad.lrDecay == 0 && adagrad.eps == 1e-10)
    let rmsprop = RMSprop(p).paramGroups[0]
    #expect(rmsprop.lr == 1e-2 && rmsprop.alpha == 0.99 && rmsprop.eps == 1e-8)
    #expect(rmsprop.centered == false && rmsprop.momentum == 0)
  }

  @Test func adagradHasStateBeforeTheFirstStep() {
    let w = Tensor([[1, 2], [3, 4]], dtype: .float64, requiresGrad: true)
    let saved = Adagrad([w], initialAccumulatorValue: 0.25).stateDict()
    #expect(saved.state[0]?.keys == ["step", "sum"])
    #expect(saved.state[0]?["step"]?.item() == 0)
    #expect(saved.state[0]?["sum"]?.toDoubles() == [0.25, 0.25, 0.25, 0.25])
    #expect(saved.state[0]?["sum"]?.dtype == .float64)
  }

  @Test func stepWithClosureReturnsTheLoss() {
    let w = Tensor([2], requiresGrad: true)
    let optimizer = SGD([w], lr: 0.25)
    let loss = noGrad {
      optimizer.step {
        optimizer.zeroGrad()
        let loss = (w * w).sum()
        loss.backward()
        return loss
      }
    }
    #expect(loss.item() == 4 && w.toDoubles() == [1])
  }

  // MARK: Refusals

  /// An Adam optimizer after two steps, to refuse things with.
  func steppedAdam() -> (Adam, [Tensor]) {
    let w = Tensor([[1, 2], [3, 4]], requiresGrad: true)
    let b = Tensor([1], requiresGrad: true)
    let optimizer = Adam([ParamGroup([w]), ParamGroup([b], lr: 0.5)], lr: 0.1)
    for _ in 0..<2 {
      w.grad = Tensor.onesLike(w)
      b.grad = Tensor.onesLike(b)
      optimizer.step()
    }
    return (optimizer, [w, b])
  }

  /// Expects `load` to throw `expected` and leave the optimizer as it was.
  func expectRefusal(
    _ expected: OptimizerStateError, sourceLocation: SourceLocation = #_sourceLocation,
    _ edit: (inout OptimizerStateDict) -> Void
  ) {
    let (optimizer, params) = steppedAdam()
    var dict = optimizer.stateDict()
    edit(&dict)
    let before = optimizer.stateDict()
    let buffers = params.map { optimizer.state(for: $0) }
    #expect(throws: expected, sourceLocation: sourceLocation) { try optimizer.loadStateDict(dict) }
    #expect(optimizer.paramGroups.map(\.lr) == [0.1, 0.5], sourceLocation: sourceLocation)
    for (p, state) in zip(params, buffers) {
      #expect(optimizer.state(for: p) === state, sourceLocation: sourceLocation)
    }
    let after = optimizer.stateDict()
    for (id, entry) in before.state {
      for (key, tensor) in entry {
        #expect(
          after.state[id]?[key]?.toDoubles() == tensor.toDoubles(), sourceLocation: sourceLocation)
      }
    }
  }

  @Test func loadingRefusesMismatchedDictsAndChangesNothing() {
    expectRefusal(.groupCount(expected: 2, found: 1)) { dict in
      dict.paramGroups.removeLast()
      dict.paramGroups[0].options.lr = 9
    }
    expectRefusal(.groupSize(group: 1, expected: 1, found: 2)) { dict in
      dict.paramGroups[0].options.lr = 9
      dict.paramGroups[1].params.append(7)
    }
    expectRefusal(.stateShape(id: 1, key: "exp_avg", expected: [1], found: [2])) { dict in
      dict.paramGroups[0].options.lr = 9
      dict.state[1]?["exp_avg"] = Tensor([1, 2])
    }
    expectRefusal(.stateShape(id: 0, key: "step", expected: [], found: [2])) { dict in
      dict.state[0]?["step"] = Tensor([1, 2])
    }
    expectRefusal(.missingState(id: 0, key: "max_exp_avg_sq")) { dict in
      dict.paramGroups[0].options.amsgrad = true
    }
    expectRefusal(.unknownParameter(id: 5)) { dict in dict.state[5] = dict.state[0] }
    expectRefusal(.invalidOptions(group: 1, message: "Invalid learning rate: -1.0")) { dict in
      dict.paramGroups[1].options.lr = -1
    }
  }

  @Test func loadingTakesTheSavedHyperParameters() throws {
    let (optimizer, _) = steppedAdam()
    var dict = optimizer.stateDict()
    dict.paramGroups[1].options.lr = 0.01
    try optimizer.loadStateDict(dict)
    #expect(optimizer.paramGroups.map(\.lr) == [0.1, 0.01])
    #expect(
      OptimizerStateError.groupCount(expected: 2, found: 1).description.contains(
        "different number of parameter groups"))
  }
}
