import Testing

@testable import Descent

// An op whose backward has two forms (a differentiable formula of public ops, taken while a
// graph of the gradient is recorded, and a fused kernel otherwise) must give the same
// gradient either way, and the formula must itself have correct gradients (second
// derivatives by finite differences). Each check calls the recorded node's backward directly,
// with gradients on and off.

/// The gradients `out`'s node returns for the output gradient `g`, computed with a graph of
/// them recorded (`recordingGraph`) or not.
func nodeGradients(_ out: Tensor, _ g: Tensor, recordingGraph: Bool) -> [Tensor?] {
  guard let function = out.gradFn?.backwardFunction else { return [] }
  let run = { () -> [Tensor?] in
    switch function {
    case .one(let f): return [f(g)]
    case .two(let f):
      let (a, b) = f(g)
      return [a, b]
    case .many(let f): return f(g)
    case .multi(let f): return f([g])
    }
  }
  return recordingGraph ? enableGrad(run) : noGrad(run)
}

/// Expects both backward forms of the op `f` to agree at `inputs` (float64) within `tolerance`
/// and the differentiable form to pass gradcheck, with respect to the inputs and the output
/// gradient (unless `secondOrder` is false).
func expectBackwardFormsAgree(
  _ inputs: [Tensor], seed: UInt64, tolerance: Double = 1e-12, secondOrder: Bool = true,
  sourceLocation: SourceLocation = #_sourceLocation, _ f: @escaping ([Tensor]) -> Tensor
) {
  let leaves = inputs.map { input -> Tensor in
    input.dtype.isFloatingPoint ? input.detach().copyData().requiresGrad_() : input
  }
  let out = f(leaves)
  let g = normal(out.shape, seed: seed)
  let fused = nodeGradients(out, g, recordingGraph: false)
  let formula = nodeGradients(out, g, recordingGraph: true)
  #expect(fused.count == formula.count && !fused.isEmpty, sourceLocation: sourceLocation)
  for (index, (a, b)) in zip(fused, formula).enumerated() {
    guard let a, let b else {
      #expect(a == nil && b == nil, "input \(index)", sourceLocation: sourceLocation)
      continue
    }
    #expect(a.shape == b.shape, "input \(index)", sourceLocation: sourceLocation)
    let worst =
      zip(a.toDoubles(), b.toDoubles()).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }
      .max() ?? 0
    #expect(
      worst <= tolerance, "input \(index): forms differ by \(worst)", sourceLocation: sourceLocation
    )
  }
  // Second derivatives: the formula's gradients as a function of the inputs and of the
  // output gradient (the last input here). Not at a kink (a norm at 0), where they do not exist.
  guard secondOrder else { return }
  expectGradcheck(inputs + [g], sourceLocation: sourceLocation) { xs in
    let out = enableGrad { f(Array(xs.dropLast())) }
    let grads = nodeGradients(out, xs[xs.count - 1], recordingGraph: true)
    return Tensor.cat(grads.compactMap { $0?.reshaped([-1]) })
  }
}

@Suite struct BackwardFormTests {
  @Test func cumulative() {
    var scalars = normal([3, 4], seed: 200).toDoubles()
    scalars[5] = 0
    scalars[6] = 0
    let x = values([3, 4], scalars)
    expectBackwardFormsAgree([x], seed: 201) { $0[0].cumsum(dim: 1) }
    expectBackwardFormsAgree([x], seed: 202) { $0[0].cumprod(dim: 1) }
    expectBackwardFormsAgree([x], seed: 203) { $0[0].cumprod(dim: 0) }
    expectBackwardFormsAgree([normal([2, 3], seed: 204)], seed: 205) { $0[0].cumprod(dim: -1) }
  }

  @Test func specialFunctions() {
    let x = normal([2, 3], seed: 206)
    let p = positive([2, 3], seed: 207)
    expectBackwardFormsAgree([p], seed: 208) { $0[0].log1p() }
    expectBackwardFormsAgree([x], seed: 209) { $0[0].expm1() }
    expectBackwardFormsAgree([x], seed: 210) { $0[0].erf() }
    expectBackwardFormsAgree([p], seed: 211) { $0[0].rsqrt() }
    expectBackwardFormsAgree([p], seed: 212) { $0[0].reciprocal() }
  }

  @Test func smoothActivations() {
    let x = normal([3, 4], seed: 213) * 3
    expectBackwardFormsAgree([x], seed: 214) { $0[0].softplus() }
    expectBackwardFormsAgree([x], seed: 215) { $0[0].softplus(beta: 2, threshold: 1) }
    expectBackwardFormsAgree([x], seed: 216) { $0[0].silu() }
    expectBackwardFormsAgree([x], seed: 217) { $0[0].mish() }
    expectBackwardFormsAgree([x], seed: 218) { $0[0].logsigmoid() }
    expectBackwardFormsAgree([x], seed: 219) { $0[0].hardtanh(minVal: -1.7, maxVal: 2.3) }
  }
}

@Suite struct SelectionBackwardFormTests {
  @Test func norms() {
    let x = normal([2, 3], seed: 230)
    // A zero row: the forms agree on the subgradient 0 (no second derivative there).
    let zeroRow = values([2, 3], [0, 0, 0, 0.5, -1, 2])
    for p: NormOrder in [2, 1, 3, 1.5, 0.5, .infinity] {
      expectBackwardFormsAgree([x], seed: 231) { $0[0].norm(p: p, dim: 1) }
      expectBackwardFormsAgree([zeroRow], seed: 231, secondOrder: false) {
        $0[0].norm(p: p, dim: 1)
      }
    }
  }

  @Test func productsAndExtremes() {
    let zeros = values([2, 3], [2, 0, 3, 0.5, -1.5, 1.5])
    expectBackwardFormsAgree([zeros], seed: 232) { $0[0].prod(dim: 1) }
    expectBackwardFormsAgree([zeros], seed: 233) { $0[0].prod() }
    expectBackwardFormsAgree([normal([2, 3], seed: 234)], seed: 235) { $0[0].amax(dim: 0) }
    expectBackwardFormsAgree([normal([2, 3], seed: 236)], seed: 237) { $0[0].sort(dim: 1).values }
  }

  @Test func viewsAndIndexAdds() {
    expectBackwardFormsAgree([normal([2, 6], seed: 238)], seed: 239) {
      $0[0].unfold(dimension: 1, size: 3, step: 1)
    }
    expectBackwardFormsAgree([normal([3, 4], seed: 240)], seed: 241) { $0[0].diagonal(offset: 1) }
    let index = Tensor(integers: [2, 0, 2])
    expectBackwardFormsAgree([normal([3, 2], seed: 242), normal([3, 2], seed: 243)], seed: 244) {
      $0[0].indexAdd(0, index, $0[1], alpha: 0.5)
    }
    expectBackwardFormsAgree([normal([2, 3], seed: 245), normal([], seed: 246)], seed: 247) {
      $0[0].maskedFill(Tensor([true, false, true]), $0[1])
    }
  }
}
