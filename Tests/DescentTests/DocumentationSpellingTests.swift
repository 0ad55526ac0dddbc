import Descent
import Foundation
import Testing

/// The Descent column of the documentation's "From PyTorch to Descent" table, spelled as the
/// article spells it: the table stays true as long as this file compiles, and the values are
/// the ones PyTorch gives for the PyTorch column.
@Suite struct DocumentationSpellingTests {
  @Test func makingAndLookingAtTensors() {
    let t = Tensor([[1, 2], [3, 4]])
    #expect(Tensor([1, 2, 3]).shape == [3])
    #expect(Tensor(1.0, requiresGrad: true).requiresGrad)
    #expect(Tensor([1, 2], dtype: .float64).dtype == .float64)
    #expect(Tensor(integers: [1, 2, 3]).dtype == .int64)
    #expect(Tensor.zeros([2, 3]).shape == [2, 3])
    #expect(Tensor.ones([2, 3]).sum().item() == 6)
    #expect(Tensor.full([2, 3], 7).toDoubles() == Array(repeating: 7, count: 6))
    #expect(Tensor.zerosLike(t).shape == [2, 2] && Tensor.onesLike(t).sum().item() == 4)
    #expect(Tensor.arange(0, 10, step: 2).toDoubles() == [0, 2, 4, 6, 8])
    #expect(Tensor.linspace(0, 10, count: 100).shape == [100])
    #expect(Tensor.eye(3).sum().item() == 3)
    let generator = Generator(seed: 0)
    let drawn = withDefaultGenerator(generator) {
      manualSeed(0)
      return Tensor.randn([3])
    }
    // torch.manual_seed(0); torch.randn(3)
    #expect("\(drawn)" == "tensor([ 1.5410, -0.2934, -2.1788])")
    #expect(Tensor.rand([2, 3], generator: generator).shape == [2, 3])
    #expect(Tensor.randint(0, 10, [5], generator: generator).dtype == .int64)
    #expect(Tensor.randperm(5, generator: generator).sort().values.toDoubles() == [0, 1, 2, 3, 4])
    #expect(t.shape == [2, 2] && t.size(0) == 2 && t.dim() == 2 && t.numel() == 4)
    #expect(t.dtype == .float32 && t[0, 1].item() == 2 && t.toDoubles() == [1, 2, 3, 4])
    #expect(t.isContiguous && t.isLeaf)
  }

  @Test func typesShapesIndexingAndJoining() {
    let t = Tensor.arange(0, 6).reshaped(2, 3)
    #expect(t.float().dtype == .float32 && t.double().dtype == .float64)
    #expect(t.long().dtype == .int64 && t.to(.float64).dtype == .float64)
    #expect(t.view(3, 2).shape == [3, 2] && t.reshaped(3, 2).shape == [3, 2])
    #expect(t.unsqueeze(1).shape == [2, 1, 3] && t.unsqueeze(0).squeeze().shape == [2, 3])
    #expect(t.flatten().shape == [6] && t.transpose(0, 1).shape == [3, 2])
    #expect(t.T.shape == [3, 2] && t.t().shape == [3, 2])
    #expect(t.reshaped(1, 2, 3).permute(2, 0, 1).shape == [3, 1, 2])
    #expect(Tensor([1, 2, 3, 4]).expand(3, 4).shape == [3, 4])
    #expect(t.T.contiguous().isContiguous && t.clone().toDoubles() == t.toDoubles())
    #expect(t.flip(0).toDoubles() == [3, 4, 5, 0, 1, 2])
    #expect(t[0].toDoubles() == [0, 1, 2] && t[.all, 0].toDoubles() == [0, 3])
    #expect(Tensor.arange(0, 5)[1..<3].toDoubles() == [1, 2])
    #expect(t[.newAxis].shape == [1, 2, 3] && t[.ellipsis, 0].toDoubles() == [0, 3])
    let mask = t .> 2
    #expect(t[mask].toDoubles() == [3, 4, 5])
    #expect(t.maskedFill(mask, 0).toDoubles() == [0, 1, 2, 0, 0, 0])
    let idx = Tensor(integers: [2, 0]).reshaped(2, 1)
    #expect(t.gather(1, idx).toDoubles() == [2, 3])
    #expect(t.indexSelect(0, Tensor(integers: [1])).toDoubles() == [3, 4, 5])
    let (a, b) = (Tensor([1, 2]), Tensor([3, 4]))
    #expect(Tensor.cat([a, b], dim: 0).shape == [4] && Tensor.stack([a, b]).shape == [2, 2])
    #expect(Tensor.arange(0, 5).split(2).map(\.shape) == [[2], [2], [1]])
    #expect(Tensor.arange(0, 6).chunk(3).count == 3)
    #expect(Tensor.where(a .> 1, a, b).toDoubles() == [3, 2])
    #expect(oneHot(Tensor(integers: [0, 2]), numClasses: 3).toDoubles() == [1, 0, 0, 0, 0, 1])
  }

