import Foundation
import Testing

@testable import Descent

// Decoding of Tests/Fixtures/optim.json (made by make_optim_fixtures.py, which documents the
// layout), and the construction of Descent's optimizers and schedulers from PyTorch's keyword
// arguments.

/// A JSON value of a case's `kwargs` or `final_state`.
enum OptimJSON: Decodable, Sendable, Equatable {
  case number(Double)
  case bool(Bool)
  case string(String)
  case array([OptimJSON])
  case object([String: OptimJSON])
  case null

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([OptimJSON].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: OptimJSON].self))
    }
  }

  var double: Double? { if case .number(let d) = self { return d } else { return nil } }
  var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
  var string: String? { if case .string(let s) = self { return s } else { return nil } }
  var doubles: [Double]? {
    if case .array(let items) = self { return items.compactMap(\.double) } else { return nil }
  }
}

typealias OptimKwargs = [String: OptimJSON]

extension Dictionary where Key == String, Value == OptimJSON {
  func double(_ key: String) -> Double? { self[key]?.double }
  func bool(_ key: String) -> Bool? { self[key]?.bool }
  func int(_ key: String) -> Int? { self[key]?.double.map { Int($0) } }
  func betas(_ key: String = "betas") -> (Double, Double)? {
    guard let pair = self[key]?.doubles, pair.count == 2 else { return nil }
    return (pair[0], pair[1])
  }
}

struct OptimStep: Decodable, Sendable {
  /// Per parameter: the gradient fed to the step, or nil when the step skipped it.
  let grads: [[Double]?]?
  /// Per parameter: its values after the step.
  let params: [[Double]]
}

/// One optimizer trajectory (or end-to-end run) recorded from PyTorch.
struct OptimCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let optimizer: String
  let dtype: String
  let kwargs: OptimKwargs
  /// Options of the group of W and of the group of b, or nil for one group.
  let groups: [OptimKwargs]?
  let steps: [OptimStep]
  let final_state: [String: OptimKwargs]?
  let state_keys: [String: [String]]?
  let losses: [Double]?

  var testDescription: String { name }
  var descentDType: DType { dtype == "float32" ? .float32 : .float64 }
}

struct SchedulerCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let scheduler: String
  let kwargs: OptimKwargs
  let metrics: [Double]?
  let lrs: [[Double]]
  var testDescription: String { name }
}

struct ClipCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let kind: String
  let dtype: String
  let max_norm: Double?
  let norm_type: OptimJSON?
  let clip_value: Double?
  let shapes: [[Int]]
  let grads: [[Double]]
  let total_norm: Double?
  let clipped: [[Double]]
  var testDescription: String { name }
  var descentDType: DType { dtype == "float32" ? .float32 : .float64 }
}

struct OptimProblem: Decodable, Sendable {
  let X: [Double]
  let Y: [Double]
  let W: [Double]
  let b: [Double]
}

struct OptimFixtureFile: Decodable, Sendable {
  let torch_version: String
  let steps: Int
  let problem: OptimProblem
  let optimizers: [OptimCase]
  let end_to_end: [OptimCase]
  let schedulers: [SchedulerCase]
  let clip: [ClipCase]

  static let url = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/optim.json")

  /// Loaded once; a broken file fails `fixtureLoads` rather than crashing test discovery.
  static let loaded: Result<OptimFixtureFile, any Error> = Result {
    try JSONDecoder().decode(OptimFixtureFile.self, from: Data(contentsOf: url))
  }
  static var file: OptimFixtureFile? { try? loaded.get() }
}

// MARK: - Building from PyTorch's arguments

/// A tensor of `dtype` holding `values` (float32 values are exact in the file).
func fixtureTensor(_ values: [Double], shape: [Int], dtype: DType, requiresGrad: Bool = false)
  -> Tensor
{
  dtype == .float32
    ? Tensor(shape: shape, scalars: values.map { Float($0) }, requiresGrad: requiresGrad)
    : Tensor(shape: shape, scalars: values, requiresGrad: requiresGrad)
}

