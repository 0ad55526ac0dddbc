import Dispatch
import Foundation
import Testing

@testable import Descent

// The autograd engine's behaviour as PyTorch users rely on it: when `grad` appears and adds
// up, graph retention, leaves and `gradFn` nodes, `detach`, in-place updates, and how tensors
// with gradients print (`noGrad`/`enableGrad`: GradModeTests.swift).

@Suite struct AutogradTests {
  // MARK: grad

  @Test func gradIsNilBeforeTheFirstBackward() {
    let w = Tensor([1, 2, 3], requiresGrad: true)
    let loss = (w * w).sum()
    #expect(w.grad == nil)
    #expect(loss.grad == nil)
    loss.backward()
    #expect(w.grad?.toDoubles() == [2, 4, 6])
    #expect(w.grad?.shape == [3])
    #expect(w.grad?.dtype == .float32)
    // Gradients are kept for leaves only, as in PyTorch.
    #expect(loss.grad == nil)
  }

  @Test func gradsAccumulateOverBackwardCalls() {
    let w = Tensor([1, -2], requiresGrad: true)
    (w * 3).sum().backward()
    #expect(w.grad?.toDoubles() == [3, 3])
    let first = w.grad!
    (w * w).sum().backward()
    #expect(w.grad?.toDoubles() == [5, -1])
    // Accumulation writes into the same gradient tensor, like PyTorch's `grad +=`.
    #expect(w.grad === first)
    w.grad!.zero_()
    (w * 2).sum().backward()
    #expect(w.grad?.toDoubles() == [2, 2])
    w.grad = nil
    (w * 5).sum().backward()
    #expect(w.grad?.toDoubles() == [5, 5])
  }

  @Test func retainGraphAllowsASecondBackward() {
    let x = Tensor([1, 2], requiresGrad: true)
    let y = (x * x * x).sum()
    y.backward(retainGraph: true)
    #expect(x.grad?.toDoubles() == [3, 12])
    y.backward()
    #expect(x.grad?.toDoubles() == [6, 24])
  }

  @Test func aLeafUsedTwiceGetsTheSumOfBothPaths() {
    let x = Tensor(3.0, requiresGrad: true)
    let a = x * 2
    let b = x * x
    (a * b + a).backward()  // 2x³ + 2x: 6x² + 2 = 56
    #expect(x.grad?.item() == 56)
  }

  @Test func broadcastOperandsGetGradientsOfTheirOwnShape() {
    let column = Tensor([[1], [2], [3]], requiresGrad: true)
    let row = Tensor([[10, 20]], requiresGrad: true)
    let scalar = Tensor(2.0, requiresGrad: true)
    ((column + row) * scalar).sum().backward()
    #expect(column.grad?.shape == [3, 1])
    #expect(column.grad?.toDoubles() == [4, 4, 4])
    #expect(row.grad?.shape == [1, 2])
    #expect(row.grad?.toDoubles() == [6, 6])
    #expect(scalar.grad?.shape == [])
    #expect(scalar.grad?.item() == 102)  // Σ (column + row) = 2·6 + 3·30
  }

  @Test func backwardWithAGradientForANonScalarOutput() {
    let x = Tensor([1, 2, 3], requiresGrad: true)
    let y = x * x
    y.backward(gradient: Tensor([1, 0.5, 2]))
    #expect(x.grad?.toDoubles() == [2, 2, 12])
    let m = Tensor([[1, 2], [3, 4]], requiresGrad: true)
    m.T.backward(gradient: Tensor([[1, 2], [3, 4]]))
    #expect(m.grad?.toDoubles() == [1, 3, 2, 4])
  }

  @Test func gradientsKeepTheLeafDtype() {
    let x = Tensor([1, 2], dtype: .float64, requiresGrad: true)
    (x * 2).sum().backward()
    #expect(x.grad?.dtype == .float64)
    let y = Tensor([1, 2], dtype: .float32, requiresGrad: true)
    (y.to(.float64) * Tensor([3, 4], dtype: .float64)).sum().backward()
    #expect(y.grad?.dtype == .float32)
    #expect(y.grad?.toDoubles() == [3, 4])
  }

