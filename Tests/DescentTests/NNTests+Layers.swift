import Foundation
import Testing

@testable import Descent

/// ModuleList, BatchNorm1d on [N, C, L] and without affine parameters, LayerNorm over two
/// dimensions, and the activation, Softmax and Flatten layers, against PyTorch (the sections
/// `module_list`, `batchnorm_more`, `layernorm_2d` and `activation_layers` of
/// Tests/Fixtures/nn.json, made by make_nn_fixtures.py).
extension NNTests {
  struct ModuleListFixture: Decodable {
    let seed: UInt64
    let repr, empty_repr, last_repr: String
    let count: Int
    let state_dict_keys, parameter_names: [String]
    let input, grad_output, output: Stored
    let grads: [Stored]
  }
  struct BatchNormRun: Decodable {
    let input, grad_output, output_train, grad_input: Stored
    let weight, bias, grad_weight, grad_bias: Stored?
    let output_second_batch, output_eval, running_mean, running_var: Stored
    let num_batches_tracked: Int
  }
  struct BatchNormMore: Decodable {
    let ncl: BatchNormRun
    let affine_false: BatchNormRun
    let one_value_errors: [String: String]
    enum CodingKeys: String, CodingKey {
      case ncl = "ncl_momentum_0.3"
      case affine_false, one_value_errors
    }
  }
  struct LayerNormRun: Decodable {
    let output, grad_input: Stored
    let weight, bias, grad_weight, grad_bias: Stored?
  }
  struct LayerNorm2D: Decodable {
    let input, grad_output: Stored
    let affine, plain: LayerNormRun
  }
  struct LayerCase: Decodable {
    let output, grad_output, grad: Stored
  }
  struct ActivationLayers: Decodable {
    let input: Stored
    let cases: [String: LayerCase]
  }
  struct Layers: Decodable {
    let module_list: ModuleListFixture
    let batchnorm_more: BatchNormMore
    let layernorm_2d: LayerNorm2D
    let activation_layers: ActivationLayers
  }