/// The problem's parameters W [3, 2] and b [2], as fresh leaves.
func fixtureParameters(_ problem: OptimProblem, dtype: DType) -> [Tensor] {
  [
    fixtureTensor(problem.W, shape: [3, 2], dtype: dtype, requiresGrad: true),
    fixtureTensor(problem.b, shape: [2], dtype: dtype, requiresGrad: true),
  ]
}

/// A parameter group from PyTorch's per-group options.
func fixtureGroup(_ params: [Tensor], _ options: OptimKwargs) -> ParamGroup {
  ParamGroup(
    params, lr: options.double("lr"), momentum: options.double("momentum"),
    dampening: options.double("dampening"), weightDecay: options.double("weight_decay"),
    nesterov: options.bool("nesterov"), maximize: options.bool("maximize"),
    betas: options.betas(), eps: options.double("eps"), amsgrad: options.bool("amsgrad"),
    lrDecay: options.double("lr_decay"),
    initialAccumulatorValue: options.double("initial_accumulator_value"),
    alpha: options.double("alpha"), centered: options.bool("centered"))
}

/// The optimizer a case names, with PyTorch's keyword arguments and Descent's defaults for
/// the rest (which equal PyTorch's).
func makeOptimizer(_ name: String, _ groups: [ParamGroup], _ kw: OptimKwargs) -> Optimizer {
  switch name {
  case "SGD":
    return SGD(
      groups, lr: kw.double("lr") ?? 1e-3, momentum: kw.double("momentum") ?? 0,
      dampening: kw.double("dampening") ?? 0, weightDecay: kw.double("weight_decay") ?? 0,
      nesterov: kw.bool("nesterov") ?? false, maximize: kw.bool("maximize") ?? false)
  case "Adam":
    return Adam(
      groups, lr: kw.double("lr") ?? 1e-3, betas: kw.betas() ?? (0.9, 0.999),
      eps: kw.double("eps") ?? 1e-8, weightDecay: kw.double("weight_decay") ?? 0,
      amsgrad: kw.bool("amsgrad") ?? false, maximize: kw.bool("maximize") ?? false)
  case "AdamW":
    return AdamW(
      groups, lr: kw.double("lr") ?? 1e-3, betas: kw.betas() ?? (0.9, 0.999),
      eps: kw.double("eps") ?? 1e-8, weightDecay: kw.double("weight_decay") ?? 1e-2,
      amsgrad: kw.bool("amsgrad") ?? false, maximize: kw.bool("maximize") ?? false)
  case "Adagrad":
    return Adagrad(
      groups, lr: kw.double("lr") ?? 1e-2, lrDecay: kw.double("lr_decay") ?? 0,
      weightDecay: kw.double("weight_decay") ?? 0,
      initialAccumulatorValue: kw.double("initial_accumulator_value") ?? 0,
      eps: kw.double("eps") ?? 1e-10, maximize: kw.bool("maximize") ?? false)
  case "RMSprop":
    return RMSprop(
      groups, lr: kw.double("lr") ?? 1e-2, alpha: kw.double("alpha") ?? 0.99,
      eps: kw.double("eps") ?? 1e-8, weightDecay: kw.double("weight_decay") ?? 0,
      momentum: kw.double("momentum") ?? 0, centered: kw.bool("centered") ?? false,
      maximize: kw.bool("maximize") ?? false)
  default:
    fatalError("unknown optimizer \(name)")
  }
}

/// The case's optimizer over `params` (one group, or one group per parameter).
func makeOptimizer(_ c: OptimCase, _ params: [Tensor]) -> Optimizer {
  let groups =
    c.groups.map { options in zip(params, options).map { fixtureGroup([$0], $1) } }
    ?? [ParamGroup(params)]
  return makeOptimizer(c.optimizer, groups, c.kwargs)
}

/// Sets each parameter's gradient to step `index`'s recorded one (nil where PyTorch's was).
func feedGradients(_ step: OptimStep, _ params: [Tensor], dtype: DType) {
  for (p, grad) in zip(params, step.grads ?? []) {
    p.grad = grad.map { fixtureTensor($0, shape: p.shape, dtype: dtype) }
  }
}