  // MARK: Leaves, requiresGrad and gradFn

  @Test func leavesAndRequiresGrad() {
    let w = Tensor([1, 2], requiresGrad: true)
    let c = Tensor([3, 4])
    #expect(w.isLeaf && w.requiresGrad && w.gradFn == nil)
    #expect(c.isLeaf && !c.requiresGrad)
    let y = w * c
    #expect(!y.isLeaf && y.requiresGrad)
    let z = c * c
    #expect(z.isLeaf && !z.requiresGrad && z.gradFn == nil)
    // requiresGrad_ sets the flag and returns the same tensor.
    let v = Tensor([5, 6])
    #expect(v.requiresGrad_() === v)
    #expect(v.requiresGrad)
    v.requiresGrad = false
    #expect(!v.requiresGrad)
    // On a non-leaf, requiresGrad_() is allowed and changes nothing (PyTorch's rule).
    #expect(y.requiresGrad_() === y)
    #expect(y.gradFn?.name == "MulBackward0")
  }

  /// PyTorch's names for the nodes of these ops (torch 2.x). Names of forms where Descent
  /// differs (`m.T` is `TBackward0`, `clamp(min:)` alone `ClampMinBackward0`, 2-D·1-D matmul
  /// `MvBackward0`) are left out.
  @Test func gradFnNames() {
    let a = Tensor([1, 2, 3], requiresGrad: true)
    let b = Tensor([4, 5, 6], requiresGrad: true)
    let m = Tensor([[1, 2], [3, 4]], requiresGrad: true)
    let cases: [(Tensor, String)] = [
      (a + b, "AddBackward0"), (a + 1, "AddBackward0"), (a - b, "SubBackward0"),
      (a - 1, "SubBackward0"), (1 - a, "RsubBackward1"), (a * b, "MulBackward0"),
      (a * 2, "MulBackward0"), (a / b, "DivBackward0"), (-a, "NegBackward0"),
      (a ** 2, "PowBackward0"), (a.pow(0.5), "PowBackward0"), (a ** b, "PowBackward1"),
      (a.mean(), "MeanBackward0"), (m.mean(dim: 0), "MeanBackward1"), (a.sum(), "SumBackward0"),
      (m.sum(dim: 1), "SumBackward1"), (a.exp(), "ExpBackward0"), (a.log(), "LogBackward0"),
      (a.sqrt(), "SqrtBackward0"), (a.tanh(), "TanhBackward0"), (a.sigmoid(), "SigmoidBackward0"),
      (a.relu(), "ReluBackward0"), (a.abs(), "AbsBackward0"), (a.sin(), "SinBackward0"),
      (a.cos(), "CosBackward0"), (a.clamp(min: 0, max: 1), "ClampBackward1"),
      (m.matmul(m), "MmBackward0"), (a.matmul(b), "DotBackward0"),
      (m.transpose(0, 1), "TransposeBackward0"), (m.reshaped([4]), "ViewBackward0"),
      (m.permute([1, 0]), "PermuteBackward0"), (a.unsqueeze(0), "UnsqueezeBackward0"),
      (m[0], "SelectBackward0"), (m[.all, 0..<1], "SliceBackward0"),
      (a.expand([2, 3]), "ExpandBackward0"), (a.clone(), "CloneBackward0"),
      (Tensor.cat([a, b]), "CatBackward0"), (m.softmax(dim: 1), "SoftmaxBackward0"),
      (m.logSoftmax(dim: 1), "LogSoftmaxBackward0"), (m.logsumexp(dim: 1), "LogsumexpBackward0"),
      (a.max(), "MaxBackward1"), (m.max(dim: 0).values, "MaxBackward0"),
      (a.maximum(b), "MaximumBackward0"), (a.to(.float64), "ToCopyBackward0"),
      (a.indexSelect(0, Tensor(integers: [0])), "IndexSelectBackward0"),
      (a.var(), "VarBackward0"), (m.std(dim: 0), "StdBackward0"),
    ]
    for (tensor, name) in cases {
      #expect(tensor.gradFn?.name == name)
      #expect(tensor.gradFn?.description == "<\(name) object>")
    }
  }

