import Foundation
import Testing

@testable import Descent

/// Every optimizer case of Tests/Fixtures/optim.json replayed through Descent: the same
/// gradients PyTorch's optimizer got, step by step, must give the same parameters (float32
/// within 1e-5 relative, float64 within 1e-9) and, at the end, the same state dict. The
/// end-to-end cases compute the gradients with Descent's own autograd; the clip cases check
/// `clipGradNorm_` and `clipGradValue_`.
@Suite("Optimizers match PyTorch's trajectories")
struct OptimizerTests {
  static let cases = OptimFixtureFile.file?.optimizers ?? []
  static let endToEndCases = OptimFixtureFile.file?.end_to_end ?? []
  static let clipCases = OptimFixtureFile.file?.clip ?? []

  @Test func fixtureLoads() throws {
    let file = try OptimFixtureFile.loaded.get()
    #expect(file.optimizers.count >= 50)
    #expect(file.end_to_end.count >= 4)
    #expect(file.schedulers.count >= 10)
    #expect(file.clip.count >= 10)
    #expect(Set(file.optimizers.map(\.name)).count == file.optimizers.count)
    for c in file.optimizers + file.end_to_end where c.steps.count != file.steps {
      Issue.record("\(c.name): \(c.steps.count) steps")
    }
    // Every optimizer, in both dtypes, with two groups somewhere.
    let kinds = Set(file.optimizers.map { "\($0.optimizer) \($0.dtype) \($0.groups != nil)" })
    #expect(kinds.count == 5 * 2 * 2, "\(kinds.sorted())")
  }

  @Test(arguments: cases)
  func trajectoryMatchesPyTorch(_ c: OptimCase) throws {
    let file = try OptimFixtureFile.loaded.get()
    let dtype = c.descentDType
    let params = fixtureParameters(file.problem, dtype: dtype)
    let optimizer = makeOptimizer(c, params)
    for (index, step) in c.steps.enumerated() {
      feedGradients(step, params, dtype: dtype)
      optimizer.step()
      for (k, (p, expected)) in zip(params, step.params).enumerated() {
        let problems = optimMismatches(
          p.toDoubles(), expected, dtype: dtype, "step \(index + 1), parameter \(k)")
        guard problems.isEmpty else {
          Issue.record("\(c.name): \(problems.prefix(4).joined(separator: "; "))")
          return
        }
      }
    }
    for p in params { #expect(p.isLeaf && p.requiresGrad && p.dtype == dtype) }
    checkFinalState(c, optimizer.stateDict(), dtype: dtype)
  }

  /// The state dict after the last step has PyTorch's ids, keys (in order) and values.
  func checkFinalState(_ c: OptimCase, _ saved: OptimizerStateDict, dtype: DType) {
    let expected = c.final_state ?? [:]
    let expectedKeys = c.state_keys ?? [:]
    #expect(
      Set(saved.state.keys) == Set(expected.keys.compactMap { Int($0) }),
      "\(c.name): state ids \(saved.state.keys.sorted())")
    for (id, values) in expected {
      guard let entry = saved.state[Int(id)!] else { continue }
      #expect(entry.keys == expectedKeys[id], "\(c.name): keys of \(id): \(entry.keys)")
      for (key, value) in values {
        guard let tensor = entry[key] else { continue }
        if key == "step" {
          #expect(tensor.shape == [] && tensor.dtype == .float32, "\(c.name): step tensor")
          #expect(tensor.item() == value.double, "\(c.name): step of \(id)")
        } else {
          #expect(tensor.dtype == dtype)
          let problems = optimMismatches(
            tensor.toDoubles(), value.doubles ?? [], dtype: dtype, "state \(id) \(key)")
          #expect(problems.isEmpty, "\(c.name): \(problems.prefix(4))")
        }
      }
    }
  }

  /// Descent's autograd computes the gradients; loss and parameters must follow PyTorch's.
  @Test(arguments: endToEndCases)
  func endToEndMatchesPyTorch(_ c: OptimCase) throws {
    let file = try OptimFixtureFile.loaded.get()
    let dtype = c.descentDType
    let x = fixtureTensor(file.problem.X, shape: [5, 3], dtype: dtype)
    let y = fixtureTensor(file.problem.Y, shape: [5, 2], dtype: dtype)
    let params = fixtureParameters(file.problem, dtype: dtype)
    let (w, b) = (params[0], params[1])
    let optimizer = makeOptimizer(c, params)
    for (index, step) in c.steps.enumerated() {
      optimizer.zeroGrad()
      let loss = ((x.matmul(w) + b - y) ** 2).mean() + 0.05 * (w ** 4).sum()
      loss.backward()
      var problems = optimMismatches(
        [loss.item()], [c.losses![index]], dtype: dtype, "loss at step \(index + 1)")
      optimizer.step()
      for (k, (p, expected)) in zip(params, step.params).enumerated() {
        problems += optimMismatches(
          p.toDoubles(), expected, dtype: dtype, "step \(index + 1), parameter \(k)")
      }
      guard problems.isEmpty else {
        Issue.record("\(c.name): \(problems.prefix(4).joined(separator: "; "))")
        return
      }
    }
  }

  @Test(arguments: clipCases)
  func clippingMatchesPyTorch(_ c: ClipCase) {
    let dtype = c.descentDType
    let params = c.shapes.map { Tensor.zeros($0, dtype: dtype, requiresGrad: true) }
    for (p, grad) in zip(params, c.grads) {
      p.grad = fixtureTensor(grad, shape: p.shape, dtype: dtype)
    }
    let gradients = params.map { $0.grad! }
    let unused = Tensor.zeros([5], dtype: dtype, requiresGrad: true)
    var problems: [String] = []
    if c.kind == "norm" {
      let normType = c.norm_type == .string("inf") ? Double.infinity : c.norm_type!.double!
      let total = clipGradNorm_(params + [unused], maxNorm: c.max_norm!, normType: normType)
      #expect(total.shape == [] && total.dtype == dtype, "\(c.name)")
      problems += optimMismatches([total.item()], [c.total_norm!], dtype: dtype, "total norm")
    } else {
      clipGradValue_(params + [unused], clipValue: c.clip_value!)
    }
    for (k, (p, expected)) in zip(params, c.clipped).enumerated() {
      #expect(p.grad === gradients[k], "\(c.name): the gradient is scaled in place")
      problems += optimMismatches(p.grad!.toDoubles(), expected, dtype: dtype, "grad \(k)")
    }
    #expect(unused.grad == nil)
    #expect(problems.isEmpty, "\(c.name): \(problems.prefix(4))")
  }

  @Test func clippingWithoutGradientsReturnsZero() {
    let p = Tensor.zeros([3], requiresGrad: true)
    let total = clipGradNorm_([p], maxNorm: 1)
    #expect(total.item() == 0 && total.dtype == .float32 && p.grad == nil)
  }
}
