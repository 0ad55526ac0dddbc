import Foundation
import Testing

@testable import DescentPlot

/// Nice tick steps (1, 2, 5 × 10^k), their labels, and the ranges axes are given.
@Suite struct TickTests {
  @Test(arguments: [
    (1.0, 5, 0.2), (10.0, 5, 2.0), (7.0, 7, 1.0), (0.03, 6, 0.005), (250.0, 5, 50.0),
    (252.0, 5, 100.0), (1e-9, 4, 5e-10), (3e6, 6, 5e5),
  ])
  func niceSteps(span: Double, intervals: Int, expected: Double) {
    let step = Ticks.niceStep(span: span, maxIntervals: intervals)
    #expect(abs(step - expected) <= expected * 1e-12)
    // Never more intervals than asked for.
    #expect(span / step <= Double(intervals) + 1e-9)
  }

  @Test func stepsAreOneTwoOrFiveTimesAPowerOfTen() {
    for exponent in -12...12 {
      for mantissa in [1.1, 1.7, 2.3, 3.9, 4.999, 6.2, 9.9] {
        let span = mantissa * pow10(exponent)
        let step = Ticks.niceStep(span: span, maxIntervals: 5)
        let scaled = step / pow10(Int(log10(step).rounded(.down)))
        #expect([1, 2, 5, 10].contains { abs($0 - scaled) < 1e-9 }, "\(span) → \(step)")
      }
    }
  }

  @Test func linearTicksLieInsideTheRange() {
    #expect(Ticks.linear(0, 1, maxIntervals: 5) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
    #expect(Ticks.linear(-5.5, 5.5, maxIntervals: 5) == [-5, 0, 5])
    #expect(Ticks.linear(-5.5, 5.5, maxIntervals: 6) == [-4, -2, 0, 2, 4])
    #expect(Ticks.linear(-0.3, 10.3, maxIntervals: 6) == [0, 2, 4, 6, 8, 10])
    // Zero is exactly zero, not -1e-17.
    #expect(Ticks.linear(-0.35, 0.35, maxIntervals: 7).contains(0))
    #expect(Ticks.linear(1, 1, maxIntervals: 5).isEmpty)
    #expect(Ticks.linear(.nan, 1, maxIntervals: 5).isEmpty)
  }

  @Test func hugeAndTinyRangesStillGetTicks() {
    let huge = Ticks.linear(-1.7e308, 1.7e308, maxIntervals: 5)
    #expect(huge.count >= 2)
    #expect(huge.allSatisfy { $0.isFinite })
    let tiny = Ticks.linear(1e-12, 2e-12, maxIntervals: 5)
    #expect(tiny.count >= 5)
    #expect(Ticks.labels(tiny).first?.text == "1.0e\(Ticks.minus)12")
  }

  @Test func labelsShowTheDecimalsTheStepNeeds() {
    let labels = Ticks.labels(Ticks.linear(0, 1, maxIntervals: 5)).map(\.text)
    #expect(labels == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    #expect(Ticks.format(-2, step: 1) == "\u{2212}2")
    #expect(Ticks.format(0.30000000000000004, step: 0.1) == "0.3")
    #expect(Ticks.format(250, step: 50) == "250")
    #expect(Ticks.format(0.005, step: 0.005) == "0.005")
    #expect(Ticks.format(2e7, step: 1e7) == "2e7")
    #expect(Ticks.format(1.5e6, step: 5e5) == "1.5e6")
    #expect(Ticks.format(-3e-5, step: 1e-5) == "\u{2212}3e\u{2212}5")
    // One axis, one number of decimals: 5e-10 next to 1.5e-9 reads 5.0e-10.
    let small = Ticks.labels([5e-10, 1e-9, 1.5e-9]).map(\.text)
    #expect(small == ["5.0e\u{2212}10", "1.0e\u{2212}9", "1.5e\u{2212}9"])
  }

  @Test func logTicksArePowersOfTen() {
    #expect(Ticks.logarithmic(0.001, 100, maxCount: 8) == [0.001, 0.01, 0.1, 1, 10, 100])
    let labels = Ticks.logLabels([0.01, 1, 100])
    #expect(labels.map(\.text) == ["10", "10", "10"])
    #expect(labels.map(\.exponent) == ["\u{2212}2", "0", "2"])
    // Many decades: every n-th one.
    #expect(Ticks.logarithmic(1e-10, 1e10, maxCount: 6) == [1e-10, 1e-6, 1e-2, 1e2, 1e6, 1e10])
    // Less than two decades: linear ticks.
    #expect(Ticks.logarithmic(4.5, 14, maxCount: 6) == [6, 8, 10, 12, 14])
    #expect(Ticks.logarithmic(0, 10, maxCount: 6).isEmpty)
  }

  @Test func constantDataGetsARange() {
    #expect(Ticks.nonsingular(5, 5) == (4.75, 5.25))
    #expect(Ticks.nonsingular(0, 0) == (-0.05, 0.05))
    #expect(Ticks.nonsingular(-2, -2) == (-2.1, -1.9))
    #expect(Ticks.nonsingular(3, 1) == (1, 3))
    #expect(Ticks.nonsingular(.infinity, 1) == (0, 1))
  }

  @Test func axisScalesMapValuesToFractions() {
    let linear = AxisScale.fitting(0, 10, isLog: false)
    #expect(linear.lower == -0.5 && linear.upper == 10.5)
    #expect(abs(linear.fraction(5) - 0.5) < 1e-12)
    let log = AxisScale.fitting(1, 100, isLog: true)
    #expect(abs(log.fraction(10) - 0.5) < 1e-12)
    #expect(log.fraction(0).isNaN)
    let wide = AxisScale.fitting(-1e308, 1e308, isLog: false)
    #expect(wide.lower.isFinite && wide.upper.isFinite)
    #expect(abs(wide.fraction(0) - 0.5) < 1e-12)
  }

  @Test func contourLevelsAreNiceAndInside() {
    // 252 / 12 = 21: a step of 20 gives 12 levels (50 would give 5).
    let levels = Ticks.levels(3, 255, count: 12)
    #expect(levels.first == 20 && levels.last == 240 && levels.count == 12)
    #expect(Ticks.levels(0, 1, count: 4).map { ($0 * 10).rounded() } == [2, 4, 6, 8])
    #expect(levels.allSatisfy { $0 > 3 && $0 < 255 })
    #expect(Ticks.levels(1, 1, count: 10).count >= 1)
  }

  private func pow10(_ n: Int) -> Double { pow(10, Double(n)) }
}