  @Test func nextFunctionsLinkToAccumulateGrad() {
    // R4's model: Yp = W * X + B with X constant.
    let W = Tensor(1.0, requiresGrad: true)
    let B = Tensor(1.0, requiresGrad: true)
    let X = Tensor([-5, 5, 0])
    let Yp = W * X + B
    let add = Yp.gradFn!
    #expect(add.name == "AddBackward0")
    #expect(add.nextFunctions.count == 2)
    let mul = add.nextFunctions[0]!
    let accumulateB = add.nextFunctions[1]!
    #expect(mul.name == "MulBackward0")
    #expect(accumulateB.name == "AccumulateGrad")
    #expect(accumulateB.variable === B)
    #expect(accumulateB.nextFunctions.isEmpty)
    // X needs no gradient: its slot is nil, as PyTorch's (None, 0).
    #expect(mul.nextFunctions.count == 2)
    #expect(mul.nextFunctions[0]?.name == "AccumulateGrad")
    #expect(mul.nextFunctions[0]?.variable === W)
    #expect(mul.nextFunctions[1] == nil)
    // One AccumulateGrad node per leaf, shared by every use.
    let again = W * 2
    #expect(again.gradFn!.nextFunctions[0] === mul.nextFunctions[0])
    let square = B * B
    #expect(square.gradFn!.nextFunctions[0] === square.gradFn!.nextFunctions[1])
    // The loss chain: MeanBackward0 → PowBackward0 → SubBackward0 → AddBackward0.
    let loss = ((Yp - Tensor([1, 2, 3])) ** 2).mean()
    let pow = loss.gradFn!.nextFunctions[0]!
    let sub = pow.nextFunctions[0]!
    #expect(loss.gradFn!.name == "MeanBackward0")
    #expect(pow.name == "PowBackward0")
    #expect(sub.name == "SubBackward0")
    #expect(sub.nextFunctions[0] === add)
    #expect(sub.nextFunctions[1] == nil)
  }

  // MARK: detach and in-place updates

  @Test func detachSharesStorageWithoutGradFn() {
    let w = Tensor([1, 2, 3], requiresGrad: true)
    let y = w * 2
    let d = y.detach()
    #expect(d.gradFn == nil)
    #expect(!d.requiresGrad)
    #expect(d.isLeaf)
    #expect(d.toDoubles() == [2, 4, 6])
    d += Tensor([1, 1, 1])
    #expect(y.toDoubles() == [3, 5, 7])  // same storage
    let leafView = w.detach()
    leafView *= 10
    #expect(w.toDoubles() == [10, 20, 30])
  }

  @Test func updateInsideNoGradChangesTheSameObject() {
    let W = Tensor([1, 2], requiresGrad: true)
    let storage = W.storage
    (W * W).sum().backward()
    #expect(W.grad?.toDoubles() == [2, 4])
    noGrad { W -= 0.1 * W.grad! }
    #expect(W.storage === storage)  // written in place, not rebound to a new tensor
    #expect(W.toDoubles().map { ($0 * 1e6).rounded() / 1e6 } == [0.8, 1.6])
    #expect(W.isLeaf && W.requiresGrad && W.gradFn == nil)
    #expect(W.grad?.toDoubles() == [2, 4])  // the update does not touch grad
    W.grad!.zero_()
    #expect(W.grad?.toDoubles() == [0, 0])
    // The next step differentiates the updated values.
    (W * W).sum().backward()
    #expect(W.grad!.toDoubles().map { ($0 * 1e6).rounded() / 1e6 } == [1.6, 3.2])
  }

