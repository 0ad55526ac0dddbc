import Foundation
import Testing

@testable import Descent

// Autograd beyond backward() against PyTorch: second derivatives, the custom-function tutorial,
// a WGAN-GP gradient penalty, torch.autograd.functional and CopySlices. Values come from
// Tests/Fixtures/make_autograd_fixtures.py (autograd.json).

/// Tests/Fixtures/autograd.json.
struct AutogradFixtures: Decodable, Sendable {
  struct SecondCase: Decodable, Sendable {
    let inputs: [OpFixtureTensor]
    let w: OpFixtureTensor
    let v: [OpFixtureTensor]
    let first: [OpFixtureTensor]
    let second: [OpFixtureTensor]
  }
  struct Legendre: Decodable, Sendable {
    let losses: [Double]
    let coefficients: OpFixtureTensor
  }
  struct WGANGP: Decodable, Sendable {
    let weights: [String: OpFixtureTensor]
    let real, fake, alpha, penalty, loss: OpFixtureTensor
    let grads: [String: OpFixtureTensor]
  }
  struct Functional: Decodable, Sendable {
    let x, u, w, jacobian, hessian, vjp, jvp, hvp: OpFixtureTensor
  }
  struct CopySlices: Decodable, Sendable {
    let y: OpFixtureTensor
    let x_grad: OpFixtureTensor
    let z_grad: OpFixtureTensor
  }

  let second: [String: SecondCase]
  let legendre: Legendre
  let wgan_gp: WGANGP
  let functional: Functional
  let copy_slices: CopySlices

  static let loaded: Result<AutogradFixtures, any Error> = Result {
    try JSONDecoder().decode(
      AutogradFixtures.self, from: Data(contentsOf: OpFixtureFile.url(named: "autograd.json")))
  }
}

/// The function each second-derivative case applies, spelled as Descent spells it.
let secondDerivativeFunctions: [String: @Sendable ([Tensor]) -> Tensor] = [
  "exp": { $0[0].exp() }, "log": { $0[0].log() }, "sqrt": { $0[0].sqrt() },
  "sin": { $0[0].sin() }, "cos": { $0[0].cos() }, "tanh": { $0[0].tanh() },
  "sigmoid": { $0[0].sigmoid() }, "pow3": { $0[0].pow(3) }, "powHalf": { $0[0].pow(0.5) },
  "gelu": { $0[0].gelu() }, "geluTanh": { $0[0].gelu(approximateTanh: true) },
  "elu": { $0[0].elu(alpha: 1.5) }, "reciprocalScalar": { 2 / $0[0] },
  "mul": { $0[0] * $0[1] }, "div": { $0[0] / $0[1] }, "pow": { $0[0] ** $0[1] },
  "sumSquares": { ($0[0] * $0[0]).sum() }, "meanExp": { $0[0].exp().mean() },
  "var": { $0[0].var(dim: 1) }, "std": { $0[0].std(dim: 0) },
  "logsumexp": { $0[0].logsumexp(dim: 1) }, "softmax": { $0[0].softmax(dim: 1) },
  "logSoftmax": { $0[0].logSoftmax(dim: 0) }, "norm": { $0[0].norm(p: 2, dim: 1) },
  "prod": { $0[0].prod(dim: 1) }, "mm": { $0[0].matmul($0[1]) ** 2 },
  "linear": { linear($0[0], $0[1], $0[2]).tanh() },
  "mse": { mseLoss($0[0].tanh(), $0[1]) },
  "huber": { huberLoss($0[0] * $0[0], $0[1], delta: 0.7) },
  "smoothL1": { smoothL1Loss($0[0] * $0[0], $0[1], beta: 0.6) },
  "bce": { binaryCrossEntropy($0[0], $0[1].sigmoid()) },
  "bceWithLogits": { binaryCrossEntropyWithLogits($0[0], $0[1].sigmoid()) },
  "crossEntropy": { crossEntropy($0[0], $0[1]) },
  "crossEntropyProbabilities": { crossEntropy($0[0], $0[1].softmax(dim: 1)) },
  "layerNorm": { layerNorm($0[0], normalizedShape: [4]) },
]

@Suite struct AutogradFixtureTests {
  static let fixtures = try? AutogradFixtures.loaded.get()

  @Test func fixtureLoadsWithEveryCaseSpelled() throws {
    let fixtures = try AutogradFixtures.loaded.get()
    #expect(Set(fixtures.second.keys) == Set(secondDerivativeFunctions.keys))
  }

