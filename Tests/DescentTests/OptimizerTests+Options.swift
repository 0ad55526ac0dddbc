import Testing

@testable import Descent

/// Hyper-parameters under PyTorch's names: groups given by name, state dicts saved before a
/// name existed, and values of the wrong kind.
@Suite("Optimizer hyper-parameters by PyTorch's names")
struct OptimizerOptionsTests {
  /// A parameter and a gradient for three steps of `optimizer`, returning the values.
  func threeSteps(_ make: ([Tensor]) -> Optimizer) -> [Double] {
    let w = Tensor([0.5, -1.5, 2], dtype: .float64, requiresGrad: true)
    let optimizer = make([w])
    for step in 1...3 {
      w.grad = Tensor([1, -0.25, 0.5], dtype: .float64) * Double(step)
      optimizer.step()
    }
    return w.toDoubles()
  }

  @Test func groupsGivenByNameStepAsGivenByLabel() {
    let byLabel = threeSteps { Adam($0, lr: 0.1, betas: (0.8, 0.99), amsgrad: true) }
    let byName = threeSteps { params in
      Adam([ParamGroup(params, options: ["lr": 0.1, "betas": [0.8, 0.99], "amsgrad": true])])
    }
    #expect(byName == byLabel)
    #expect(byName != threeSteps { Adam($0, lr: 0.1) })
    let optimizer = SGD([ParamGroup([Tensor([1], requiresGrad: true)], options: ["lr": 0.5])])
    #expect(optimizer.paramGroups[0]["lr"] == 0.5 && optimizer.paramGroups[0]["nesterov"] == false)
    #expect(optimizer.paramGroups[0].options.names.first == "lr")
  }

  @Test func defaultsCarryPyTorchNames() {
    let adam = Adam([Tensor([1], requiresGrad: true)])
    #expect(
      adam.defaults.names == [
        "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay",
      ])
    #expect(adam.defaults["betas"] == [0.9, 0.999])
    #expect(HyperValue.numbers([0.9, 0.999]).description == "(0.9, 0.999)")
  }

  /// A saved group that lacks a name (saved before the optimizer had it) takes the
  /// optimizer's default, as PyTorch's `__setstate__` does for names added in later versions.
  @Test func loadingFillsTheNamesADictLacks() throws {
    let w = Tensor([1, 2], requiresGrad: true)
    let optimizer = RMSprop([ParamGroup([w], alpha: 0.5)], lr: 0.1, centered: true)
    w.grad = Tensor([1, 1])
    optimizer.step()
    var dict = optimizer.stateDict()
    dict.paramGroups[0].options["alpha"] = nil
    dict.paramGroups[0].options["centered"] = nil
    try optimizer.loadStateDict(dict)
    #expect(optimizer.paramGroups[0].alpha == 0.99 && optimizer.paramGroups[0].centered == true)
    dict.state[0]?["grad_avg"] = nil
    #expect(throws: OptimizerStateError.missingState(id: 0, key: "grad_avg")) {
      try optimizer.loadStateDict(dict)
    }
  }

  @Test func aValueOfTheWrongKindIsRefused() {
    let w = Tensor([1, 2], requiresGrad: true)
    let optimizer = SGD([w], lr: 0.1)
    var dict = optimizer.stateDict()
    dict.paramGroups[0].options["lr"] = true
    #expect(
      throws: OptimizerStateError.invalidOptions(
        group: 0, message: "'lr' is True, which is not a number")
    ) { try optimizer.loadStateDict(dict) }
    #expect(optimizer.paramGroups[0].lr == 0.1)
  }

  @Test func aValueRemovedAfterTheGroupWasAddedStopsTheStep() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let w = Tensor([1, 2], requiresGrad: true)
      let optimizer = Adam([w])
      optimizer.paramGroups[0].eps = nil
      w.grad = Tensor([1, 1])
      optimizer.step()
    }
    expectStopMessage(result, op: "Adam", ["param group 0: no value for 'eps'"])
  }
}
