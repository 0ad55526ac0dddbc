import Foundation
import Testing

@testable import Descent

/// `nn.init` and dropout for a seed, against the values PyTorch drew (the `init` and `dropout`
/// sections of Tests/Fixtures/nn.json, made by make_nn_fixtures.py).
extension NNTests {
  struct InitCase: Decodable {
    let name: String
    let seed: UInt64?
    let default_generator: Bool
    let values: Stored
  }
  struct DropoutCase: Decodable {
    let name: String
    let p: Double
    let seed: UInt64
    let dtype: String
    let output, grad: Stored
    let next_rand: Double
  }
  struct DropoutFixture: Decodable {
    let input, grad_output: Stored
    let cases: [DropoutCase]
    let module: Stored
    enum CodingKeys: String, CodingKey {
      case input, grad_output, cases
      case module = "module_p0.25_seed6"
    }
  }
  struct InitAndDropout: Decodable {
    let `init`: [InitCase]
    let dropout: DropoutFixture
  }

  static let initAndDropout: InitAndDropout = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/nn.json")
    return try! JSONDecoder().decode(InitAndDropout.self, from: Data(contentsOf: url))
  }()

  /// Each initialiser as the generator calls it.
  static let initialisers: [String: @Sendable (Tensor, Generator?) -> Void] = [
    "kaiming_uniform": { kaimingUniform_($0, generator: $1) },
    "kaiming_uniform_leaky_fan_out": { kaimingUniform_($0, a: 0.2, mode: .fanOut, generator: $1) },
    "kaiming_uniform_default_generator": { t, _ in kaimingUniform_(t) },
    "kaiming_normal": { kaimingNormal_($0, generator: $1) },
    "kaiming_normal_relu_fan_out": {
      kaimingNormal_($0, mode: .fanOut, nonlinearity: .relu, generator: $1)
    },
    "xavier_uniform": { xavierUniform_($0, generator: $1) },
    "xavier_uniform_tanh_gain": { xavierUniform_($0, gain: calculateGain(.tanh), generator: $1) },
    "xavier_normal": { xavierNormal_($0, generator: $1) },
    "xavier_normal_gain": { xavierNormal_($0, gain: 0.5, generator: $1) },
    "constant": { t, _ in constant_(t, 0.3) },
    "zeros": { t, _ in zeros_(t) },
    "ones": { t, _ in ones_(t) },
  ]

  /// Bit for bit: the same draws, the same bounds computed in the same order.
  @Test func initFunctionsDrawPyTorchsValuesForASeed() {
    let cases = Self.initAndDropout.`init`
    #expect(Set(cases.map(\.name)) == Set(Self.initialisers.keys))
    for c in cases {
      guard let fill = Self.initialisers[c.name] else { continue }
      let tensor = Tensor.full(c.values.shape, 7)
      withDefaultGenerator(Generator()) {
        if c.default_generator, let seed = c.seed { manualSeed(seed) }
        fill(tensor, c.default_generator ? nil : c.seed.map { Generator(seed: $0) })
      }
      #expect(tensor.shape == c.values.shape, "\(c.name)")
      #expect(tensor.toDoubles() == c.values.data, "\(c.name)")
    }
  }

  /// The mask for a seed, the 1 / (1 − p) scaling of what is kept and the gradient through
  /// both; p = 0 and p = 1 draw nothing (the next draw is the seed's first).
  @Test func dropoutMasksAndScalesAsPyTorchForASeed() {
    let stored = Self.initAndDropout.dropout
    #expect(stored.cases.map(\.name) == ["p0.5", "p0.2", "p0.9", "p0.3_float64", "p0", "p1"])
    for c in stored.cases {
      let dtype: DType = c.dtype == "float64" ? .float64 : .float32
      let x = stored.input.tensor(dtype).requiresGrad_()
      let (y, next) = withDefaultGenerator(Generator()) {
        manualSeed(c.seed)
        let y = dropout(x, p: c.p)
        return (y, Tensor.rand([1]).item())
      }
      y.backward(gradient: stored.grad_output.tensor(dtype))
      #expect(y.dtype == dtype, "\(c.name)")
      #expect(y.toDoubles() == c.output.data, "\(c.name) output")
      #expect(x.grad?.toDoubles() == c.grad.data, "\(c.name) gradient")
      #expect(next == c.next_rand, "\(c.name): the draw after dropout")
      // Each element is dropped or scaled by 1 / (1 − p), computed in the tensor's dtype.
      let scale = dtype == .float32 ? Double(Float(1) / Float(1 - c.p)) : 1 / (1 - c.p)
      let kept = zip(y.toDoubles(), stored.input.tensor(dtype).toDoubles()).filter { $0.0 != 0 }
      #expect(
        kept.allSatisfy {
          $0.0 == (dtype == .float32 ? Double(Float($0.1 * scale)) : $0.1 * scale)
        },
        "\(c.name): kept values scaled by 1 / (1 - p)")
      if c.p == 0 { #expect(y.toDoubles() == x.toDoubles()) }
      if c.p == 1 { #expect(kept.isEmpty) }
    }
  }

  @Test func dropoutModuleDrawsLikeTheFunctionAndStopsInEvaluation() {
    let stored = Self.initAndDropout.dropout
    let layer = Dropout(p: 0.25)
    let x = stored.input.tensor
    let y = withDefaultGenerator(Generator()) {
      manualSeed(6)
      return layer(x)
    }
    #expect(y.toDoubles() == stored.module.data)
    layer.eval()
    #expect(layer(x) === x)
  }
}
