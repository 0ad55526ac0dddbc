import Testing

@testable import Descent

/// Bad input to the vision layers and functions: each stops with PyTorch's message
/// (the `errors` section of vision.json), naming the layer or op and the shapes. Calls run
/// inside `withOpErrors`, which throws the message the program would stop with; the layers'
/// initialisers, which stop at once, run as exit tests.
@Suite struct VisionErrorTests {
  /// A call that must fail: the fixture key of PyTorch's message, the op or layer the message
  /// must name, and shapes or values it must also name.
  struct BadCall: Sendable {
    let key: String
    let op: String
    let names: [String]
    let call: @Sendable () -> Tensor
  }

  static func z(_ shape: Int...) -> Tensor { Tensor.zeros(shape) }

  static let calls: [BadCall] = [
    BadCall(key: "channels", op: "Conv2d", names: []) {
      Conv2d(3, 16, kernelSize: 5)(z(64, 1, 28, 28))
    },
    BadCall(key: "rank", op: "Conv2d", names: []) { Conv2d(3, 16, kernelSize: 5)(z(3, 28)) },
    BadCall(key: "rank_conv1d", op: "Conv1d", names: []) {
      Conv1d(3, 16, kernelSize: 5)(z(1, 3, 28, 28))
    },
    BadCall(key: "kernel_too_large", op: "Conv2d", names: []) {
      Conv2d(3, 16, kernelSize: 5, padding: 1)(z(1, 3, 2, 28))
    },
    BadCall(key: "kernel_too_large_1d", op: "Conv1d", names: []) {
      Conv1d(3, 4, kernelSize: 3)(z(1, 3, 2))
    },
    BadCall(key: "stride_zero", op: "Conv2d", names: ["[0, 0]"]) {
      Conv2d(3, 16, kernelSize: 5, stride: 0)(z(1, 3, 28, 28))
    },
    BadCall(key: "groups_weight", op: "conv2d", names: []) {
      conv2d(z(1, 4, 28, 28), z(6, 2, 5, 5), groups: 4)
    },
    BadCall(key: "groups_channels", op: "conv2d", names: []) {
      conv2d(z(1, 3, 28, 28), z(16, 3, 5, 5), groups: 2)
    },
    BadCall(key: "bias", op: "conv2d", names: []) {
      conv2d(z(1, 3, 28, 28), z(16, 3, 5, 5), z(15))
    },
    BadCall(key: "transposed_channels", op: "ConvTranspose2d", names: []) {
      ConvTranspose2d(3, 16, kernelSize: 5)(z(8, 1, 28, 28))
    },
    BadCall(key: "output_padding", op: "ConvTranspose2d", names: []) {
      ConvTranspose2d(3, 16, kernelSize: 5, stride: 2, outputPadding: 2)(z(8, 3, 28, 28))
    },
    BadCall(key: "max_pool_too_small", op: "MaxPool2d", names: []) {
      MaxPool2d(kernelSize: 5)(z(1, 3, 4, 28))
    },
    BadCall(key: "max_pool_pad", op: "MaxPool2d", names: []) {
      MaxPool2d(kernelSize: 2, padding: 2)(z(1, 3, 8, 8))
    },
    BadCall(key: "max_pool_stride_zero", op: "MaxPool2d", names: ["[1, 3, 8, 8]"]) {
      MaxPool2d(kernelSize: 2, stride: 0)(z(1, 3, 8, 8))
    },
    BadCall(key: "avg_pool_too_small", op: "AvgPool2d", names: []) {
      AvgPool2d(kernelSize: 5)(z(1, 3, 4, 28))
    },
    BadCall(key: "adaptive_rank", op: "AdaptiveAvgPool2d", names: []) {
      AdaptiveAvgPool2d(2)(z(3, 8))
    },
    BadCall(key: "batchnorm2d_rank", op: "BatchNorm2d", names: ["[3, 8]"]) {
      BatchNorm2d(3)(z(3, 8))
    },
    BadCall(key: "batchnorm2d_channels", op: "BatchNorm2d", names: []) {
      BatchNorm2d(3)(z(2, 4, 8, 8))
    },
    BadCall(key: "pad_odd", op: "pad", names: ["[1, 2, 3]"]) { pad(z(1, 3, 8, 8), [1, 2, 3]) },
    BadCall(key: "interpolate_both", op: "interpolate", names: []) {
      interpolate(z(1, 3, 8, 8), size: 4, scaleFactor: 2)
    },
    BadCall(key: "unflatten", op: "unflatten", names: []) {
      Unflatten(dim: 1, unflattenedSize: [2, 4])(z(3, 6))
    },
    BadCall(key: "fold_blocks", op: "fold", names: []) {
      fold(z(1, 12, 10), outputSize: [4, 4], kernelSize: 2)
    },
  ]

  @Test func everyBadCallStopsWithPyTorchsMessage() throws {
    let messages = try VisionFixture.get().errors
    for bad in Self.calls {
      let expected = try #require(messages[bad.key], "no PyTorch message \(bad.key)")
      do {
        let result = try withOpErrors { bad.call() }
        Issue.record("\(bad.key): no error, gave a tensor of shape \(result.shape)")
      } catch let error as OpError {
        #expect(error.op == bad.op, "\(bad.key): \(error)")
        // `description` is "op: message": PyTorch's unflatten message starts with its op.
        #expect(error.description.contains(expected), "\(bad.key): \(error.description)")
        for name in bad.names {
          #expect(error.message.contains(name), "\(bad.key): \(error.message) lacks \(name)")
        }
      }
    }
  }

  @Test func theWrongChannelCountStopsTheProgram() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Conv2d(3, 16, kernelSize: 5)(Tensor.zeros([64, 1, 28, 28]))
    }
    expectStopMessage(
      result, op: "Conv2d",
      [
        "Given groups=1, weight of size [16, 3, 5, 5], expected input[64, 1, 28, 28] to have 3 channels, but got 1 channels instead"
      ])
  }

  @Test func groupsThatDoNotDivideTheInputChannels() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Conv2d(3, 16, kernelSize: 5, groups: 2)
    }
    expectStopMessage(
      result, op: "Conv2d", ["in_channels must be divisible by groups", "3 and groups=2"])
  }

  @Test func groupsThatDoNotDivideTheOutputChannels() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Conv2d(4, 6, kernelSize: 5, groups: 4)
    }
    expectStopMessage(
      result, op: "Conv2d", ["out_channels must be divisible by groups", "6 and groups=4"])
  }

  @Test func samePaddingWithAStride() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Conv2d(3, 16, kernelSize: 5, stride: 2, padding: .same)
    }
    expectStopMessage(
      result, op: "Conv2d", ["padding='same' is not supported for strided convolutions"])
  }
}
