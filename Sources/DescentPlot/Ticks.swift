import Foundation

/// A tick label: plain text, or a power of ten drawn as a base with a raised exponent.
struct TickLabel: Equatable {
  var text: String
  var exponent: String? = nil
}

/// Tick positions and labels, in the spirit of matplotlib's `MaxNLocator` and
/// `ScalarFormatter`: steps of 1, 2 or 5 times a power of ten, labels with just the decimals
/// the step needs, a true minus sign, and scientific notation for very large or small values.
enum Ticks {
  static let minus = "\u{2212}"

  /// The smallest step of the form {1, 2, 5} × 10^k that cuts `span` into at most
  /// `maxIntervals` pieces.
  static func niceStep(span: Double, maxIntervals: Int) -> Double {
    niceStep(0, span, maxIntervals: maxIntervals)
  }

  /// The nice step for `lower...upper`; divides before subtracting, so that a range as wide
  /// as ±1e308 does not overflow.
  static func niceStep(_ lower: Double, _ upper: Double, maxIntervals: Int) -> Double {
    let intervals = Double(max(1, maxIntervals))
    let raw = upper / intervals - lower / intervals
    guard raw.isFinite, raw > 0 else { return 1 }
    let magnitude = Foundation.pow(10, (log10(raw)).rounded(.down))
    for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= raw * (1 - 1e-9) {
      return multiple * magnitude
    }
    return 10 * magnitude
  }

  /// The multiples of a nice step that lie in `lower...upper`.
  static func linear(_ lower: Double, _ upper: Double, maxIntervals: Int) -> [Double] {
    guard lower.isFinite, upper.isFinite, upper > lower else { return [] }
    let step = niceStep(lower, upper, maxIntervals: maxIntervals)
    let first = (lower / step - 1e-9).rounded(.up)
    let last = (upper / step + 1e-9).rounded(.down)
    guard first <= last, last - first < 1000 else { return [] }
    return stride(from: first, through: last, by: 1).compactMap { k in
      let tick = k * step
      guard tick.isFinite else { return nil }
      return abs(tick) < step * 1e-9 ? 0 : tick
    }
  }

  /// Powers of ten in `lower...upper` (every n-th decade when there are many); when the range
  /// holds fewer than two decades, linear nice ticks instead.
  static func logarithmic(_ lower: Double, _ upper: Double, maxCount: Int) -> [Double] {
    guard lower > 0, upper > lower, lower.isFinite, upper.isFinite else { return [] }
    let first = (log10(lower) - 1e-9).rounded(.up)
    let last = (log10(upper) + 1e-9).rounded(.down)
    let decades = last - first + 1
    guard decades >= 2 else { return linear(lower, upper, maxIntervals: maxCount) }
    let every = max(1, (decades / Double(max(1, maxCount))).rounded(.up))
    return stride(from: first, through: last, by: every).map { Foundation.pow(10, $0) }
  }

  /// Labels for linear ticks spaced by `step`.
  static func labels(_ ticks: [Double]) -> [TickLabel] {
    guard ticks.count >= 1 else { return [] }
    let step = ticks.count >= 2 ? abs(ticks[1] - ticks[0]) : max(abs(ticks[0]), 1)
    let largest = ticks.map(abs).max() ?? 0
    return ticks.map { TickLabel(text: format($0, step: step, largest: largest)) }
  }

  /// Labels for log ticks: `10` with the exponent raised when every tick is a power of ten.
  static func logLabels(_ ticks: [Double]) -> [TickLabel] {
    let exponents = ticks.map { log10($0).rounded() }
    let powersOfTen = zip(ticks, exponents).allSatisfy {
      abs($0.0 - Foundation.pow(10, $0.1)) <= $0.0 * 1e-9
    }
    guard powersOfTen, ticks.count >= 2 else { return labels(ticks) }
    return exponents.map {
      TickLabel(text: "10", exponent: String(Int($0)).replacingOccurrences(of: "-", with: minus))
    }
  }

