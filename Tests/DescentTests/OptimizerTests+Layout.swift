import Testing

@testable import Descent

/// A step reads and writes the tensors' own memory only when every operand is contiguous, of
/// the parameter's dtype and with storage of its own; otherwise it runs on dense copies and
/// writes them back. Both ways must give the same bits, since they run the same rule.
@Suite("Optimizer steps on strided, converted and shared memory")
struct OptimizerLayoutTests {
  static let cases = OptimFixtureFile.file?.optimizers ?? []

  /// `values` (a matrix) laid out transposed in memory, outside the graph: the transpose of
  /// a contiguous copy of its transpose, so that it is not contiguous itself.
  func transposedLayout(_ values: Tensor) -> Tensor {
    values.t().contiguous().t().detach()
  }

  /// Every fixture case twice: on contiguous parameters and gradients, and on a transposed
  /// (non-contiguous) parameter with transposed gradients. Parameters and state must agree
  /// bit for bit after every step.
  @Test(arguments: cases)
  func stridedOperandsGiveTheSameBits(_ c: OptimCase) throws {
    let file = try OptimFixtureFile.loaded.get()
    let dtype = c.descentDType
    let dense = fixtureParameters(file.problem, dtype: dtype)
    let strided = [
      transposedLayout(dense[0]).requiresGrad_(), dense[1].detach().clone().requiresGrad_(),
    ]
    #expect(!strided[0].isContiguous)
    let (a, b) = (makeOptimizer(c, dense), makeOptimizer(c, strided))
    for (index, step) in c.steps.prefix(12).enumerated() {
      feedGradients(step, dense, dtype: dtype)
      feedGradients(step, strided, dtype: dtype)
      if let grad = strided[0].grad {
        strided[0].grad = transposedLayout(grad)
        #expect(!strided[0].grad!.isContiguous)
      }
      a.step()
      b.step()
      for (p, q) in zip(dense, strided) {
        #expect(p.toDoubles() == q.toDoubles(), "\(c.name): parameters differ at step \(index + 1)")
        #expect(q.dtype == dtype && q.isLeaf && q.requiresGrad)
      }
    }
    let (expected, actual) = (a.stateDict(), b.stateDict())
    for (id, entry) in expected.state {
      for (key, tensor) in entry {
        #expect(actual.state[id]?[key]?.toDoubles() == tensor.toDoubles(), "\(c.name): \(key)")
        #expect(actual.state[id]?[key]?.dtype == tensor.dtype, "\(c.name): \(key) dtype")
      }
    }
  }

  /// A gradient that shares the parameter's storage: the step reads the values from before
  /// it writes, as the separate ops of PyTorch's algorithm do.
  @Test func gradientSharingTheParameterStorage() {
    let w = Tensor([1, -2, 3], requiresGrad: true)
    let optimizer = SGD([w], lr: 0.5, momentum: 0.9)
    w.grad = w.detach()
    optimizer.step()
    #expect(w.toDoubles() == [0.5, -1, 1.5])
    #expect(optimizer.state(for: w)["momentum_buffer"]?.toDoubles() == [1, -2, 3])
  }

  /// A state buffer replaced by a strided view is updated through the view.
  @Test func replacedStateBufferIsUpdatedInPlace() {
    let w = Tensor([[1, 2], [3, 4]], requiresGrad: true)
    let optimizer = SGD([w], lr: 0.1, momentum: 0.5)
    w.grad = Tensor.onesLike(w)
    optimizer.step()
    let base = Tensor([[1, 2], [3, 4]])
    optimizer.state(for: w)["momentum_buffer"] = base.t()
    optimizer.step()
    // b ← 0.5·b + g, written through the transpose.
    #expect(base.toDoubles() == [1.5, 2, 2.5, 3])
  }
}
