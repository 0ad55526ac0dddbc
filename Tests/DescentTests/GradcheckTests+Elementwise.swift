import Testing

@testable import Descent

// Finite-difference checks, in float64, of the elementwise vocabulary: rounding (zero
// gradients), remainders, log1p/expm1/erf/rsqrt/reciprocal, the smooth activations and
// nanToNum. Inputs stay away from jumps (whole quotients, rounding halves) and kinks (the
// bounds of hardtanh, softplus's threshold).

@Suite struct GradcheckElementwiseTests {
  /// Values whose fractions are near 0.25 or 0.75: no rounding tie or jump within eps.
  static let quarters = values([2, 3], [-2.25, -0.75, 0.25, 0.75, 1.25, 3.75])

  @Test func rounding() {
    for op in [{ (t: Tensor) in t.floor() }, { $0.ceil() }, { $0.round() }, { $0.trunc() }] {
      expectGradcheck([Self.quarters]) { op($0[0]) * 1 + $0[0] }
    }
    // The gradient is zero, not missing.
    let x = Self.quarters.requiresGrad_()
    x.round().sum().backward()
    #expect(x.grad?.toDoubles() == [0, 0, 0, 0, 0, 0])
  }

  @Test func remainders() {
    let a = values([2, 3], [5.3, -5.3, 2.2, -0.4, 7.9, -7.1])
    let b = values([3], [3, -2.5, 1.5])
    expectGradcheck([a, b]) { $0[0] % $0[1] }
    expectGradcheck([a, b]) { $0[0].fmod($0[1]) }
    expectGradcheck([a]) { $0[0] % 0.7 }
    expectGradcheck([a]) { $0[0].fmod(-2) }
    expectGradcheck([b]) { 5.3 % $0[0] }
  }

  @Test func remainderSignRules() {
    let a = Tensor(integers: [-7, 7, -7, 7])
    let b = Tensor(integers: [3, 3, -3, -3])
    #expect((a % b).toArray(as: Int64.self) == [2, 1, -1, -2])
    #expect(a.fmod(b).toArray(as: Int64.self) == [-1, 1, -1, 1])
    #expect((Tensor([-7.5, 7.5]) % 2).toFloats() == [0.5, 1.5])
    #expect(Tensor([-7.5, 7.5]).fmod(2).toFloats() == [-1.5, 1.5])
    // Float division by zero is NaN, not an error.
    let byZero = (Tensor([1, 2]) % 0).toFloats()
    #expect(byZero[0].isNaN && byZero[1].isNaN)
  }

  @Test func specialFunctions() {
    let x = normal([2, 3], seed: 300)
    let p = positive([2, 3], seed: 301)
    expectGradcheck([p]) { $0[0].log1p() }
    expectGradcheck([x]) { $0[0].expm1() }
    expectGradcheck([x]) { $0[0].erf() }
    expectGradcheck([p]) { $0[0].rsqrt() }
    expectGradcheck([x * 0.5 + 2]) { $0[0].reciprocal() }
  }

  @Test func smoothActivations() {
    let x = values([8], [-6.3, -2.2, -0.7, -0.1, 0.3, 1.9, 4.4, 25])
    expectGradcheck([x]) { $0[0].softplus() }
    expectGradcheck([x]) { $0[0].softplus(beta: 2, threshold: 3) }
    expectGradcheck([x]) { $0[0].silu() }
    expectGradcheck([x]) { $0[0].mish() }
    expectGradcheck([x]) { $0[0].logsigmoid() }
    expectGradcheck([x]) { $0[0].hardtanh() }
    expectGradcheck([x]) { $0[0].hardtanh(minVal: -2, maxVal: 3) }
    expectGradcheck([x]) { softplus($0[0]) + silu($0[0]) + mish($0[0]) + logsigmoid($0[0]) }
  }

  @Test func hardtanhGradientAtTheBounds() {
    let x = Tensor([-1, 1, 0.5, -2, .nan], requiresGrad: true)
    hardtanh(x).backward(gradient: Tensor.ones([5]))
    #expect(x.grad?.toFloats().map { $0.isNaN ? -1 : $0 } == [0, 0, 1, 0, 1])
  }

  @Test func layersCallTheirFunctions() {
    let x = normal([2, 3], seed: 302)
    #expect(
      Softplus(beta: 2, threshold: 5)(x).toDoubles()
        == x.softplus(beta: 2, threshold: 5).toDoubles())
    #expect(SiLU()(x).toDoubles() == x.silu().toDoubles())
    #expect(Mish()(x).toDoubles() == x.mish().toDoubles())
    #expect(
      Hardtanh(minVal: -0.5, maxVal: 0.5)(x).toDoubles()
        == x.hardtanh(minVal: -0.5, maxVal: 0.5).toDoubles())
    #expect(LogSigmoid()(x).toDoubles() == x.logsigmoid().toDoubles())
    let model = Sequential(Linear(3, 4), SiLU(), Linear(4, 1), Softplus())
    #expect(model(x.to(.float32)).shape == [2, 1])
  }

  @Test func nanToNum() {
    expectGradcheck([normal([2, 3], seed: 303)]) { $0[0].nanToNum() }
    let x = Tensor([.nan, .infinity, -.infinity, 1], requiresGrad: true)
    x.nanToNum().backward(gradient: Tensor.ones([4]))
    #expect(x.grad?.toFloats() == [0, 0, 0, 1])
    #expect(
      Tensor([.nan, .infinity, -.infinity], dtype: .float64).nanToNum().toDoubles() == [
        0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
      ])
  }

  @Test func closeness() {
    let a = Tensor([1, 2, 3])
    #expect(a.allclose(a + 1e-6))
    #expect(!a.allclose(a + 1e-3))
    #expect(a.allclose(a + 1e-3, rtol: 1e-3))
    #expect(!Tensor([.nan]).allclose(Tensor([.nan])))
    #expect(Tensor([.nan]).allclose(Tensor([.nan]), equalNan: true))
    #expect(Tensor([.infinity]).allclose(Tensor([.infinity])))
    #expect(!Tensor([1]).allclose(Tensor([.infinity])))
    #expect(Tensor.ones([2, 3]).allclose(Tensor.ones([3])))
  }
}
