import Foundation
import Testing

@testable import Descent

/// One op of a case recorded by Tests/Fixtures/make_random_fixtures.py, with PyTorch's output.
private struct RandomOp: Decodable {
  let op: String
  let shape: [Int]
  let dtype: DType
  let low: Int, high: Int, n: Int
  let from: Double, to: Double, mean: Double, std: Double
  let floats: [Double]
  let integers: [Int64]
  let bytes: [UInt8]

  private enum Keys: String, CodingKey {
    case op, shape, dtype, low, high, n, from, to, mean, std, values, bytes
  }

  init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    op = try c.decode(String.self, forKey: .op)
    shape = try c.decodeIfPresent([Int].self, forKey: .shape) ?? []
    dtype = try c.decodeIfPresent(String.self, forKey: .dtype) == "float64" ? .float64 : .float32
    low = try c.decodeIfPresent(Int.self, forKey: .low) ?? 0
    high = try c.decodeIfPresent(Int.self, forKey: .high) ?? 0
    n = try c.decodeIfPresent(Int.self, forKey: .n) ?? 0
    from = try c.decodeIfPresent(Double.self, forKey: .from) ?? 0
    to = try c.decodeIfPresent(Double.self, forKey: .to) ?? 0
    mean = try c.decodeIfPresent(Double.self, forKey: .mean) ?? 0
    std = try c.decodeIfPresent(Double.self, forKey: .std) ?? 0
    // Integer ops decode as Int64: values near 2^62 do not survive a trip through Double.
    let integral = op == "randint" || op == "randperm"
    integers = integral ? try c.decode([Int64].self, forKey: .values) : []
    floats = integral ? [] : try c.decodeIfPresent([Double].self, forKey: .values) ?? []
    let base64 = try c.decodeIfPresent(String.self, forKey: .bytes)
    bytes = base64.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? []
  }
}

private struct RandomCase: Decodable, CustomTestStringConvertible {
  let name: String
  let seed: UInt64?
  let ops: [RandomOp]
  var testDescription: String { name }
}

private struct RandomFixture: Decodable {
  let torchVersion: String
  let cpuCapability: String
  let stateSize: Int
  let cases: [RandomCase]

  private enum CodingKeys: String, CodingKey {
    case torchVersion = "torch_version"
    case cpuCapability = "cpu_capability"
    case stateSize = "state_size"
    case cases
  }

  static func load() throws -> RandomFixture {
    let url = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/random.json")
    return try JSONDecoder().decode(RandomFixture.self, from: Data(contentsOf: url))
  }
}

/// Bit patterns, so that a comparison fails on the last bit and never passes on NaN.
private func bits(_ t: Tensor) -> [UInt64] {
  t.dtype == .float32
    ? t.toFloats().map { UInt64($0.bitPattern) } : t.toDoubles().map(\.bitPattern)
}

private func bits(_ values: [Double], _ dtype: DType) -> [UInt64] {
  dtype == .float32 ? values.map { UInt64(Float($0).bitPattern) } : values.map(\.bitPattern)
}

@Suite("Random numbers match PyTorch's CPU generator bit for bit")
struct RandomTests {
  /// Loaded once; a broken fixture fails the load test instead of crashing discovery.
  private static let cases: [RandomCase] = (try? RandomFixture.load().cases) ?? []

