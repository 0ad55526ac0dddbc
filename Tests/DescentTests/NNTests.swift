import Foundation
import Testing

@testable import Descent

/// Layers against values PyTorch printed (Tests/Fixtures/nn.json, made by make_nn_fixtures.py).
@Suite struct NNTests {
  struct Stored: Decodable {
    let shape: [Int]
    let data: [Double]
    var tensor: Tensor { Tensor(shape: shape, scalars: data.map { Float($0) }) }
    func tensor(_ dtype: DType) -> Tensor {
      dtype == .float64 ? Tensor(shape: shape, scalars: data) : tensor
    }
  }
  struct LinearInit: Decodable {
    let seed: UInt64
    let `in`: Int
    let out: Int
    let weight: Stored
    let bias: Stored
  }
  struct Activations: Decodable {
    let input: Stored
    let grad_output: Stored
    let cases: [String: Case]
    struct Case: Decodable {
      let output: Stored
      let grad: Stored
    }
  }
  struct Fixture: Decodable {
    let linear_init: [LinearInit]
    let repr: [String: String]
    let state_dict_keys: [String: [String]]
    let activations: Activations
    let layernorm: [String: Stored]
    let batchnorm: BatchNorm
    let dropout_model: DropoutModel
  }
  struct DropoutModel: Decodable {
    let init_seed, train_seed: UInt64
    let input, eval_output, train_output: Stored
  }
  struct BatchNorm: Decodable {
    let input, grad_output, output_train, grad_input, grad_weight, grad_bias: Stored
    let running_mean, running_var, output_second_batch, output_eval: Stored
    let num_batches_tracked: Int
  }

