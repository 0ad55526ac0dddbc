import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// PyTorch's Mersenne Twister (`at::mt19937`): the classic 32-bit MT19937 seeded from the low 32
/// bits of a 64-bit seed, with the same draw counters (`left`, `next`) so that its state can be
/// exported in PyTorch's layout.
struct MT19937: Sendable {
  static let stateSize = 624
  static let shift = 397

  /// The full seed given (only its low 32 bits feed the state, as in PyTorch).
  var seed: UInt64
  /// Draws until the next block regeneration, plus one.
  var left: Int
  /// Index of the next word of `words` to temper and return.
  var next: Int
  var words: [UInt32]

  init(seed: UInt64) {
    self.seed = seed
    var words = [UInt32](repeating: 0, count: MT19937.stateSize)
    words[0] = UInt32(truncatingIfNeeded: seed)
    for j in 1..<MT19937.stateSize {
      let previous = words[j - 1]
      words[j] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(j)
    }
    self.words = words
    // A fresh engine regenerates the block on its first draw.
    self.left = 1
    self.next = 0
  }

  /// The next 32 random bits.
  @inline(__always)
  mutating func next32() -> UInt32 {
    left -= 1
    if left == 0 { regenerate() }
    var y = words[next]
    next += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9d2c_5680
    y ^= (y << 15) & 0xefc6_0000
    y ^= y >> 18
    return y
  }

  /// Recomputes all 624 words (the "twist").
  private mutating func regenerate() {
    let n = MT19937.stateSize
    let m = MT19937.shift
    words.withUnsafeMutableBufferPointer { w in
      @inline(__always) func twist(_ u: UInt32, _ v: UInt32) -> UInt32 {
        let mixed = (u & 0x8000_0000) | (v & 0x7fff_ffff)
        return (mixed >> 1) ^ ((v & 1) != 0 ? 0x9908_b0df : 0)
      }
      for k in 0..<(n - m) { w[k] = w[k + m] ^ twist(w[k], w[k + 1]) }
      for k in (n - m)..<(n - 1) { w[k] = w[k + m - n] ^ twist(w[k], w[k + 1]) }
      w[n - 1] = w[m - 1] ^ twist(w[n - 1], w[0])
    }
    left = n
    next = 0
  }
}

/// Everything a generator holds: the engine and the cached second values of Box–Muller pairs.
struct GeneratorState: Sendable {
  var engine: MT19937
  /// The unused `sin` half of the last scalar Box–Muller pair (PyTorch's
  /// `next_double_normal_sample`); `normal_` on fewer than 16 elements takes it first.
  var cachedDoubleNormal: Double?
  /// PyTorch's `next_float_normal_sample`: kept for the state layout; no op here sets it.
  var cachedFloatNormal: Float?

  init(seed: UInt64) { engine = MT19937(seed: seed) }

  @inline(__always) mutating func nextUInt32() -> UInt32 { engine.next32() }

  /// Two draws, the first as the high half (PyTorch's `random64()`).
  @inline(__always) mutating func nextUInt64() -> UInt64 {
    let high = UInt64(engine.next32())
    let low = UInt64(engine.next32())
    return high << 32 | low
  }
}

/// A float with a `[0, 1)` draw of its own width: 24 bits for Float, 53 for Double.
protocol UnitRandom: BinaryFloatingPoint {
  static func unit(_ state: inout GeneratorState) -> Self
}

extension Float: UnitRandom {
  static func unit(_ state: inout GeneratorState) -> Float { state.unitFloat() }
}

extension Double: UnitRandom {
  static func unit(_ state: inout GeneratorState) -> Double { state.unitDouble() }
}

/// PyTorch's scalar distributions. `a * b + c` is one fused multiply-add (`addingProduct`)
/// because PyTorch's AVX2/AVX512 kernels are compiled that way; plain arithmetic would differ in
/// the last bit.
extension GeneratorState {
  /// `[0, 1)` from the low 24 bits of one 32-bit draw (exact in Float).
  @inline(__always) mutating func unitFloat() -> Float {
    Float(nextUInt32() & 0xff_ffff) * 0x1p-24
  }

  /// `[0, 1)` from the low 53 bits of one 64-bit draw (exact in Double).
  @inline(__always) mutating func unitDouble() -> Double {
    Double(nextUInt64() & 0x1f_ffff_ffff_ffff) * 0x1p-53
  }