  @Test(arguments: secondDerivativeFunctions.keys.sorted())
  func secondDerivativesMatchPyTorch(_ name: String) throws {
    let c = try #require(try AutogradFixtures.loaded.get().second[name])
    let function = try #require(secondDerivativeFunctions[name])
    let inputs = c.inputs.map { fixture in
      let t = fixture.makeTensor()
      return t.dtype.isFloatingPoint ? t.requiresGrad_() : t
    }
    let floats = inputs.filter { $0.dtype.isFloatingPoint }
    let output = function(inputs)
    let first = grad(output, floats, gradOutputs: c.w.makeTensor(), createGraph: true)
    var direction = Tensor(0.0, dtype: .float64)
    for (index, gradient) in first.enumerated() {
      let gradient = try #require(gradient)
      #expect(opFixtureMismatches(gradient, c.first[index], "first[\(index)]").isEmpty)
      direction = direction + (gradient * c.v[index].makeTensor()).sum()
    }
    let second = grad(direction, floats, allowUnused: true)
    for (index, gradient) in second.enumerated() {
      let value = gradient ?? Tensor.zeros(floats[index].shape, dtype: .float64)
      let problems = opFixtureMismatches(value, c.second[index], "second[\(index)]")
      #expect(problems.isEmpty, "\(name): \(problems)")
    }
  }

  /// The tutorial's custom function, written as the issue spells it.
  enum LegendrePolynomial3: Function {
    static func forward(_ ctx: FunctionContext, _ input: Tensor) -> Tensor {
      ctx.saveForBackward(input)
      return 0.5 * (5 * input ** 3 - 3 * input)
    }
    static func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) -> Tensor {
      let input = ctx.savedTensors[0]
      return gradOutput * 1.5 * (5 * input ** 2 - 1)
    }
  }

  @Test func legendreTutorialPrintsPyTorchsLosses() throws {
    let expected = try AutogradFixtures.loaded.get().legendre
    let x = Tensor.linspace(-Double.pi, Double.pi, count: 2000)
    let y = x.sin()
    let coefficients = [0.0, -1.0, 0.0, 0.3].map { Tensor($0, requiresGrad: true) }
    let (a, b, c, d) = (coefficients[0], coefficients[1], coefficients[2], coefficients[3])
    let lr = 5e-6
    var losses: [Double] = []
    for t in 0..<2000 {
      let yPred = a + b * LegendrePolynomial3.apply(c + d * x)
      let loss = (yPred - y).pow(2).sum()
      if t % 100 == 99 { losses.append(loss.item()) }
      loss.backward()
      noGrad {
        for p in coefficients {
          p -= lr * p.grad!
          p.grad = nil
        }
      }
    }
    // float32 sums over 2000 terms, 2000 times: agreement to 1e-5 relative says the same
    // arithmetic ran (a different gradient would differ in the first digits).
    for (got, want) in zip(losses, expected.losses) {
      #expect(Swift.abs(got - want) <= 1e-5 * Swift.abs(want), "loss \(got) vs \(want)")
    }
    #expect(losses.count == expected.losses.count)
    let final = Tensor.stack(coefficients).detach()
    #expect(opFixtureMismatches(final, expected.coefficients, "a, b, c, d").isEmpty)
  }

  @Test func wganGradientPenaltyGivesPyTorchsParameterGradients() throws {
    let f = try AutogradFixtures.loaded.get().wgan_gp
    let critic = Sequential(Linear(4, 8), Tanh(), Linear(8, 8), Tanh(), Linear(8, 1))
    try critic.loadStateDict(StateDict(f.weights.map { ($0.key, $0.value.makeTensor()) }))
    let (real, fake, alpha) = (f.real.makeTensor(), f.fake.makeTensor(), f.alpha.makeTensor())
    let mixed = (alpha * real + (1 - alpha) * fake).requiresGrad_()
    let score = critic(mixed)
    let gradient = try #require(
      grad(score, [mixed], gradOutputs: Tensor.onesLike(score), createGraph: true)[0])
    let penalty = ((gradient.norm(p: 2, dim: 1) - 1) ** 2).mean()
    let loss = critic(fake).mean() - critic(real).mean() + 10 * penalty
    loss.backward()
    #expect(opFixtureMismatches(penalty, f.penalty, "penalty").isEmpty)
    #expect(opFixtureMismatches(loss, f.loss, "loss").isEmpty)
    for (name, parameter) in critic.namedParameters() {
      let want = try #require(f.grads[name])
      let got = try #require(parameter.grad, "\(name) has no gradient")
      let problems = opFixtureMismatches(got, want, name)
      #expect(problems.isEmpty, "\(problems)")
    }
  }
}
