import Foundation
import Testing

@testable import Descent

/// The vision layers against the layer sections of Tests/Fixtures/vision.json (made by
/// make_vision_fixtures.py): PyTorch's initial weights for a seed, its printing, its state-dict
/// keys, a LeNet's output and parameter gradients, BatchNorm2d's running statistics and
/// evaluation, Dropout2d's channel mask, and a CNN file PyTorch saved.
@Suite struct VisionLayerTests {
  static let safetensors = VisionFixture.fixtures.appendingPathComponent("safetensors")

  /// `cnn()` of the generator.
  static func cnn() -> Sequential {
    manualSeed(0)
    return Sequential(
      Conv2d(1, 4, kernelSize: 3, padding: 1), BatchNorm2d(4), ReLU(), MaxPool2d(kernelSize: 2),
      Conv2d(4, 8, kernelSize: 3), ReLU(), AdaptiveAvgPool2d(1), Flatten(), Linear(8, 3))
  }

  @Test func initialWeightsAreDrawnAsPyTorchDrawsThem() throws {
    let fixture = try VisionFixture.get()
    let make: [String: () -> ConvolutionLayer] = [
      "conv2d": { Conv2d(3, 8, kernelSize: 3) },
      "conv2d_groups_nobias": { Conv2d(6, 4, kernelSize: [3, 5], groups: 2, bias: false) },
      "conv1d": { Conv1d(4, 6, kernelSize: 5) },
      "conv_transpose2d": { ConvTranspose2d(4, 6, kernelSize: 3, groups: 2) },
    ]
    #expect(Set(make.keys) == Set(fixture.`init`.map(\.name)))
    for expected in fixture.`init` {
      manualSeed(expected.seed)
      let factory = try #require(make[expected.name])
      let layer = factory()
      visionMismatch(layer.weight, expected.weight, "\(expected.name) weight")
      visionMismatch(layer.bias, expected.bias, "\(expected.name) bias")
    }
  }

  @Test func layersPrintAsPyTorchPrintsThem() throws {
    let repr = try VisionFixture.get().repr
    let layers: [String: Module] = [
      "conv2d": Conv2d(1, 6, kernelSize: 5),
      "conv2d_all": Conv2d(
        3, 8, kernelSize: [3, 5], stride: 2, padding: 1, dilation: 2, bias: false),
      "conv2d_same_groups": Conv2d(4, 8, kernelSize: 3, padding: .same, groups: 2),
      "conv2d_valid": Conv2d(4, 8, kernelSize: 3, padding: .valid),
      "conv1d": Conv1d(3, 4, kernelSize: 5),
      "conv1d_same": Conv1d(3, 4, kernelSize: 5, padding: .same),
      "conv_transpose2d": ConvTranspose2d(4, 2, kernelSize: 3, stride: 2, outputPadding: 1),
      "conv_transpose2d_plain": ConvTranspose2d(4, 2, kernelSize: 3),
      "max_pool2d": MaxPool2d(kernelSize: 2),
      "max_pool2d_list": MaxPool2d(kernelSize: [2, 3], stride: 1, padding: 1, ceilMode: true),
      "max_pool1d": MaxPool1d(kernelSize: 3),
      "avg_pool2d": AvgPool2d(kernelSize: 2),
      "avg_pool2d_all": AvgPool2d(
        kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
      "avg_pool1d": AvgPool1d(kernelSize: 2),
      "adaptive_avg_pool2d": AdaptiveAvgPool2d(1),
      "adaptive_avg_pool2d_list": AdaptiveAvgPool2d([2, 3]),
      "adaptive_max_pool2d": AdaptiveMaxPool2d(2),
      "batchnorm2d": BatchNorm2d(16),
      "batchnorm2d_options": BatchNorm2d(
        4, eps: 1e-3, momentum: nil, affine: false, trackRunningStats: false),
      "dropout2d": Dropout2d(p: 0.3),
      "upsample": Upsample(scaleFactor: 2, mode: .nearest),
      "upsample_size": Upsample(size: [4, 5]),
      "unflatten": Unflatten(dim: 1, unflattenedSize: [2, 3]),
      "cnn": Self.cnn(),
    ]
    #expect(Set(layers.keys) == Set(repr.keys))
    for (name, layer) in layers {
      #expect(layer.description == repr[name], "\(name)")
    }
  }

  @Test func stateDictKeysArePyTorchs() throws {
    let expected = try VisionFixture.get().state_dict_keys["cnn"]
    #expect(Self.cnn().stateDict().keys.sorted() == expected?.sorted())
  }

  @Test func aLeNetGivesPyTorchsOutputAndGradients() throws {
    let lenet = try VisionFixture.get().lenet
    // Its own generator: other tests seed the default one while this suite runs in parallel.
    let model = withDefaultGenerator(Generator(seed: 0)) {
      Sequential(
        Conv2d(1, 6, kernelSize: 5), ReLU(), MaxPool2d(kernelSize: 2),
        Conv2d(6, 16, kernelSize: 5, padding: 1), ReLU(), AvgPool2d(kernelSize: 2),
        Flatten(), Linear(16 * 5 * 5, 10))
    }
    let output = model(lenet.input.tensor)
    visionMismatch(output, lenet.output, "output")
    output.sum().backward()
    let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters())
    #expect(Set(parameters.keys) == Set(lenet.grads.keys))
    for (name, expected) in lenet.grads {
      visionMismatch(parameters[name]?.grad, expected, "grad of \(name)")
    }
    #expect(output.gradFn?.name == "AddmmBackward0")
  }

