/// Values of a function f(u, v) on a regular grid, the input of contour and surface plots.
public struct Grid: Sendable, Equatable {
  /// The u coordinates of the columns, increasing.
  public let us: [Double]
  /// The v coordinates of the rows, increasing.
  public let vs: [Double]
  /// `values[j][i]` is f(us[i], vs[j]); NaN or infinite values leave holes.
  public let values: [[Double]]

  /// Samples `function` at `resolution` × `resolution` points spanning both ranges.
  ///
  /// - Throws: `PlotError` for an empty or infinite range, or a resolution outside 2...2000.
  public init(
    function: (Double, Double) -> Double, u: ClosedRange<Double>, v: ClosedRange<Double>,
    resolution: Int = 81
  ) throws {
    try validateRange(u, name: "u")
    try validateRange(v, name: "v")
    guard resolution >= 2, resolution <= 2_000 else {
      throw PlotError.invalidArgument("grid resolution must be in 2...2000, got \(resolution)")
    }
    func axis(_ range: ClosedRange<Double>) -> [Double] {
      (0..<resolution).map {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double($0)
          / Double(resolution - 1)
      }
    }
    let us = axis(u)
    let vs = axis(v)
    self.us = us
    self.vs = vs
    self.values = vs.map { v in us.map { u in function(u, v) } }
  }

  /// A grid from values already computed, `values[j][i]` at (us[i], vs[j]).
  ///
  /// - Throws: `PlotError` when the coordinates are not finite and strictly increasing, there
  ///   are fewer than 2 of either, or the rows do not match them.
  public init(us: [Double], vs: [Double], values: [[Double]]) throws {
    for (name, axis) in [("u", us), ("v", vs)] {
      guard axis.count >= 2, axis.allSatisfy(\.isFinite),
        zip(axis, axis.dropFirst()).allSatisfy({ $0 < $1 })
      else {
        throw PlotError.invalidArgument(
          "grid \(name) coordinates must be at least 2 finite, strictly increasing values")
      }
    }
    guard values.count == vs.count, values.allSatisfy({ $0.count == us.count }) else {
      throw PlotError.invalidArgument(
        "grid values must have \(vs.count) rows (one per v) of \(us.count) values (one per u)")
    }
    self.us = us
    self.vs = vs
    self.values = values
  }

  /// The smallest and largest finite value, or nil when there is none.
  var valueRange: (Double, Double)? {
    var extent = Extent()
    for row in values { extent.add(contentsOf: row) }
    return extent.isEmpty ? nil : extent.range(or: (0, 1))
  }

  /// The levels a contour or surface plot of this grid draws: the `given` ones sorted without
  /// repeats, or else `count` round levels across the grid's values (none without a finite
  /// value).
  ///
  /// - Throws: `PlotError` when `given` is empty or holds a non-finite level; `plot` names
  ///   the kind of plot in the message.
  func levels(_ given: [Double]?, count: Int, plot: String) throws -> [Double] {
    if let given {
      guard !given.isEmpty, given.allSatisfy(\.isFinite) else {
        throw PlotError.invalidArgument("\(plot) levels must be finite and at least one")
      }
      return Array(Set(given)).sorted()
    }
    guard let (low, high) = valueRange else { return [] }
    return Ticks.levels(low, high, count: count)
  }
}