  @Test func inPlaceOnANonLeafIsRecorded() {
    let x = Tensor([1, 2], requiresGrad: true)
    let y = x * 3
    y += 1
    #expect(y.gradFn?.name == "AddBackward0")
    y *= 2
    #expect(y.gradFn?.name == "MulBackward0")
    #expect(y.toDoubles() == [8, 14])
    y.sum().backward()  // y = (3x + 1)·2
    #expect(x.grad?.toDoubles() == [6, 6])
    // `y *= x` would save y for x's gradient and then overwrite it: PyTorch stops at backward
    // there (see ErrorMessageTests.inPlaceOverwriteOfATensorItsOwnNodeSaves).
  }

  @Test func changingATensorNoOpSavedIsAllowed() {
    // Addition saves nothing, so a later in-place change of an input does not matter.
    let x = Tensor([1, 2], requiresGrad: true)
    let y = Tensor([3, 4], requiresGrad: true)
    let z = (x + y).sum()
    noGrad { x += 100 }
    z.backward()
    #expect(x.grad?.toDoubles() == [1, 1])
  }

  // MARK: Memory

  /// Holds a tensor without keeping it alive.
  private final class WeakTensor {
    weak var tensor: Tensor?
    init(_ tensor: Tensor) { self.tensor = tensor }
  }

  /// Results of ops that save their own output for backward, dropped at the end of the call.
  private func outputsOfOpsThatSaveTheirResult(_ x: Tensor) -> [WeakTensor] {
    [
      x.exp(), x.sqrt(), x.tanh(), x.sigmoid(), x.relu(), x.softmax(dim: 0),
      x.logSoftmax(dim: 0), x.std(), x ** x, (x * 2).exp().sum(),
    ].map(WeakTensor.init)
  }

  @Test func aGraphThatNeverRunsBackwardIsFreed() {
    // Evaluation without noGrad builds graphs that are then dropped: an output saved by its
    // own node must not keep itself (and its graph) alive through a reference cycle.
    let x = Tensor([0.5, 1.5], requiresGrad: true)
    let dropped = outputsOfOpsThatSaveTheirResult(x)
    for (index, box) in dropped.enumerated() {
      #expect(
        box.tensor == nil, "output \(index) (\(box.tensor?.gradFn?.name ?? "")) is still alive")
    }
  }

  @Test func allElementMaxIsFreedWithoutBackward() {
    let x = Tensor([0.5, 1.5], requiresGrad: true)
    let dropped = [x.max(), x.min()].map(WeakTensor.init)
    #expect(dropped.allSatisfy { $0.tensor == nil })
  }

  // MARK: Printing

  @Test func r4TensorsPrintAsPyTorchDoes() {
    let x = Tensor([166, 176, 171, 173, 169])
    let y = Tensor([58.7, 75.7, 62.1, 70.4, 60.1])
    #expect(String(describing: x) == "tensor([166., 176., 171., 173., 169.])")
    let X = x - x.mean()
    let Y = y - y.mean()
    #expect(String(describing: X) == "tensor([-5.,  5.,  0.,  2., -2.])")
    #expect(String(describing: Y) == "tensor([-6.7000, 10.3000, -3.3000,  5.0000, -5.3000])")
    let W = Tensor(1.0, requiresGrad: true)
    let B = Tensor(1.0, requiresGrad: true)
    #expect(String(describing: W) == "tensor(1., requires_grad=True)")
    let Yp = W * X + B
    #expect(String(describing: Yp) == "tensor([-4.,  6.,  1.,  3., -1.], grad_fn=<AddBackward0>)")
    let loss = ((Yp - Y) ** 2).mean()
    #expect(String(describing: loss) == "tensor(13.3520, grad_fn=<MeanBackward0>)")
    loss.backward()
    #expect(String(describing: W.grad!) == "tensor(-19.0400)")
    #expect(String(describing: B.grad!) == "tensor(2.0000)")
    noGrad {
      W -= 0.001 * W.grad!
      B -= 0.001 * B.grad!
    }
    #expect(String(describing: W) == "tensor(1.0190, requires_grad=True)")
    #expect(String(describing: B) == "tensor(0.9980, requires_grad=True)")
    #expect(
      String(describing: noGrad { W * X + B })
        == "tensor([-4.0972,  6.0932,  0.9980,  3.0361, -1.0401])")
  }
}
