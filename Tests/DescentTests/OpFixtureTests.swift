import Foundation
import Testing

@testable import Descent

/// Every case of Tests/Fixtures/ops.json (PyTorch's forward values and gradients, made by
/// make_op_fixtures.py) run through Descent's public API: output dtype, shape and values, the
/// indices of `max`/`min` along a dimension, and each input's gradient after
/// `backward(gradient:)` with the recorded upstream gradient.
@Suite("Ops match PyTorch's forward values and gradients")
struct OpFixtureTests {
  static let cases: [OpFixtureCase] = (try? OpFixtureFile.loaded.get().cases) ?? []

  @Test func fixtureLoads() throws {
    let file = try OpFixtureFile.loaded.get()
    #expect(file.cases.count >= 300)
    #expect(Set(file.cases.map(\.name)).count == file.cases.count, "case names must be unique")
    for c in file.cases where c.grads.count != c.inputs.count {
      Issue.record("\(c.name): \(c.grads.count) grads for \(c.inputs.count) inputs")
    }
    // The int-versus-float labels survived decoding (they decide type promotion).
    let byName = Dictionary(uniqueKeysWithValues: file.cases.map { ($0.name, $0) })
    #expect(byName["add_scalar_promote_i64_s2"]?.args["scalar"] == .int(2))
    #expect(byName["mul_scalar_f32_3x4_s3p0"]?.args["scalar"] == .float(3))
    #expect(byName["sum_f32_2x3x4_dim1_keep"]?.args["keepdim"] == .bool(true))
  }

  @Test(arguments: cases)
  func matchesPyTorch(_ c: OpFixtureCase) {
    for problem in check(c) { Issue.record("\(c.name) (\(c.op)): \(problem)") }
  }

  @Test func zeroDimOperandsPromoteOnlyAcrossCategories() {
    let x = Tensor(shape: [3], scalars: [Float(0.1), 0.2, 0.3])
    let y = Tensor(0.1, dtype: .float64)
    // Compared in float32, where 0.1 rounds to the same value.
    #expect(x.gt(y).toArray(as: Bool.self) == [false, true, true])
    #expect((x + y).dtype == .float32 && x.pow(y).dtype == .float32)
    #expect(Tensor.where(Tensor([true, false, true]), x, y).dtype == .float32)
    #expect((Tensor(integers: [1, 2]) + y).dtype == .float64)
    #expect((Tensor([true]) + Tensor(2, dtype: .int64)).dtype == .int64)
    #expect((Tensor(1, dtype: .float32) + y).dtype == .float64)
  }

  /// Runs one case; returns what differed from PyTorch, empty when everything agrees.
  func check(_ c: OpFixtureCase) -> [String] { opFixtureProblems(c, run) }

  /// How many inputs each op takes; `cat` and `stack` take any number.
  static let arity: [String: Int] = {
    var table: [String: Int] = ["cat": -1, "stack": -1, "where": 3]
    let unary = [
      "add_scalar", "sub_scalar", "rsub_scalar", "mul_scalar", "div_scalar", "rdiv_scalar",
      "pow_scalar", "gt_scalar", "neg", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh",
      "sigmoid", "relu", "square", "clamp", "sum", "mean", "max", "min", "argmax", "argmin",
      "var", "std", "logsumexp", "softmax", "log_softmax", "reshape", "expand", "transpose",
      "permute", "unsqueeze", "squeeze", "flatten", "t", "split", "chunk", "select", "slice",
      "index_int", "to", "hardtanh", "add_inplace_scalar", "mul_inplace_scalar",
    ]
    let binary = [
      "add", "sub", "mul", "div", "maximum", "minimum", "pow", "matmul", "index_select",
      "gather", "masked_select", "eq", "ne", "lt", "le", "gt", "ge", "add_inplace", "sub_inplace",
      "mul_inplace", "div_inplace",
    ]
    for op in unary { table[op] = 1 }
    for op in binary { table[op] = 2 }
    return table
  }()