  /// A value as a tick label when ticks are `step` apart. Values of 1e6 and more, or below
  /// 1e-4, are written as `1.5e7`; all labels of an axis (whose largest magnitude is
  /// `largest`) then show the same number of decimals.
  static func format(_ value: Double, step: Double, largest: Double? = nil) -> String {
    guard value.isFinite else { return "" }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    let stepExponent = Int(log10(abs(step)).rounded(.down))
    let top = max(magnitude, largest ?? magnitude)
    if top >= 1e6 || top < 1e-4 {
      let exponent = Int(log10(magnitude).rounded(.down))
      let topExponent = Int(log10(top).rounded(.down))
      let digits = min(15, max(0, topExponent - stepExponent))
      var mantissa = String(format: "%.\(digits)f", value / Foundation.pow(10, Double(exponent)))
      // Rounding may carry into the next decade (9.99 → 10.0).
      var shown = exponent
      if let m = Double(mantissa), abs(m) >= 10 {
        shown += 1
        mantissa = String(format: "%.\(digits)f", value / Foundation.pow(10, Double(shown)))
      }
      return (mantissa + "e" + String(shown)).replacingOccurrences(of: "-", with: minus)
    }
    let decimals = min(15, max(0, -stepExponent))
    let text = String(format: "%.\(decimals)f", value)
    return text.replacingOccurrences(of: "-", with: minus)
  }

  /// A range that can be drawn: equal or nearly equal ends are spread by 5% of their size
  /// (±0.05 around zero), as matplotlib does for constant data.
  static func nonsingular(_ lower: Double, _ upper: Double) -> (Double, Double) {
    guard lower.isFinite, upper.isFinite else { return (0, 1) }
    let low = min(lower, upper)
    let high = max(lower, upper)
    let size = max(abs(low), abs(high))
    // Values near the smallest doubles cannot be ticked apart: show them around zero.
    if size < 1e-280 { return (-0.05, 0.05) }
    if high - low <= size * 1e-12 {
      if size == 0 { return (-0.05, 0.05) }
      return (low - 0.05 * abs(low), high + 0.05 * abs(high))
    }
    return (low, high)
  }

  /// Contour levels: multiples of a nice step strictly inside the data range, the step chosen
  /// so that their number is as close to `count` as 1-2-5 steps allow (an axis needs at most
  /// so many ticks; a contour map wants about so many lines).
  static func levels(_ lower: Double, _ upper: Double, count: Int) -> [Double] {
    let (low, high) = nonsingular(lower, upper)
    let wanted = max(1, count)
    let coarse = niceStep(low, high, maxIntervals: wanted)
    var best: [Double] = []
    for step in [coarse, coarse / 2, coarse / 2.5, coarse / 5] {
      let candidate = multiples(of: step, in: low, high).filter { $0 > low && $0 < high }
      if best.isEmpty || abs(candidate.count - wanted) < abs(best.count - wanted) {
        best = candidate
      }
    }
    return best.isEmpty ? [(low + high) / 2] : best
  }

  private static func multiples(of step: Double, in lower: Double, _ upper: Double) -> [Double] {
    let first = (lower / step - 1e-9).rounded(.up)
    let last = (upper / step + 1e-9).rounded(.down)
    guard first <= last, last - first < 10_000 else { return [] }
    return stride(from: first, through: last, by: 1).map { abs($0) < 1e-9 ? 0 : $0 * step }
  }
}

/// Maps data values on one axis to the fraction 0...1 of the axis length.
struct AxisScale: Equatable {
  var lower: Double
  var upper: Double
  var isLog: Bool

  /// The axis for data in `lower...upper`, widened by `margin` of the span on each side (in
  /// log space for a log axis), like matplotlib's `axes.xmargin`.
  static func fitting(
    _ lower: Double, _ upper: Double, isLog: Bool, margin: Double = 0.05
  ) -> AxisScale {
    if isLog {
      let (a, b) = Ticks.nonsingular(log10(lower), log10(upper))
      let pad = (b - a) * margin
      return AxisScale(
        lower: Foundation.pow(10, a - pad), upper: Foundation.pow(10, b + pad), isLog: true)
    }
    let (a, b) = Ticks.nonsingular(lower, upper)
    // Halves first: b - a overflows for data near ±1.8e308.
    let pad = (b / 2 - a / 2) * 2 * margin
    let maxValue = Double.greatestFiniteMagnitude
    return AxisScale(
      lower: max(-maxValue, a - pad), upper: min(maxValue, b + pad), isLog: false)
  }

  /// Where `value` falls between the ends, 0 at `lower` and 1 at `upper` (outside for values
  /// beyond them; NaN for non-positive values on a log axis).
  func fraction(_ value: Double) -> Double {
    if isLog {
      guard value > 0 else { return .nan }
      return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
    }
    return (value / 2 - lower / 2) / (upper / 2 - lower / 2)
  }

  func ticks(maxIntervals: Int) -> [Double] {
    isLog
      ? Ticks.logarithmic(lower, upper, maxCount: maxIntervals + 1)
      : Ticks.linear(lower, upper, maxIntervals: maxIntervals)
  }

  func labels(_ ticks: [Double]) -> [TickLabel] {
    isLog ? Ticks.logLabels(ticks) : Ticks.labels(ticks)
  }
}