  static let layers: Layers = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/nn.json")
    return try! JSONDecoder().decode(Layers.self, from: Data(contentsOf: url))
  }()

  /// The generator's model: a ModuleList walked in `forward`.
  final class Stack: Module {
    let blocks = ModuleList([Linear(3, 3), Linear(3, 3)])
    override init() {
      super.init()
      blocks.append(Tanh())
      blocks.append(Linear(3, 2))
    }
    override func forward(_ x: Tensor) -> Tensor { blocks.reduce(x) { $1($0) } }
  }

  @Test func moduleListPrintsRegistersAndRunsAsPyTorch() {
    let stored = Self.layers.module_list
    let stack = withDefaultGenerator(Generator()) {
      manualSeed(stored.seed)
      return Stack()
    }
    #expect(stack.description == stored.repr)
    #expect(ModuleList().description == stored.empty_repr)
    #expect(stack.blocks[-1].description == stored.last_repr)
    #expect(stack.blocks.count == stored.count)
    #expect(stack.stateDict().keys == stored.state_dict_keys)
    #expect(stack.namedParameters().map(\.0) == stored.parameter_names)
    let y = stack(stored.input.tensor)
    y.backward(gradient: stored.grad_output.tensor)
    expectClose(y, stored.output, "output")
    let parameters = stack.parameters()
    #expect(parameters.count == stored.grads.count)
    for (index, (parameter, grad)) in zip(parameters, stored.grads).enumerated() {
      expectClose(parameter.grad, grad, "gradient of \(stored.parameter_names[index])")
    }
  }

  /// Trains on one batch (gradients), a second one (running statistics), then evaluates.
  func checkBatchNorm(_ layer: BatchNorm1d, _ stored: BatchNormRun) {
    if let weight = stored.weight, let bias = stored.bias {
      noGrad {
        layer.weight!.copy_(weight.tensor)
        layer.bias!.copy_(bias.tensor)
      }
    }
    let x = stored.input.tensor.requiresGrad_()
    let y = layer(x)
    y.backward(gradient: stored.grad_output.tensor)
    expectClose(y, stored.output_train, "training output")
    expectClose(x.grad, stored.grad_input, "input gradient")
    if let gradWeight = stored.grad_weight, let gradBias = stored.grad_bias {
      expectClose(layer.weight?.grad, gradWeight, "weight gradient")
      expectClose(layer.bias?.grad, gradBias, "bias gradient")
    } else {
      #expect(layer.weight == nil && layer.bias == nil && layer.parameters().isEmpty)
    }
    expectClose(noGrad { layer(x * 2 + 1) }, stored.output_second_batch, "second batch")
    expectClose(layer.runningMean, stored.running_mean, "running mean")
    expectClose(layer.runningVar, stored.running_var, "running var")
    #expect(layer.numBatchesTracked.item() == Double(stored.num_batches_tracked))
    layer.eval()
    expectClose(noGrad { layer(x) }, stored.output_eval, "evaluation output")
  }

  @Test func batchNormOnChannelsAndLengthWithAnotherMomentum() {
    checkBatchNorm(BatchNorm1d(3, momentum: 0.3), Self.layers.batchnorm_more.ncl)
  }

  @Test func batchNormWithoutAffineParameters() {
    checkBatchNorm(BatchNorm1d(3, affine: false), Self.layers.batchnorm_more.affine_false)
  }

  /// PyTorch's message up to the shape, which Descent prints as `[1, 3]`.
  static func oneValueMessage(_ key: String) -> String {
    let message = layers.batchnorm_more.one_value_errors[key] ?? "missing fixture \(key)"
    return message.components(separatedBy: " torch.Size")[0]
  }

  @Test func batchNormRefusesOneValuePerChannelWhenTraining() async {
    let flat = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = BatchNorm1d(3)(Tensor.zeros([1, 3]))
    }
    expectStopMessage(flat, op: "BatchNorm1d", [Self.oneValueMessage("1x3") + " [1, 3]"])
    let long = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = BatchNorm1d(3)(Tensor.zeros([1, 3, 1]))
    }
    expectStopMessage(long, op: "BatchNorm1d", [Self.oneValueMessage("1x3x1") + " [1, 3, 1]"])
  }

  @Test func layerNormOverTwoDimensions() {
    let stored = Self.layers.layernorm_2d
    for (name, run, affine) in [("affine", stored.affine, true), ("plain", stored.plain, false)] {
      let layer = LayerNorm([3, 4], elementwiseAffine: affine)
      if let weight = run.weight, let bias = run.bias {
        noGrad {
          layer.weight!.copy_(weight.tensor)
          layer.bias!.copy_(bias.tensor)
        }
      }
      #expect((layer.weight == nil) == !affine, "\(name)")
      let x = stored.input.tensor.requiresGrad_()
      let y = layer(x)
      y.backward(gradient: stored.grad_output.tensor)
      expectClose(y, run.output, "\(name) output")
      expectClose(x.grad, run.grad_input, "\(name) input gradient")
      if let gradWeight = run.grad_weight, let gradBias = run.grad_bias {
        expectClose(layer.weight?.grad, gradWeight, "\(name) weight gradient")
        expectClose(layer.bias?.grad, gradBias, "\(name) bias gradient")
      }
    }
  }

  @Test func activationSoftmaxAndFlattenLayersMatchPyTorch() {
    let stored = Self.layers.activation_layers
    let layers: [String: Module] = [
      "leaky_relu_0.2": LeakyReLU(negativeSlope: 0.2), "leaky_relu_default": LeakyReLU(),
      "elu_0.5": ELU(alpha: 0.5), "elu_default": ELU(), "gelu": GELU(),
      "gelu_tanh": GELU(approximateTanh: true), "softmax_dim1": Softmax(dim: 1),
      "softmax_dim_last": Softmax(dim: -1), "flatten": Flatten(),
      "flatten_0_2": Flatten(startDim: 0, endDim: 2), "flatten_2": Flatten(startDim: 2),
    ]
    #expect(Set(stored.cases.keys) == Set(layers.keys))
    for (name, c) in stored.cases.sorted(by: { $0.key < $1.key }) {
      guard let layer = layers[name] else { continue }
      let x = stored.input.tensor.requiresGrad_()
      let y = layer(x)
      y.backward(gradient: c.grad_output.tensor)
      expectClose(y, c.output, "\(name) output")
      expectClose(x.grad, c.grad, "\(name) gradient")
    }
  }
}