  /// One scalar Box–Muller normal (PyTorch's `normal_distribution<double>`): each new pair
  /// returns its cosine half and caches the sine half for the next call.
  mutating func normalDouble(_ mean: Double, _ std: Double) -> Double {
    if let cached = cachedDoubleNormal {
      cachedDoubleNormal = nil
      return mean.addingProduct(cached, std)
    }
    let u1 = unitDouble()
    let u2 = unitDouble()
    let radius = (-2.0 * log1p(-u2)).squareRoot()
    let theta = 2.0 * Double.pi * u1
    cachedDoubleNormal = radius * sin(theta)
    return mean.addingProduct(radius * cos(theta), std)
  }

  /// PyTorch's `normal_fill`: uniforms for every element first, then Box–Muller on blocks of 16
  /// (element j pairs with j + 8); a ragged tail redraws the last 16 and transforms them again.
  mutating func normalFill<T: UnitRandom>(
    _ p: UnsafeMutablePointer<T>, _ n: Int, _ mean: T, _ std: T,
    _ transform: (UnsafeMutablePointer<T>, T, T) -> Void
  ) {
    for i in 0..<n { p[i] = T.unit(&self) }
    for start in stride(from: 0, to: n - 15, by: 16) { transform(p + start, mean, std) }
    if n % 16 != 0 {
      let tail = p + (n - 16)
      for i in 0..<16 { tail[i] = T.unit(&self) }
      transform(tail, mean, std)
    }
  }
}

/// The size of PyTorch's `CPUGeneratorImplState`, which `Generator.state()` reproduces.
let generatorStateByteCount = 5056

/// Why `Generator.setState` refused a byte array.
public struct GeneratorStateError: Error, CustomStringConvertible {
  /// What was wrong with the bytes.
  public let description: String
}

/// A source of random numbers that reproduces PyTorch's CPU generator bit for bit.
///
/// The same seed gives the same stream as `torch.Generator().manual_seed(seed)`, so
/// `Tensor.rand`, `randn`, `randint`, `randperm`, `uniform_` and `normal_` give PyTorch's
/// numbers. Calls on one generator from several threads are serialised by a lock; each tensor
/// op draws all its numbers under one lock hold, so concurrent ops never interleave draws.
public final class Generator: Sendable {
  /// PyTorch's `default_rng_seed_val`, the seed of a fresh `torch.Generator()`.
  public static let defaultSeed: UInt64 = 67_280_421_310_721

  private let mutex: Mutex<GeneratorState>

  /// A generator seeded with `seed` (PyTorch's default seed unless given).
  public init(seed: UInt64 = Generator.defaultSeed) {
    mutex = Mutex(GeneratorState(seed: seed))
  }

  /// Restarts the stream from `seed` and drops any cached normal value, like `manual_seed`.
  public func manualSeed(_ seed: UInt64) {
    mutex.withLock { $0 = GeneratorState(seed: seed) }
  }

  /// Seeds from the system's entropy source and returns the seed, like `Generator.seed()`.
  @discardableResult
  public func seed() -> UInt64 {
    let seed = UInt64.random(in: UInt64.min...UInt64.max)
    manualSeed(seed)
    return seed
  }

  /// The seed the stream started from (`initial_seed()`).
  public var initialSeed: UInt64 { mutex.withLock { $0.engine.seed } }

  /// Runs `body` with exclusive access to the state: one lock hold for a whole tensor fill.
  func withState<R: Sendable>(_ body: (inout GeneratorState) -> R) -> R {
    mutex.withLock { body(&$0) }
  }

  /// The next 32 random bits (PyTorch's `random()`).
  func nextUInt32() -> UInt32 { withState { $0.nextUInt32() } }

  /// The next 64 random bits (PyTorch's `random64()`).
  func nextUInt64() -> UInt64 { withState { $0.nextUInt64() } }