  @Test func fixtureLoads() throws {
    let fixture = try RandomFixture.load()
    #expect(fixture.cases.count >= 100)
    #expect(
      Set(fixture.cases.map(\.name)).count == fixture.cases.count, "case names must be unique")
    #expect(fixture.stateSize == generatorStateByteCount)
  }

  /// Every float result is compared exactly: the kernels replay PyTorch's AVX2/AVX512 arithmetic.
  @Test(arguments: cases)
  fileprivate func matchesPyTorch(_ c: RandomCase) throws {
    let g = c.seed.map { Generator(seed: $0) } ?? Generator()
    var saved: [UInt8] = []
    for (index, op) in c.ops.enumerated() {
      let label = "\(c.name) op \(index) (\(op.op))"
      switch op.op {
      case "rand", "randn", "uniform", "normal":
        let t: Tensor
        switch op.op {
        case "rand": t = Tensor.rand(op.shape, dtype: op.dtype, generator: g)
        case "randn": t = Tensor.randn(op.shape, dtype: op.dtype, generator: g)
        case "uniform":
          t = Tensor.zeros(op.shape, dtype: op.dtype).uniform_(op.from, op.to, generator: g)
        default:
          t = Tensor.zeros(op.shape, dtype: op.dtype).normal_(
            mean: op.mean, std: op.std, generator: g)
        }
        #expect(t.shape == op.shape && t.dtype == op.dtype, "\(label)")
        let got = bits(t)
        let want = bits(op.floats, op.dtype)
        let wrong = zip(got, want).enumerated().filter { $0.element.0 != $0.element.1 }.map(
          \.offset)
        #expect(
          got.count == want.count && wrong.isEmpty, "\(label): elements \(wrong.prefix(10)) differ")
      case "randint":
        let t = Tensor.randint(op.low, op.high, op.shape, generator: g)
        #expect(t.shape == op.shape && t.dtype == .int64, "\(label)")
        #expect(t.toArray(as: Int64.self) == op.integers, "\(label)")
      case "randperm":
        let t = Tensor.randperm(op.n, generator: g)
        #expect(t.toArray(as: Int64.self) == op.integers, "\(label)")
      case "state":
        saved = g.state()
        #expect(saved == op.bytes, "\(label): state bytes differ from torch's get_state()")
      case "set_state":
        try g.setState(saved)
      default:
        Issue.record("\(label): unknown op")
      }
    }
  }

  @Test func defaultGeneratorFollowsManualSeed() throws {
    let fixture = try #require(Self.cases.first { $0.name == "rand_f32_5_seed0" })
    let global = defaultGenerator
    #expect(defaultGenerator === global)  // outside a scope: the one global generator
    // In a scope of its own, so that suites running in parallel cannot draw in between.
    let scoped = Generator(seed: 123)
    try withDefaultGenerator(scoped) {
      manualSeed(0)
      #expect(defaultGenerator === scoped)
      #expect(scoped.initialSeed == 0)
      let first = Tensor.rand([3])
      let second = Tensor.rand([2])
      #expect(bits(first) + bits(second) == bits(fixture.ops[0].floats, .float32))
      try #require(global !== scoped)
    }
    #expect(defaultGenerator === global)
  }

  @Test func seedsAndDefaults() {
    #expect(Generator().initialSeed == 67_280_421_310_721)
    let g = Generator(seed: 7)
    let a = Tensor.randn([5], generator: g).toFloats()
    g.manualSeed(7)  // also drops the cached normal left by the odd count
    #expect(Tensor.randn([5], generator: g).toFloats() == a)
    // Seeds differing only above bit 32 give the same stream (PyTorch seeds mt19937 from the
    // low 32 bits) but keep their own initial seed.
    let high = Generator(seed: 7 + (1 << 40))
    #expect(Tensor.randn([5], generator: high).toFloats() == a)
    #expect(high.initialSeed == 7 + (1 << 40))
    let fresh = Generator(seed: 0)
    let reseeded = fresh.seed()
    #expect(fresh.initialSeed == reseeded)
  }

  @Test func stateRoundTripRestoresTheStreamAndTheNormalCache() throws {
    let g = Generator(seed: 123)
    _ = Tensor.rand([700], generator: g)  // past one Mersenne Twister block
    _ = Tensor.randn([1], dtype: .float64, generator: g)  // leaves a cached normal
    let state = g.state()
    #expect(state.count == 5056)
    let expected =
      Tensor.randn([3], dtype: .float64, generator: g).toDoubles()
      + Tensor.rand([4], generator: g).toDoubles()
    try g.setState(state)
    let other = Generator()
    try other.setState(state)
    for gen in [g, other] {
      let again =
        Tensor.randn([3], dtype: .float64, generator: gen).toDoubles()
        + Tensor.rand([4], generator: gen).toDoubles()
      #expect(again == expected)
    }
    #expect(other.initialSeed == 123)
  }

  @Test func setStateRejectsBadBytesAndKeepsTheGenerator() throws {
    let g = Generator(seed: 9)
    let before = g.state()
    #expect(throws: GeneratorStateError.self) { try g.setState([UInt8](repeating: 0, count: 100)) }
    var bad = before
    bad[8] = 0  // left = 0: not a state a generator can be in
    #expect(throws: GeneratorStateError.self) { try g.setState(bad) }
    bad = before
    bad[12] = 0  // not seeded
    #expect(throws: GeneratorStateError.self) { try g.setState(bad) }
    #expect(g.state() == before)
    do {
      try g.setState([1, 2, 3])
    } catch {
      #expect("\(error)".contains("5056 bytes") && "\(error)".contains("got 3 bytes"))
    }
  }

  @Test func statisticsOfLargeSamples() {
    let g = Generator(seed: 2024)
    for dtype in [DType.float32, .float64] {
      let x = Tensor.randn([10_000], dtype: dtype, generator: g).toDoubles()
      let mean = x.reduce(0, +) / Double(x.count)
      let std = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1))
        .squareRoot()
      // Standard errors are 0.01 (mean) and 0.007 (std); these bounds are 5 of them.
      #expect(abs(mean) < 0.05 && abs(std - 1) < 0.035, "randn \(dtype): mean \(mean), std \(std)")
      #expect(x.filter { abs($0) < 1 }.count > 6_600 && x.filter { abs($0) < 1 }.count < 7_050)
      let u = Tensor.rand([10_000], dtype: dtype, generator: g).toDoubles()
      #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
      #expect(abs(u.reduce(0, +) / 10_000 - 0.5) < 0.015)
    }
    let shifted = Tensor.zeros([4000], dtype: .float64).normal_(mean: 3, std: 0.5, generator: g)
      .toDoubles()
    #expect(abs(shifted.reduce(0, +) / 4000 - 3) < 0.04)
    let ints = Tensor.randint(-3, 4, [5000], generator: g).toArray(as: Int64.self)
    #expect(Set(ints) == Set(-3...3))
    let perm = Tensor.randperm(1000, generator: g).toArray(as: Int64.self)
    #expect(perm.sorted() == (0..<1000).map(Int64.init) && perm != perm.sorted())
  }

  @Test func shapesDtypesAndEdgeCases() {
    let g = Generator(seed: 1)
    let r = Tensor.rand([2, 3, 4], dtype: .float64, generator: g, requiresGrad: true)
    #expect(r.shape == [2, 3, 4] && r.dtype == .float64 && r.requiresGrad && r.isLeaf)
    #expect(Tensor.randn([], generator: g).shape == [])
    #expect(Tensor.randn([0, 3], generator: g).count == 0)
    #expect(Tensor.randperm(0, generator: g).shape == [0])
    #expect(Tensor.randperm(1, generator: g).toArray(as: Int64.self) == [0])
    let small = Tensor.randint(5, [3, 2], generator: g)
    #expect(small.shape == [3, 2] && small.dtype == .int64)
    #expect(small.toArray(as: Int64.self).allSatisfy { (0..<5).contains($0) })
    // Empty draws consume nothing.
    let a = Generator(seed: 4)
    _ = Tensor.rand([0], generator: a)
    _ = Tensor.randint(0, 9, [0], generator: a)
    #expect(a.state() == Generator(seed: 4).state())
  }

  @Test func inPlaceFillsBumpTheVersionAndReturnSelf() {
    let t = Tensor.zeros([4, 3])
    let version = t.storage.version
    let same = t.uniform_(-0.5, 0.5, generator: Generator(seed: 0))
    #expect(same === t && t.storage.version == version + 1)
    t.normal_(mean: 1, std: 2, generator: Generator(seed: 0))
    #expect(t.storage.version == version + 2)
    #expect(t.toFloats().allSatisfy { $0.isFinite })
  }

  @Test func fillsOfLeavesThatRequireGradWorkUnderNoGrad() {
    // What nn.Linear's initialisation does: fill a parameter without recording the graph.
    let w = Tensor.zeros([4, 3], requiresGrad: true)
    noGrad { _ = w.uniform_(-0.5, 0.5, generator: Generator(seed: 0)) }
    #expect(w.requiresGrad && w.isLeaf && w.gradFn == nil)
    let expected = Tensor.zeros([4, 3]).uniform_(-0.5, 0.5, generator: Generator(seed: 0))
    #expect(bits(w) == bits(expected))
  }

  @Test func nonContiguousFillsFollowStorageOrderLikePyTorch() {
    // PyTorch fills a transposed or sliced tensor in memory order (checked against torch:
    // `base.t().uniform_()` leaves base equal to `rand(12)`; `normal_` on a strided tensor
    // takes the one-at-a-time path even for 16 or more elements).
    let base = Tensor.zeros([3, 4])
    let transposed = Tensor(
      storage: base.storage, shape: [4, 3], strides: [1, 4], dtype: .float32)
    transposed.uniform_(generator: Generator(seed: 3))
    #expect(bits(base) == bits(Tensor.rand([12], generator: Generator(seed: 3))))
    #expect(base.storage.version == 1)

    let grid = Tensor.zeros([4, 6])
    let everyOther = Tensor(
      storage: grid.storage, shape: [4, 3], strides: [6, 2], dtype: .float32)
    everyOther.uniform_(generator: Generator(seed: 3))
    let filled = grid.toFloats().enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
    #expect(filled == Tensor.rand([12], generator: Generator(seed: 3)).toFloats())
    #expect(grid.toFloats().enumerated().allSatisfy { $0.offset % 2 == 0 || $0.element == 0 })

    let normalBase = Tensor.zeros([5, 4])
    Tensor(storage: normalBase.storage, shape: [4, 5], strides: [1, 4], dtype: .float32)
      .normal_(generator: Generator(seed: 3))
    let pairs = Generator(seed: 3)
    let serial = (0..<10).flatMap { _ in Tensor.randn([2], generator: pairs).toFloats() }
    #expect(normalBase.toFloats() == serial)
  }

  @Test func badArgumentsStopWithPyTorchsMessages() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.randint(5, 5, [2])
    }.map { result in
      let text = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(text.contains("random_ expects 'from' to be less than 'to', but got from=5 >= to=5"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2], requiresGrad: true).uniform_()
    }.map { result in
      let text = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(
        text.contains("a leaf Variable that requires grad is being used in an in-place operation."))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.randperm(-1)
    }.map { result in
      let text = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(text.contains("randperm: n must be non-negative, got -1"))
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.randn([2, -3])
    }.map { result in
      let text = String(decoding: result.standardErrorContent, as: UTF8.self)
      #expect(text.contains("randn: Trying to create tensor with negative dimension -3: [2, -3]"))
    }
    await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2]).uniform_(1, 0) }
    await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2]).normal_(std: -1) }
  }
}