  @Test func mathAndReductions() {
    let (a, b) = (Tensor([[1, 2], [3, 4]]), Tensor([[1, 0], [0, 1]]))
    #expect((a + b - a * b / b).shape == [2, 2] && (a ** 2).toDoubles() == [1, 4, 9, 16])
    #expect(a.matmul(b).toDoubles() == a.toDoubles() && a.mm(b).toDoubles() == a.toDoubles())
    #expect(a.unsqueeze(0).bmm(b.unsqueeze(0)).shape == [1, 2, 2])
    #expect(einsum("ij,jk->ik", a, b).toDoubles() == a.toDoubles())
    #expect(a.exp().log().sqrt().shape == [2, 2] && (-a).abs().toDoubles() == a.toDoubles())
    #expect(a.pow(3).toDoubles() == [1, 8, 27, 64])
    #expect(a.clamp(min: 0, max: 1).toDoubles() == [1, 1, 1, 1])
    #expect((a .> b).toDoubles() == [0, 1, 1, 1] && a.eq(b).toDoubles() == [1, 0, 0, 0])
    #expect(a.allclose(a + 1e-9))
    let t = Tensor([1, 2])
    #expect(t.add_(Tensor([1, 1])).toDoubles() == [2, 3])
    #expect(t.zero_().toDoubles() == [0, 0] && t.fill_(1).toDoubles() == [1, 1])
    #expect(a.sum().item() == 10 && a.sum(dim: 1, keepDim: true).shape == [2, 1])
    #expect(a.mean().item() == 2.5 && a.mean(dim: 0).toDoubles() == [2, 3])
    #expect(abs(a.std().item() - 1.2909944487358056) < 1e-6)
    #expect(a.max().item() == 4 && a.max(dim: 1).indices.toDoubles() == [1, 1])
    #expect(a.argmax(dim: 1).toDoubles() == [1, 1])
    #expect(abs(a.logsumexp(dim: 1)[0].item() - 2.3132616875182226) < 1e-6)
    #expect(a.cumsum(dim: 0).toDoubles() == [1, 2, 4, 6])
    #expect(Tensor([2, 3, 1]).sort(descending: true).values.toDoubles() == [3, 2, 1])
    #expect(Tensor([2, 3, 1, 5]).topk(3).values.toDoubles() == [5, 3, 2])
    #expect(Tensor([3, 4]).norm().item() == 5)
  }

  @Test func autograd() throws {
    let x = Tensor([1, 2]).requiresGrad_()
    #expect(x.requiresGrad)
    let y = (x * x).sum()
    y.backward(retainGraph: true)
    #expect(x.grad?.toDoubles() == [2, 4])
    x.grad = nil
    y.backward(createGraph: true)
    #expect(x.grad?.requiresGrad == true)
    #expect(y.gradFn!.nextFunctions.count == 1 && x.detach().gradFn == nil)
    let z = x * 3
    z.retainGrad()
    let handle = z.registerHook { g in g * 2 }
    z.sum().backward()
    #expect(z.grad?.toDoubles() == [2, 2])
    handle.remove()
    let unrecorded = noGrad { enableGrad { x * 2 } }
    #expect(unrecorded.requiresGrad)
    #expect(grad(y, [x])[0]?.toDoubles() == [2, 4])
    let inputs = [Tensor([0.5, 1.5], dtype: .float64, requiresGrad: true)]
    #expect(gradcheck({ ($0[0] * $0[0]).sum() }, inputs: inputs).passed)
    #expect(try detectAnomaly { (x * 2).sum() }.item() == 6)
    #expect(makeDot(y, params: ["x": x]).contains("MulBackward0"))
  }

  final class Net: Module {
    let fc1 = Linear(4, 2)
    override func forward(_ x: Tensor) -> Tensor { fc1(x) }
  }