/// Where `actual` differs from `expected` beyond the dtype's tolerance (float32: 1e-5
/// relative + 1e-7 absolute; float64: 1e-9 relative + 1e-12 absolute).
func optimMismatches(_ actual: [Double], _ expected: [Double], dtype: DType, _ what: String)
  -> [String]
{
  guard actual.count == expected.count else {
    return ["\(what): \(actual.count) values, expected \(expected.count)"]
  }
  let (rel, abs) = dtype == .float32 ? (1e-5, 1e-7) : (1e-9, 1e-12)
  var problems: [String] = []
  for (i, (a, e)) in zip(actual, expected).enumerated()
  where !(Swift.abs(a - e) <= abs + rel * Swift.abs(e)) {
    problems.append("\(what)[\(i)]: \(a), PyTorch \(e)")
  }
  return problems
}

/// A scheduler from PyTorch's keyword arguments.
enum SchedulerUnderTest {
  case epoch(LRScheduler)
  case plateau(ReduceLROnPlateau)

  func getLastLr() -> [Double] {
    switch self {
    case .epoch(let s): return s.getLastLr()
    case .plateau(let s): return s.getLastLr()
    }
  }

  func step(metric: Double?) {
    switch self {
    case .epoch(let s): s.step()
    case .plateau(let s): s.step(metric!)
    }
  }
}

func makeScheduler(_ c: SchedulerCase, _ optimizer: Optimizer) -> SchedulerUnderTest {
  let kw = c.kwargs
  switch c.scheduler {
  case "StepLR":
    return .epoch(
      StepLR(optimizer, stepSize: kw.int("step_size")!, gamma: kw.double("gamma") ?? 0.1))
  case "MultiStepLR":
    let milestones = kw["milestones"]!.doubles!.map { Int($0) }
    return .epoch(MultiStepLR(optimizer, milestones: milestones, gamma: kw.double("gamma") ?? 0.1))
  case "ExponentialLR":
    return .epoch(ExponentialLR(optimizer, gamma: kw.double("gamma")!))
  case "CosineAnnealingLR":
    return .epoch(
      CosineAnnealingLR(optimizer, tMax: kw.int("T_max")!, etaMin: kw.double("eta_min") ?? 0))
  case "LinearLR":
    return .epoch(
      LinearLR(
        optimizer, startFactor: kw.double("start_factor") ?? 1.0 / 3,
        endFactor: kw.double("end_factor") ?? 1, totalIters: kw.int("total_iters") ?? 5))
  case "LambdaLR":
    switch kw["lr_lambda"]?.string {
    case "pow0.95": return .epoch(LambdaLR(optimizer) { pow(0.95, Double($0)) })
    case "inverse": return .epoch(LambdaLR(optimizer) { 1.0 / Double($0 + 1) })
    default: fatalError("unknown lambda in \(c.name)")
    }
  case "ReduceLROnPlateau":
    return .plateau(
      ReduceLROnPlateau(
        optimizer, mode: kw["mode"]?.string == "max" ? .max : .min,
        factor: kw.double("factor") ?? 0.1, patience: kw.int("patience") ?? 10,
        threshold: kw.double("threshold") ?? 1e-4,
        thresholdMode: kw["threshold_mode"]?.string == "abs" ? .abs : .rel,
        cooldown: kw.int("cooldown") ?? 0, minLr: kw.double("min_lr") ?? 0,
        eps: kw.double("eps") ?? 1e-8))
  default:
    fatalError("unknown scheduler \(c.scheduler)")
  }
}

/// The SGD optimizer every scheduler case drives: two groups, lr 0.1 and 0.05.
func schedulerOptimizer() -> Optimizer {
  SGD(
    [
      ParamGroup([Tensor.zeros([2], requiresGrad: true)]),
      ParamGroup([Tensor.zeros([3], requiresGrad: true)], lr: 0.05),
    ], lr: 0.1)
}
