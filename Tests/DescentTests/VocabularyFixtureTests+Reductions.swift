@testable import Descent

extension VocabularyFixtureTests {
  /// The reductions and selections of vocabulary.json (norms, products, amax/amin, all/any,
  /// sorting); nil for an op of another group.
  static func runReductions(_ c: OpFixtureCase, _ x: [Tensor]) throws -> (
    output: Tensor, indices: Tensor?
  )? {
    let a = x[0]
    let keepDim = try c.bool("keepdim")
    switch c.op {
    case "norm":
      let order: NormOrder
      switch c.args["p"] {
      case .string("fro")?: order = .fro
      default: order = NormOrder(try c.number("p").value)
      }
      return (a.norm(p: order, dims: try c.ints("dims"), keepDim: keepDim), nil)
    case "prod":
      return (c.has("dim") ? a.prod(dim: try c.int("dim"), keepDim: keepDim) : a.prod(), nil)
    case "amax": return (a.amax(dims: try c.ints("dims"), keepDim: keepDim), nil)
    case "amin": return (a.amin(dims: try c.ints("dims"), keepDim: keepDim), nil)
    case "all": return (a.all(dims: try c.ints("dims"), keepDim: keepDim), nil)
    case "any": return (a.any(dims: try c.ints("dims"), keepDim: keepDim), nil)
    case "sort":
      let r = a.sort(dim: try c.int("dim"), descending: try c.bool("descending"))
      return (r.values, r.indices)
    case "argsort":
      return (a.argsort(dim: try c.int("dim"), descending: try c.bool("descending")), nil)
    case "topk":
      let r = a.topk(try c.int("k"), dim: try c.int("dim"), largest: try c.bool("largest"))
      return (r.values, r.indices)
    case "kthvalue":
      let r = a.kthvalue(try c.int("k"), dim: try c.int("dim"), keepDim: keepDim)
      return (r.values, r.indices)
    case "median":
      guard c.has("dim") else { return (a.median(), nil) }
      let r = a.median(dim: try c.int("dim"), keepDim: keepDim)
      return (r.values, r.indices)
    default: return nil
    }
  }

  /// The indexing ops of vocabulary.json (scatter and index adds, unfold, diagonal, einsum);
  /// nil for an op of another group.
  static func runIndexing(_ c: OpFixtureCase, _ x: [Tensor]) throws -> (
    output: Tensor, indices: Tensor?
  )? {
    let a = x[0]
    func input(_ i: Int) throws -> Tensor {
      guard i < x.count else { throw OpFixtureError("\(c.op) needs input \(i)") }
      return x[i]
    }
    switch c.op {
    case "scatter_add": return (a.scatterAdd(try c.int("dim"), try input(1), try input(2)), nil)
    case "index_add":
      let alpha = try c.number("alpha").value
      return (a.indexAdd(try c.int("dim"), try input(1), try input(2), alpha: alpha), nil)
    case "unfold":
      let (dimension, size, step) = (try c.int("dimension"), try c.int("size"), try c.int("step"))
      return (a.unfold(dimension: dimension, size: size, step: step), nil)
    case "diagonal":
      let (offset, dim1, dim2) = (try c.int("offset"), try c.int("dim1"), try c.int("dim2"))
      return (a.diagonal(offset: offset, dim1: dim1, dim2: dim2), nil)
    case "einsum": return (einsum(try c.string("equation"), x), nil)
    default: return nil
    }
  }
}
