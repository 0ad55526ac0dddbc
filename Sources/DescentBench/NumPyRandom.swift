import Foundation

// NumPy's `np.random.default_rng(seed)` as far as the reference benchmarks use it: SeedSequence
// and PCG64, `normal`, `standard_normal(dtype=float32)` (Marsaglia–Tsang ziggurats with 256
// levels) and `integers` (Lemire's bounded method), so that descent-bench trains on exactly
// the images that cnn_train_torch.py trains on. The ziggurat tables are computed at start-up
// from the ziggurat's defining recurrence; CNNBench checks the images it makes against the
// sum and label total NumPy prints for them.

/// A PCG64 generator seeded as `np.random.default_rng(seed)` seeds it.
struct NumPyGenerator {
  private var state: UInt128 = 0
  private let increment: UInt128
  /// PCG64 hands out the two halves of a 64-bit draw as 32-bit draws, low half first.
  private var spare: UInt32?

  private static let multiplier: UInt128 =
    (0x2360_ED05_1FC6_5DA4 as UInt128) << 64 | 0x4385_DF64_9FCC_F645

  init(seed: UInt32) {
    let words = Self.seedSequence(entropy: seed, words: 8)
    func word(_ i: Int) -> UInt128 { UInt128(words[2 * i]) | UInt128(words[2 * i + 1]) << 32 }
    let initialState = word(0) << 64 | word(1)
    let sequence = word(2) << 64 | word(3)
    increment = sequence << 1 | 1
    step()
    state &+= initialState
    step()
  }

  /// `SeedSequence(entropy).generate_state(words, uint32)`: the entropy hashed into a pool of
  /// four words, mixed, and drawn from.
  static func seedSequence(entropy: UInt32, words: Int) -> [UInt32] {
    var hashConstant: UInt32 = 0x43B0_D7E5
    func hashmix(_ value: UInt32) -> UInt32 {
      var value = value ^ hashConstant
      hashConstant &*= 0x931E_8875
      value &*= hashConstant
      return value ^ (value >> 16)
    }
    func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
      let result = 0xCA01_F9DD &* x &- 0x4973_F715 &* y
      return result ^ (result >> 16)
    }
    var pool = (0..<4).map { hashmix($0 == 0 ? entropy : 0) }
    for source in 0..<4 {
      for target in 0..<4 where source != target {
        pool[target] = mix(pool[target], hashmix(pool[source]))
      }
    }
    var drawConstant: UInt32 = 0x8B51_F9DD
    return (0..<words).map { i in
      var value = pool[i % 4] ^ drawConstant
      drawConstant &*= 0x58F3_8DED
      value &*= drawConstant
      return value ^ (value >> 16)
    }
  }

  private mutating func step() { state = state &* Self.multiplier &+ increment }

  /// PCG's XSL-RR output of the next state.
  mutating func nextUInt64() -> UInt64 {
    step()
    let value = UInt64(truncatingIfNeeded: state >> 64) ^ UInt64(truncatingIfNeeded: state)
    let rotation = UInt64(truncatingIfNeeded: state >> 122)
    return value >> rotation | value << ((64 - rotation) & 63)
  }

  mutating func nextUInt32() -> UInt32 {
    if let spare {
      self.spare = nil
      return spare
    }
    let draw = nextUInt64()
    spare = UInt32(truncatingIfNeeded: draw >> 32)
    return UInt32(truncatingIfNeeded: draw)
  }

  mutating func nextDouble() -> Double {
    Double(nextUInt64() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }
  mutating func nextFloat() -> Float { Float(nextUInt32() >> 8) * (1.0 / 16_777_216.0) }

  /// `rng.normal(0, 1)`: the double ziggurat.
  mutating func standardNormal() -> Double {
    let z = doubleTables
    while true {
      var bits = nextUInt64()
      let level = Int(bits & 0xFF)
      bits >>= 8
      let negative = bits & 1 == 1
      let magnitude = (bits >> 1) & 0x000F_FFFF_FFFF_FFFF
      let x = (negative ? -1 : 1) * Double(magnitude) * z.widths[level]
      if magnitude < z.thresholds[level] { return x }
      if level == 0 {
        while true {
          let xx = -ZigguratEdge.inverseR * Foundation.log1p(-nextDouble())
          let yy = -Foundation.log1p(-nextDouble())
          if yy + yy > xx * xx {
            return (magnitude >> 8) & 1 == 1 ? -(ZigguratEdge.r + xx) : ZigguratEdge.r + xx
          }
        }
      }
      let heights = z.heights
      if (heights[level - 1] - heights[level]) * nextDouble() + heights[level] < exp(-0.5 * x * x) {
        return x
      }
    }
  }

  /// `rng.standard_normal(dtype=np.float32)`: the float ziggurat.
  mutating func standardNormalFloat() -> Float {
    let z = floatTables
    while true {
      let bits = nextUInt32()
      let level = Int(bits & 0xFF)
      let negative = (bits >> 8) & 1 == 1
      let magnitude = (bits >> 9) & 0x7F_FFFF
      var x = Float(magnitude) * z.widths[level]
      if negative { x = -x }
      if UInt64(magnitude) < z.thresholds[level] { return x }
      if level == 0 {
        while true {
          let xx = -ZigguratEdge.inverseRFloat * Foundation.log1p(-nextFloat())
          let yy = -Foundation.log1p(-nextFloat())
          if yy + yy > xx * xx {
            return (magnitude >> 8) & 1 == 1
              ? -(ZigguratEdge.rFloat + xx) : ZigguratEdge.rFloat + xx
          }
        }
      }
      let heights = z.heights
      if (heights[level - 1] - heights[level]) * nextFloat() + heights[level] < expf(-0.5 * x * x) {
        return x
      }
    }
  }

  /// `rng.integers(0, bound)` for int64 output: Lemire's method on 32-bit draws.
  mutating func integer(below bound: UInt32) -> Int {
    let range = bound - 1
    var product = UInt64(nextUInt32()) * UInt64(bound)
    var leftover = UInt32(truncatingIfNeeded: product)
    if leftover < bound {
      let threshold = (UInt32.max - range) % bound
      while leftover < threshold {
        product = UInt64(nextUInt32()) * UInt64(bound)
        leftover = UInt32(truncatingIfNeeded: product)
      }
    }
    return Int(product >> 32)
  }
}