  @Test func layersLossesOptimizersAndSchedulers() throws {
    let model = Net()
    #expect(Linear(4, 2, bias: false).bias == nil)
    let layers: [Module] = [
      Sequential([ReLU(), Sigmoid(), Tanh()]), ModuleList([LeakyReLU(negativeSlope: 0.1)]),
      GELU(), Dropout(p: 0.5), LayerNorm(8), BatchNorm1d(8), Flatten(),
    ]
    #expect(layers.count == 7)
    let x = Tensor.randn([3, 4], generator: Generator(seed: 1))
    #expect(relu(x).shape == [3, 4] && softmax(x, dim: 1).sum().item() > 2.99)
    #expect(logSoftmax(x, dim: 1).shape == [3, 4])
    #expect(linear(x, model.fc1.weight, model.fc1.bias).shape == [3, 2])
    #expect(
      model.parameters().count == 2
        && model.namedParameters().map(\.0) == ["fc1.weight", "fc1.bias"])
    #expect(model.children().count == 1 && model.stateDict().count == 2)
    try model.loadStateDict(model.stateDict())
    #expect(!model.eval().training && model.train().training)
    model.zeroGrad()
    _ = kaimingUniform_(Tensor.zeros([2, 4]))
    _ = xavierUniform_(Tensor.zeros([2, 4]))
    #expect(zeros_(Tensor.ones([2])).sum().item() == 0)
    let (p, target) = (Tensor([0.2, 0.8]), Tensor([0, 1]))
    let logits = Tensor([[2, 1, 0]])
    let idx = Tensor(integers: [0])
    #expect(MSELoss()(p, target).item() > 0 && MSELoss(reduction: .sum)(p, target).item() > 0)
    #expect(L1Loss()(p, target).item() > 0 && HuberLoss(delta: 1)(p, target).item() > 0)
    #expect(SmoothL1Loss(beta: 1)(p, target).item() > 0 && BCELoss()(p, target).item() > 0)
    #expect(BCEWithLogitsLoss()(p, target).item() > 0)
    #expect(CrossEntropyLoss()(logits, idx).item() > 0 && NLLLoss()(logits, idx).item() < 0)
    #expect(mseLoss(p, target).item() > 0 && crossEntropy(logits, idx).item() > 0)
    let params = model.parameters()
    _ =
      [
        SGD(params, lr: 0.01, momentum: 0.9), Adam(params, lr: 1e-3),
        AdamW(params, lr: 1e-3, weightDecay: 0.01), RMSprop(params, lr: 0.01),
        Adagrad(params, lr: 0.01),
      ] as [Optimizer]
    let opt = SGD(params, lr: 0.1)
    opt.zeroGrad()
    opt.step()
    opt.paramGroups[0].lr = 0.01
    #expect(opt.stateDict().paramGroups.count == 1)
    _ = clipGradNorm_(params, maxNorm: 1)
    clipGradValue_(params, clipValue: 0.5)
    _ = MultiStepLR(opt, milestones: [30, 80])
    _ = ExponentialLR(opt, gamma: 0.9)
    _ = CosineAnnealingLR(opt, tMax: 100)
    _ = LambdaLR(opt, lrLambda: { e in pow(0.95, Double(e)) })
    let scheduler = StepLR(opt, stepSize: 10, gamma: 0.1)
    scheduler.step()
    #expect(scheduler.getLastLr() == [0.01])
    let plateau = ReduceLROnPlateau(opt, patience: 5)
    let valLoss = 1.0
    plateau.step(valLoss)
  }

  @Test func dataAndFiles() throws {
    let ds = TensorDataset(Tensor.arange(0, 10).unsqueeze(1), Tensor.arange(0, 10))
    let loader = DataLoader(ds, batchSize: 32, shuffle: true, generator: Generator(seed: 0))
    #expect(Array(loader).count == 1)
    let parts = randomSplit(ds, fractions: [0.8, 0.2], generator: Generator(seed: 0))
    #expect(parts.map(\.count) == [8, 2])
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("descent-doc-spelling-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    let sd: StateDict = ["w": Tensor([1, 2])]
    try Safetensors.save(sd, to: url)
    #expect(try Safetensors.load(from: url).tensors["w"]?.toDoubles() == [1, 2])
    // Not called: the thread count is the whole process's.
    let setThreads: (Int) -> Void = setNumThreads
    _ = setThreads
  }
}