  @Test func gradFnNamesArePyTorchs() {
    let x = Tensor.randn([1, 2, 6, 6], generator: Generator(seed: 4))
    x.requiresGrad = true
    #expect(Conv2d(2, 3, kernelSize: 3)(x).gradFn?.name == "ConvolutionBackward0")
    #expect(ConvTranspose2d(2, 3, kernelSize: 3)(x).gradFn?.name == "ConvolutionBackward0")
    #expect(MaxPool2d(kernelSize: 2)(x).gradFn?.name == "MaxPool2DWithIndicesBackward0")
    #expect(AvgPool2d(kernelSize: 2)(x).gradFn?.name == "AvgPool2DBackward0")
    #expect(BatchNorm2d(2)(x).gradFn?.name == "NativeBatchNormBackward0")
  }

  @Test func makeDotDrawsACNNWithPyTorchsNodes() {
    let model = Self.cnn()
    let output = model(Tensor.randn([2, 1, 6, 6], generator: Generator(seed: 2)))
    let dot = makeDot(output, params: Dictionary(uniqueKeysWithValues: model.namedParameters()))
    for node in [
      "ConvolutionBackward0", "NativeBatchNormBackward0", "MaxPool2DWithIndicesBackward0",
      "MeanBackward1", "AddmmBackward0", "0.weight", "1.bias", "8.weight",
    ] {
      #expect(dot.contains(node), "no \(node) in the graph")
    }
  }

  @Test(arguments: ["default", "momentum_none", "affine_false", "no_running_stats"])
  func batchNorm2dTrainsAndEvaluatesAsPyTorch(_ run: String) throws {
    let fixture = try VisionFixture.get().batchnorm2d
    let expected = try #require(fixture.runs[run])
    let layer =
      switch run {
      case "momentum_none": BatchNorm2d(2, momentum: nil)
      case "affine_false": BatchNorm2d(2, eps: 1e-3, affine: false)
      case "no_running_stats": BatchNorm2d(2, trackRunningStats: false)
      default: BatchNorm2d(2)
      }
    if let weight = layer.weight, let bias = layer.bias {
      noGrad {
        _ = weight.copy_(Tensor([1.5, -0.5]))
        _ = bias.copy_(Tensor([0.1, 0.2]))
      }
    }
    let x = fixture.input.tensor
    x.requiresGrad = true
    let y = layer(x)
    visionMismatch(y, expected.output_train, "\(run) training output")
    y.backward(gradient: fixture.grad_output.tensor)
    visionMismatch(x.grad, expected.grad_input, "\(run) grad of input")
    visionMismatch(layer.weight?.grad, expected.grad_weight, "\(run) grad of weight")
    visionMismatch(layer.bias?.grad, expected.grad_bias, "\(run) grad of bias")
    let second = noGrad { layer(x * 2 + 1) }
    visionMismatch(second, expected.output_second_batch, "\(run) second batch")
    visionMismatch(layer.runningMean, expected.running_mean, "\(run) running mean")
    visionMismatch(layer.runningVar, expected.running_var, "\(run) running var")
    if let tracked = expected.num_batches_tracked {
      #expect(layer.numBatchesTracked.toDoubles() == [Double(tracked)])
    }
    layer.eval()
    visionMismatch(noGrad { layer(x) }, expected.output_eval, "\(run) evaluation output")
  }

  @Test func dropout2dDropsPyTorchsChannels() throws {
    let expected = try VisionFixture.get().dropout2d
    manualSeed(expected.seed)
    let output = Dropout2d(p: expected.p)(Tensor.ones(expected.shape))
    visionMismatch(output, expected.output, "Dropout2d output")
    // In evaluation the layer is the identity.
    let layer = Dropout2d(p: expected.p)
    layer.eval()
    #expect(layer(Tensor.ones([2, 3, 1, 1])).toDoubles() == [Double](repeating: 1, count: 6))
  }

  @Test func aCNNPyTorchSavedLoadsAndGivesItsOutput() throws {
    let url = Self.safetensors.appendingPathComponent("torch_cnn.safetensors")
    let (_, metadata) = try Safetensors.load(from: url)
    let decoder = JSONDecoder()
    let input = try decoder.decode([Double].self, from: Data(metadata["input"]!.utf8))
    let shape = try decoder.decode([Int].self, from: Data(metadata["input_shape"]!.utf8))
    let expected = try decoder.decode([Double].self, from: Data(metadata["output"]!.utf8))
    let model = Self.cnn()
    try model.load(from: url)
    model.eval()
    let output = noGrad { model(Tensor(shape: shape, scalars: input.map { Float($0) })) }
    visionMismatch(output, VisionStored(shape: [2, 3], data: expected), "loaded CNN output")
  }

  @Test func aFreshCNNSavesByteForByteAsPyTorch() throws {
    let reference = try Data(
      contentsOf: Self.safetensors.appendingPathComponent("torch_cnn_init.safetensors"))
    let bytes = try Safetensors.encode(Self.cnn().stateDict(), metadata: [:])
    #expect(bytes == reference)
  }
}
