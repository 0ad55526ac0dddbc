/// An axis-aligned rectangle in pixels.
struct Rect: Equatable {
  var x: Double
  var y: Double
  var width: Double
  var height: Double

  var maxX: Double { x + width }
  var maxY: Double { y + height }
  var centre: Point { Point(x + width / 2, y + height / 2) }

  func contains(_ p: Point, tolerance: Double = 0) -> Bool {
    p.x >= x - tolerance && p.x <= maxX + tolerance && p.y >= y - tolerance
      && p.y <= maxY + tolerance
  }

  func intersects(_ other: Rect) -> Bool {
    x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
  }
}

/// The smallest and largest finite values seen (positive ones only, for a log axis).
struct Extent {
  private(set) var lower = Double.infinity
  private(set) var upper = -Double.infinity
  let positiveOnly: Bool

  init(positiveOnly: Bool = false) { self.positiveOnly = positiveOnly }

  var isEmpty: Bool { lower > upper }

  mutating func add(_ value: Double) {
    guard value.isFinite, !positiveOnly || value > 0 else { return }
    lower = Swift.min(lower, value)
    upper = Swift.max(upper, value)
  }

  mutating func add(contentsOf values: [Double]) {
    for value in values { add(value) }
  }

  /// The range seen, or `fallback` when nothing was.
  func range(or fallback: (Double, Double)) -> (Double, Double) {
    isEmpty ? fallback : (lower, upper)
  }
}

/// Clips the segment a-b to `rect` (Liang–Barsky); nil when it lies outside.
func clip(_ a: Point, _ b: Point, to rect: Rect) -> (Point, Point)? {
  var t0 = 0.0
  var t1 = 1.0
  let dx = b.x - a.x
  let dy = b.y - a.y
  let checks = [
    (-dx, a.x - rect.x), (dx, rect.maxX - a.x), (-dy, a.y - rect.y), (dy, rect.maxY - a.y),
  ]
  for (p, q) in checks {
    if p == 0 {
      if q < 0 { return nil }
      continue
    }
    let r = q / p
    if p < 0 {
      if r > t1 { return nil }
      t0 = max(t0, r)
    } else {
      if r < t0 { return nil }
      t1 = min(t1, r)
    }
  }
  return (Point(a.x + t0 * dx, a.y + t0 * dy), Point(a.x + t1 * dx, a.y + t1 * dy))
}

/// Splits a polyline into the runs that are drawable inside `rect`: non-finite points break
/// the line (as NaN does in matplotlib) and parts outside the rectangle are cut away.
func clippedRuns(_ points: [Point], to rect: Rect) -> [[Point]] {
  var runs: [[Point]] = []
  var current: [Point] = []
  func finish() {
    if current.count >= 2 { runs.append(current) }
    current = []
  }
  var previous: Point?
  for point in points {
    guard point.isFinite else {
      finish()
      previous = nil
      continue
    }
    defer { previous = point }
    guard let start = previous else {
      // A lone first point starts a run only if it is inside.
      if rect.contains(point) { current = [point] }
      continue
    }
    guard let (a, b) = clip(start, point, to: rect) else {
      finish()
      continue
    }
    if current.isEmpty || current.last != a {
      finish()
      current = [a]
    }
    current.append(b)
    if b != point { finish() }
  }
  finish()
  return runs
}
