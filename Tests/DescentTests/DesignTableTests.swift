import Testing

@testable import Descent

/// The "PyTorch → Descent" table of the design notes, written as a program: if the API drifts
/// from the table, this stops compiling or fails.
@Suite struct DesignTableTests {
  @Test func creationAndShapes() {
    let column = Tensor([[1], [2]])
    #expect(column.shape == [2, 1])
    #expect(column.dtype == .float32)
    let w = Tensor.zeros([1], requiresGrad: true)
    #expect(w.requiresGrad && w.isLeaf)
    let (x, noise) = withDefaultGenerator(Generator()) { () -> (Tensor, Tensor) in
      manualSeed(0)
      return (Tensor.linspace(0, 10, count: 100).unsqueeze(1), Tensor.randn([100, 1]))
    }
    #expect(x.shape == [100, 1] && noise.shape == [100, 1])
    #expect(x[99, 0].item() == 10)
    let t = Tensor.arange(0, 30, dtype: .float32)
    #expect(t.reshaped([30, 1])[.all, 0].shape == [30])
    #expect(t.reshaped([6, 5]).sum(dim: 1).shape == [6])
  }

  @Test func trainingStepReadsLikeTheNotes() {
    let x = Tensor([[1], [2], [3]])
    let y = Tensor([[2], [4], [6]])
    let W = Tensor.zeros([1], requiresGrad: true)
    let b = Tensor.zeros([1], requiresGrad: true)
    let lr = 0.01
    #expect(W.grad == nil)
    for _ in 0..<3 {
      let h = x * W + b
      let cost = (h - y).pow(2).mean()
      W.grad?.zero_()
      b.grad?.zero_()
      cost.backward()
      noGrad {
        W -= lr * W.grad!
        b -= lr * b.grad!
      }
    }
    // Three full-batch SGD steps from zero on y = 2x; PyTorch gives 0.5004207 and 0.2138062.
    #expect(Swift.abs(W.item() - 0.5004207) < 1e-5)
    #expect(Swift.abs(b.item() - 0.2138062) < 1e-5)
    let product = x.matmul(Tensor([[2]]))
    #expect(product.toFloats() == [2, 4, 6])
    #expect(((x ** 2).sum()).item() == 14)
  }
}