  /// The op of case `c` applied to `x` through Descent's public API.
  func run(_ c: OpFixtureCase, _ x: [Tensor]) throws -> (output: Tensor, indices: Tensor?) {
    guard let arity = Self.arity[c.op] else {
      throw OpFixtureError("unknown op '\(c.op)': teach OpFixtureTests.run(_:_:) how to call it")
    }
    guard arity == -1 ? !x.isEmpty : x.count == arity else {
      throw OpFixtureError("\(c.op) takes \(arity) inputs, the case has \(x.count)")
    }
    let a = x[0]
    let b = x.count > 1 ? x[1] : a
    /// A Python number as the Double Descent takes. Descent decides int-versus-float from the
    /// value, so a whole float (`2.0`) on an integral tensor cannot be expressed; say so.
    func scalar() throws -> Double {
      let (value, isFloat) = try c.number("scalar")
      if isFloat && value.rounded() == value && !a.dtype.isFloatingPoint {
        throw OpFixtureError(
          "scalar \(value) is a Python float on a \(a.dtype) tensor; Descent's Double scalars "
            + "treat whole values as integers, so this promotion cannot be expressed")
      }
      return value
    }
    let dim = c.has("dim") ? try c.int("dim") : nil
    let keepDim = try c.bool("keepdim")
    func requiredDim() throws -> Int { try c.int("dim") }

    switch c.op {
    // Binary, broadcasting.
    case "add": return (a + b, nil)
    case "sub": return (a - b, nil)
    case "mul": return (a * b, nil)
    case "div": return (a / b, nil)
    case "maximum": return (a.maximum(b), nil)
    case "minimum": return (a.minimum(b), nil)
    case "pow": return (a.pow(b), nil)

    // Tensor and Python number.
    case "add_scalar": return (a + (try scalar()), nil)
    case "sub_scalar": return (a - (try scalar()), nil)
    case "rsub_scalar": return ((try scalar()) - a, nil)
    case "mul_scalar": return (a * (try scalar()), nil)
    case "div_scalar": return (a / (try scalar()), nil)
    case "rdiv_scalar": return ((try scalar()) / a, nil)
    case "pow_scalar": return (a ** (try scalar()), nil)
    case "gt_scalar": return (a.gt(try scalar()), nil)

    // Elementwise.
    case "neg": return (-a, nil)
    case "exp": return (a.exp(), nil)
    case "log": return (a.log(), nil)
    case "sqrt": return (a.sqrt(), nil)
    case "abs": return (a.abs(), nil)
    case "sin": return (a.sin(), nil)
    case "cos": return (a.cos(), nil)
    case "tanh": return (a.tanh(), nil)
    case "sigmoid": return (a.sigmoid(), nil)
    case "relu": return (a.relu(), nil)
    case "square": return (a.square(), nil)
    case "clamp":
      let (lower, upper) = (try c.optionalNumber("min"), try c.optionalNumber("max"))
      return (a.clamp(min: lower, max: upper), nil)
    // F.hardtanh(x, min_val, max_val) is clamp with both bounds; PyTorch 2.15's clamp has
    // its gradient at the bounds (make_op_fixtures.py says why the case uses hardtanh).
    case "hardtanh":
      let (lower, upper) = (try c.optionalNumber("min_val"), try c.optionalNumber("max_val"))
      return (a.clamp(min: lower, max: upper), nil)

    // In place on a copy: `t += b`, `t -= b`, `t *= b`, `t /= b` (b broadcasts to t), and
    // with a number.
    case "add_inplace", "sub_inplace", "mul_inplace", "div_inplace":
      let t = a.clone()
      switch c.op {
      case "add_inplace": t += b
      case "sub_inplace": t -= b
      case "mul_inplace": t *= b
      default: t /= b
      }
      return (t, nil)
    case "add_inplace_scalar", "mul_inplace_scalar":
      let t = a.clone()
      if c.op == "add_inplace_scalar" { t += try scalar() } else { t *= try scalar() }
      return (t, nil)

    // Reductions: over everything without a `dim`.
    case "sum": return (dim.map { a.sum(dim: $0, keepDim: keepDim) } ?? a.sum(), nil)
    case "mean": return (dim.map { a.mean(dim: $0, keepDim: keepDim) } ?? a.mean(), nil)
    case "max", "min":
      let largest = c.op == "max"
      guard let dim else { return (largest ? a.max() : a.min(), nil) }
      let r = largest ? a.max(dim: dim, keepDim: keepDim) : a.min(dim: dim, keepDim: keepDim)
      return (r.values, r.indices)
    case "argmax": return (dim.map { a.argmax(dim: $0, keepDim: keepDim) } ?? a.argmax(), nil)
    case "argmin": return (dim.map { a.argmin(dim: $0, keepDim: keepDim) } ?? a.argmin(), nil)
    case "var", "std":
      let dims = dim.map { [$0] } ?? []
      let correction = try c.int("correction", default: 1)
      if c.op == "var" { return (a.var(dims: dims, correction: correction, keepDim: keepDim), nil) }
      return (a.std(dims: dims, correction: correction, keepDim: keepDim), nil)
    case "logsumexp": return (a.logsumexp(dim: try requiredDim(), keepDim: keepDim), nil)
    case "softmax": return (a.softmax(dim: try requiredDim()), nil)
    case "log_softmax": return (a.logSoftmax(dim: try requiredDim()), nil)

    case "matmul": return (a.matmul(b), nil)

    // Shapes and views.
    case "reshape": return (a.reshaped(try c.ints("shape")), nil)
    case "expand": return (a.expand(try c.ints("shape")), nil)
    case "transpose": return (a.transpose(try c.int("dim0"), try c.int("dim1")), nil)
    case "permute": return (a.permute(try c.ints("dims")), nil)
    case "unsqueeze": return (a.unsqueeze(try requiredDim()), nil)
    case "squeeze": return (dim.map { a.squeeze($0) } ?? a.squeeze(), nil)
    case "flatten": return (a.flatten(), nil)
    case "t": return (a.t(), nil)

    // Joining and splitting.
    case "cat": return (Tensor.cat(x, dim: try requiredDim()), nil)
    case "stack": return (Tensor.stack(x, dim: try requiredDim()), nil)
    case "split", "chunk":
      let combine = try c.string("combine")
      guard combine == "cat_weighted" else { throw OpFixtureError("unknown combine '\(combine)'") }
      let dim = try requiredDim()
      let pieces =
        c.op == "split"
        ? a.split(try c.int("split_size"), dim: dim) : a.chunk(try c.int("chunks"), dim: dim)
      // Piece i scaled by i + 1, so that each piece's gradient differs.
      let weighted = pieces.enumerated().map { $0.element * Double($0.offset + 1) }
      return (Tensor.cat(weighted, dim: dim), nil)

    // Indexing.
    case "index_select": return (a.indexSelect(try requiredDim(), b), nil)
    case "gather": return (a.gather(try requiredDim(), b), nil)
    case "select": return (a.select(try requiredDim(), try c.int("index")), nil)
    case "slice":
      let (start, end, step) = (try c.int("start"), try c.int("end"), try c.int("step"))
      return (a.slice(try requiredDim(), start: start, end: end, step: step), nil)
    case "masked_select": return (a.maskedSelect(b), nil)
    case "index_int": return (a[try c.int("index")], nil)

    // Comparisons and selection.
    case "eq": return (a.eq(b), nil)
    case "ne": return (a.ne(b), nil)
    case "lt": return (a.lt(b), nil)
    case "le": return (a.le(b), nil)
    case "gt": return (a.gt(b), nil)
    case "ge": return (a.ge(b), nil)
    case "where": return (Tensor.where(a, b, x[2]), nil)

    case "to":
      let name = try c.string("dtype")
      guard let dtype = DType.allCases.first(where: { "\($0)" == "torch.\(name)" }) else {
        throw OpFixtureError("unknown dtype '\(name)'")
      }
      return (a.to(dtype), nil)

    default:
      throw OpFixtureError("op '\(c.op)' has an arity but no call in OpFixtureTests.run(_:_:)")
    }
  }
}
