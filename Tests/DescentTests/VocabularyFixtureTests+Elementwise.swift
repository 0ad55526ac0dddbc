@testable import Descent

extension VocabularyFixtureTests {
  /// The elementwise ops of vocabulary.json (rounding, remainders, special functions, smooth
  /// activations, float classification); nil for an op of another group.
  static func runElementwise(_ c: OpFixtureCase, _ x: [Tensor]) throws -> (
    output: Tensor, indices: Tensor?
  )? {
    let a = x[0]
    func other() throws -> Tensor {
      guard x.count > 1 else { throw OpFixtureError("\(c.op) needs a second input") }
      return x[1]
    }
    let output: Tensor
    switch c.op {
    case "floor": output = a.floor()
    case "ceil": output = a.ceil()
    case "round": output = a.round(decimals: try c.int("decimals", default: 0))
    case "trunc": output = a.trunc()
    case "remainder": output = a % (try other())
    case "fmod": output = a.fmod(try other())
    case "remainder_scalar": output = a % (try c.number("scalar").value)
    case "fmod_scalar": output = a.fmod(try c.number("scalar").value)
    case "rremainder_scalar": output = (try c.number("scalar").value) % a
    case "log1p": output = a.log1p()
    case "expm1": output = a.expm1()
    case "erf": output = a.erf()
    case "rsqrt": output = a.rsqrt()
    case "reciprocal": output = a.reciprocal()
    case "silu": output = silu(a)
    case "mish": output = mish(a)
    case "logsigmoid": output = logsigmoid(a)
    case "softplus":
      let (beta, threshold) = (try c.number("beta").value, try c.number("threshold").value)
      output = softplus(a, beta: beta, threshold: threshold)
    case "hardtanh":
      let (lower, upper) = (try c.number("min_val").value, try c.number("max_val").value)
      output = hardtanh(a, minVal: lower, maxVal: upper)
    case "smooth_all":
      output = Tensor.stack([silu(a), mish(a), logsigmoid(a), softplus(a)])
    case "isnan": output = a.isnan()
    case "isinf": output = a.isinf()
    case "isfinite": output = a.isfinite()
    case "isposinf": output = a.isposinf()
    case "isneginf": output = a.isneginf()
    case "nan_to_num":
      output = a.nanToNum(
        nan: try c.optionalNumber("nan") ?? 0, posinf: try c.optionalNumber("posinf"),
        neginf: try c.optionalNumber("neginf"))
    case "isclose":
      output = a.isclose(
        try other(), rtol: try c.optionalNumber("rtol") ?? 1e-5,
        atol: try c.optionalNumber("atol") ?? 1e-8, equalNan: try c.bool("equal_nan"))
    default: return nil
    }
    return (output, nil)
  }
}