  /// The full state as PyTorch's `get_state()` lays it out (5056 bytes): Mersenne Twister words,
  /// counters, seed and the cached normal values. Bytes from `torch.get_rng_state()` load here
  /// and vice versa.
  public func state() -> [UInt8] {
    let state = withState { $0 }
    var bytes = [UInt8](repeating: 0, count: generatorStateByteCount)
    bytes.withUnsafeMutableBytes { raw in
      raw.storeBytes(of: state.engine.seed.littleEndian, toByteOffset: 0, as: UInt64.self)
      raw.storeBytes(of: Int32(state.engine.left).littleEndian, toByteOffset: 8, as: Int32.self)
      raw.storeBytes(of: Int32(1).littleEndian, toByteOffset: 12, as: Int32.self)  // seeded
      raw.storeBytes(of: UInt64(state.engine.next).littleEndian, toByteOffset: 16, as: UInt64.self)
      for (i, word) in state.engine.words.enumerated() {
        raw.storeBytes(of: UInt64(word).littleEndian, toByteOffset: 24 + 8 * i, as: UInt64.self)
      }
      // Legacy Box–Muller fields: only normal_y (5024) and normal_is_valid (5040) are used.
      if let cached = state.cachedDoubleNormal {
        raw.storeBytes(of: cached.bitPattern.littleEndian, toByteOffset: 5024, as: UInt64.self)
        raw.storeBytes(of: Int32(1).littleEndian, toByteOffset: 5040, as: Int32.self)
      }
      if let cached = state.cachedFloatNormal {
        raw.storeBytes(of: cached.bitPattern.littleEndian, toByteOffset: 5048, as: UInt32.self)
        raw[5052] = 1
      }
    }
    return bytes
  }

  /// Restores a state from `state()` (or from PyTorch's `get_state()`).
  ///
  /// - Throws: `GeneratorStateError` when the byte count is not 5056 or the counters are out of
  ///   range; the generator is unchanged then.
  public func setState(_ bytes: [UInt8]) throws {
    guard bytes.count == generatorStateByteCount else {
      throw GeneratorStateError(
        description:
          "Generator.setState: expected a generator state of \(generatorStateByteCount) bytes (from state() or torch.get_rng_state()) but got \(bytes.count) bytes"
      )
    }
    let restored = try bytes.withUnsafeBytes { raw -> GeneratorState in
      func load<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
        T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
      }
      let seed = load(0, UInt64.self)
      let left = Int(load(8, Int32.self))
      let seeded = load(12, Int32.self)
      let next = load(16, UInt64.self)
      // Beyond PyTorch's own check, `next + left <= 625` keeps every draw inside the block.
      guard seeded != 0, (1...MT19937.stateSize).contains(left),
        next <= UInt64(MT19937.stateSize), Int(next) + left <= MT19937.stateSize + 1
      else {
        throw GeneratorStateError(
          description:
            "Generator.setState: invalid mt19937 state (seeded=\(seeded), left=\(left), next=\(next)); the bytes do not come from Generator.state() or torch.get_rng_state()"
        )
      }
      var state = GeneratorState(seed: seed)
      state.engine.left = left
      state.engine.next = Int(next)
      for i in 0..<MT19937.stateSize {
        // PyTorch stores each 32-bit word in 64 bits and truncates on load.
        state.engine.words[i] = UInt32(truncatingIfNeeded: load(24 + 8 * i, UInt64.self))
      }
      if load(5040, Int32.self) != 0 {
        state.cachedDoubleNormal = Double(bitPattern: load(5024, UInt64.self))
      }
      if raw[5052] != 0 {
        state.cachedFloatNormal = Float(bitPattern: load(5048, UInt32.self))
      }
      return state
    }
    withState { $0 = restored }
  }
}

/// The generator random ops use when none is passed. It starts from PyTorch's default seed, so
/// a program that never seeds still gets the same numbers on every run (PyTorch instead seeds
/// its global generator from the system at start-up); call `seed()` on it for fresh entropy.
///
/// Inside `withDefaultGenerator(_:_:)` it is that scope's generator instead, for the current
/// task or thread only.
public var defaultGenerator: Generator { GeneratorScope.current ?? globalGenerator }

private let globalGenerator = Generator()

/// A task-local replacement of the global generator (see `withDefaultGenerator`).
enum GeneratorScope {
  @TaskLocal static var current: Generator?
}

/// Runs `body` with `generator` as the default generator of this task or thread: random ops
/// without an explicit generator, layer initialisation and `manualSeed` all use it. Lets
/// independent runs (tests, parallel experiments) seed and draw without disturbing each other.
@discardableResult
public func withDefaultGenerator<R>(_ generator: Generator, _ body: () throws -> R) rethrows -> R {
  try GeneratorScope.$current.withValue(generator) { try body() }
}

/// Seeds the default generator, like `torch.manual_seed(seed)`.
public func manualSeed(_ seed: UInt64) {
  defaultGenerator.manualSeed(seed)
}