  static let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/nn.json")
    return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }()

  /// Within the ops suite's float32 tolerance: 1e-5 relative + 1e-6 absolute.
  func expectClose(
    _ actual: Tensor?, _ expected: Stored, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let actual else {
      Issue.record("\(what): no tensor", sourceLocation: sourceLocation)
      return
    }
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    let values = actual.toDoubles()
    guard values.count == expected.data.count else {
      Issue.record(
        "\(what): \(values.count) values, PyTorch has \(expected.data.count)",
        sourceLocation: sourceLocation)
      return
    }
    for (index, (a, e)) in zip(values, expected.data).enumerated()
    where !(Swift.abs(a - e) <= 1e-5 * Swift.abs(e) + 1e-6) {
      Issue.record("\(what)[\(index)]: Descent \(a), PyTorch \(e)", sourceLocation: sourceLocation)
      return
    }
  }

  /// R8's model, as the notes write it.
  final class simple: Module {
    let fc1 = Linear(1, 4)
    let fc2 = Linear(4, 1)
    override func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
  }

  @Test func linearInitialisationIsPyTorchsBitForBit() {
    // A private default generator, so that suites running in parallel cannot draw in between.
    withDefaultGenerator(Generator()) {
      for case_ in Self.fixture.linear_init {
        manualSeed(case_.seed)
        let layer = Linear(case_.in, case_.out)
        #expect(layer.weight.toDoubles() == case_.weight.data, "seed \(case_.seed) weight")
        #expect(layer.bias!.toDoubles() == case_.bias.data, "seed \(case_.seed) bias")
      }
    }
  }

  @Test func linearInitialisationStatistics() {
    // U(−1/√in, 1/√in): within the bound, mean near 0, variance near bound²/3.
    let layer = Linear(400, 300, generator: Generator(seed: 5))
    let bound = 1 / 400.0.squareRoot()
    let values = layer.weight.toDoubles()
    #expect(values.allSatisfy { Swift.abs($0) <= bound })
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
    #expect(Swift.abs(mean) < 0.01 * bound * 10)
    #expect(Swift.abs(variance / (bound * bound / 3) - 1) < 0.02)
  }

  @Test func modulesPrintAsPyTorchDoes() {
    let repr = Self.fixture.repr
    #expect(simple().description == repr["simple"])
    #expect(
      Sequential(Linear(2, 8), ReLU(), Linear(8, 3), Softmax(dim: 1)).description
        == repr["sequential"])
    #expect(
      Sequential(Linear(4, 4), Sequential(Tanh(), Linear(4, 2, bias: false))).description
        == repr["nested"])
    #expect(BatchNorm1d(4).description == repr["batchnorm"])
    #expect(LayerNorm(4).description == repr["layernorm"])
    #expect(Dropout(p: 0.25).description == repr["dropout"])
    #expect(LeakyReLU(negativeSlope: 0.2).description == repr["leakyrelu"])
    #expect(ELU().description == repr["elu"])
    #expect(GELU().description == repr["gelu"])
    #expect(Flatten().description == repr["flatten"])
    #expect(Identity().description == repr["identity"])
    #expect(Sigmoid().description == repr["sigmoid"])
    #expect(LogSoftmax(dim: 1).description == repr["logsoftmax"])
  }

  @Test func stateDictKeysArePyTorchs() {
    let keys = Self.fixture.state_dict_keys
    #expect(simple().stateDict().keys == keys["simple"])
    #expect(
      Sequential(Linear(2, 8), ReLU(), Linear(8, 3), Softmax(dim: 1)).stateDict().keys
        == keys["sequential"])
    #expect(
      Sequential(Linear(4, 4), Sequential(Tanh(), Linear(4, 2, bias: false))).stateDict().keys
        == keys["nested"])
    #expect(
      Sequential(Linear(3, 4), BatchNorm1d(4), ReLU()).stateDict().keys == keys["batchnorm_mlp"])
    #expect(simple().namedParameters().map { $0.0 } == keys["simple"])
  }

  @Test func r8ModelRunsOnABatch() {
    let model = simple()
    let out = model(Tensor([[1], [2]]))
    #expect(out.shape == [2, 1])
    #expect(model.parameters().count == 4)
    #expect(out.gradFn?.name == "AddmmBackward0")
  }

  @Test func activationsMatchPyTorch() {
    let stored = Self.fixture.activations
    let functions: [String: (Tensor) -> Tensor] = [
      "leaky_relu": { leakyRelu($0, negativeSlope: 0.1) }, "elu": { elu($0) },
      "gelu": { gelu($0) }, "gelu_tanh": { gelu($0, approximateTanh: true) },
    ]
    for (name, function) in functions {
      let x = stored.input.tensor.requiresGrad_()
      let y = function(x)
      y.backward(gradient: stored.grad_output.tensor)
      expectClose(y, stored.cases[name]!.output, "\(name) output")
      expectClose(x.grad, stored.cases[name]!.grad, "\(name) gradient")
    }
  }

  @Test func layerNormMatchesPyTorch() {
    let stored = Self.fixture.layernorm
    let layer = LayerNorm(3)
    noGrad {
      layer.weight!.copy_(stored["weight"]!.tensor)
      layer.bias!.copy_(stored["bias"]!.tensor)
    }
    let x = stored["input"]!.tensor.requiresGrad_()
    let y = layer(x)
    y.backward(gradient: stored["grad_output"]!.tensor)
    expectClose(y, stored["output"]!, "output")
    expectClose(x.grad, stored["grad_input"]!, "input gradient")
    expectClose(layer.weight!.grad, stored["grad_weight"]!, "weight gradient")
    expectClose(layer.bias!.grad, stored["grad_bias"]!, "bias gradient")
  }

  @Test func batchNormTrainsAndEvaluatesAsPyTorch() {
    let stored = Self.fixture.batchnorm
    let layer = BatchNorm1d(3)
    let x = stored.input.tensor.requiresGrad_()
    let y = layer(x)
    y.backward(gradient: stored.grad_output.tensor)
    expectClose(y, stored.output_train, "training output")
    expectClose(x.grad, stored.grad_input, "input gradient")
    expectClose(layer.weight!.grad, stored.grad_weight, "weight gradient")
    expectClose(layer.bias!.grad, stored.grad_bias, "bias gradient")
    let second = layer(x * 2 + 1)
    expectClose(second, stored.output_second_batch, "second batch")
    expectClose(layer.runningMean, stored.running_mean, "running mean")
    expectClose(layer.runningVar, stored.running_var, "running var")
    #expect(layer.numBatchesTracked.item() == Double(stored.num_batches_tracked))
    layer.eval()
    expectClose(noGrad { layer(x) }, stored.output_eval, "evaluation output")
  }

  @Test func loadStateDictCopiesOrRefusesWithoutChanging() throws {
    let source = simple()
    let target = simple()
    try target.loadStateDict(source.stateDict())
    #expect(target.fc1.weight.toDoubles() == source.fc1.weight.toDoubles())
    #expect(target.fc1.weight !== source.fc1.weight)  // copied, not shared

    let before = target.fc2.weight.toDoubles()
    var broken = source.stateDict()
    broken["fc2.weight"] = Tensor.zeros([2, 4])
    broken["fc1.bias"] = nil
    broken["extra"] = Tensor.zeros([1])
    #expect(throws: StateDictError.self) { try target.loadStateDict(broken) }
    do {
      try target.loadStateDict(broken)
    } catch let error as StateDictError {
      #expect(error.missingKeys == ["fc1.bias"])
      #expect(error.unexpectedKeys == ["extra"])
      #expect(error.shapeMismatches.map(\.key) == ["fc2.weight"])
      #expect(error.description.contains("size mismatch for fc2.weight"))
    }
    #expect(target.fc2.weight.toDoubles() == before)  // nothing changed
  }

  @Test func trainEvalAndZeroGrad() {
    let stored = Self.fixture.dropout_model
    // The same seeds as the generator, on a private default generator.
    let (model, evalOutput, trainOutput) = withDefaultGenerator(Generator()) {
      manualSeed(stored.init_seed)
      let model = Sequential(Linear(2, 3), Dropout(p: 0.5), ReLU(), Linear(3, 1))
      model.eval()
      let evalOutput = noGrad { model(stored.input.tensor) }
      model.train()
      manualSeed(stored.train_seed)
      return (model, evalOutput, noGrad { model(stored.input.tensor) })
    }
    expectClose(evalOutput, stored.eval_output, "evaluation output (no dropout)")
    expectClose(trainOutput, stored.train_output, "training output (dropout)")
    model.eval()
    #expect(model.modules().allSatisfy { !$0.training })
    model.train()
    #expect(model.modules().allSatisfy { $0.training })
    let x = Tensor([[1, 2], [3, 4]])
    model(x).sum().backward()
    #expect(model.parameters().allSatisfy { $0.grad != nil })
    model.zeroGrad()
    #expect(model.parameters().allSatisfy { $0.grad == nil })
  }

  @Test func linearGradientsPassGradcheck() {
    let x = Tensor.randn([3, 4], dtype: .float64, generator: Generator(seed: 3))
    let w = Tensor.randn([2, 4], dtype: .float64, generator: Generator(seed: 4))
    let b = Tensor.randn([2], dtype: .float64, generator: Generator(seed: 5))
    #expect(gradcheck({ linear($0[0], $0[1], $0[2]) }, inputs: [x, w, b]).passed)
    #expect(gradcheck({ linear($0[0], $0[1]) }, inputs: [x[0], w]).passed)
    #expect(gradcheck({ leakyRelu($0[0], negativeSlope: 0.2) }, inputs: [x]).passed)
    #expect(gradcheck({ elu($0[0]) }, inputs: [x]).passed)
    #expect(gradcheck({ gelu($0[0]) }, inputs: [x]).passed)
    #expect(gradcheck({ gelu($0[0], approximateTanh: true) }, inputs: [x]).passed)
    #expect(gradcheck({ layerNorm($0[0], normalizedShape: [4]) }, inputs: [x]).passed)
  }
}