/// The tables of a 256-level normal ziggurat: for each level the acceptance threshold, the
/// width scale and the density at its edge.
struct Ziggurat<T: BinaryFloatingPoint & Sendable>: Sendable {
  let thresholds: [UInt64]
  let widths: [T]
  let heights: [T]

  /// Marsaglia and Tsang's recurrence from the rightmost edge r down, each level of equal area
  /// v (the tail's area included), for draws of `bits` random bits; the float tables round the
  /// thresholds to nearest, the double ones truncate (as NumPy's do).
  init(bits: Int, roundThresholds: Bool) {
    let r = ZigguratEdge.r
    func density(_ x: Double) -> Double { exp(-0.5 * x * x) }
    let area = r * density(r) + (Double.pi / 2).squareRoot() * erfc(r / 2.0.squareRoot())
    let scale = Double(UInt64(1) << bits)
    func threshold(_ x: Double) -> UInt64 {
      UInt64(roundThresholds ? (x * scale).rounded() : (x * scale).rounded(.down))
    }
    var thresholds = [UInt64](repeating: 0, count: 256)
    var widths = [T](repeating: 0, count: 256)
    var heights = [T](repeating: 0, count: 256)
    var edge = r
    var previous = edge
    let q = area / density(edge)
    thresholds[0] = threshold(edge / q)
    widths[0] = T(q / scale)
    widths[255] = T(edge / scale)
    heights[0] = 1
    heights[255] = T(density(edge))
    for level in stride(from: 254, through: 1, by: -1) {
      edge = (-2 * log(area / edge + density(edge))).squareRoot()
      thresholds[level + 1] = threshold(edge / previous)
      previous = edge
      heights[level] = T(density(edge))
      widths[level] = T(edge / scale)
    }
    self.thresholds = thresholds
    self.widths = widths
    self.heights = heights
  }

}

/// The rightmost edge of the ziggurats and its inverse, as NumPy spells them.
enum ZigguratEdge {
  static let r = 3.6541528853610087963519472518
  static let inverseR = 0.27366123732975827203338247596
  static let rFloat: Float = 3.6541528853610087963519472518
  static let inverseRFloat: Float = 0.27366123732975827203338247596
}

private let doubleTables = Ziggurat<Double>(bits: 52, roundThresholds: false)
private let floatTables = Ziggurat<Float>(bits: 23, roundThresholds: true)
