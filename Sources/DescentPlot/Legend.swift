/// One row of a legend: a sample of the line and/or marker, and its label.
struct LegendEntry {
  var label: String
  var color: Color
  var line = true
  var dash: [Double]? = nil
  var marker = false
  var lineWidth = 1.8
}

/// A legend box placed like matplotlib's `loc="best"`: in the corner of the axes that covers
/// the fewest drawn points and notes.
enum Legend {
  static let fontSize = 12.5
  static let rowHeight = 19.0
  static let padding = 8.0
  static let sampleWidth = 26.0

  static func size(_ entries: [LegendEntry]) -> (width: Double, height: Double) {
    let labelWidth = entries.map { TextMetrics.width($0.label, size: fontSize) }.max() ?? 0
    return (
      padding * 2 + sampleWidth + 8 + labelWidth,
      padding * 2 + rowHeight * Double(entries.count) - 4
    )
  }

  /// The rectangle the legend takes in `frame`, chosen among the four corners (top right
  /// first on ties) by how many `points` and `obstacles` it would hide.
  static func placement(
    _ entries: [LegendEntry], in frame: Rect, avoiding points: [Point], obstacles: [Rect]
  ) -> Rect {
    let (width, height) = size(entries)
    return best(
      corners(width: width, height: height, in: frame), avoiding: points, obstacles: obstacles)
  }

  /// A box of the given size in each corner of `frame`: top right, top left, bottom left,
  /// bottom right.
  static func corners(width: Double, height: Double, in frame: Rect) -> [Rect] {
    let inset = 10.0
    let left = frame.x + inset
    let right = frame.maxX - inset - width
    let top = frame.y + inset
    let bottom = frame.maxY - inset - height
    return [
      Rect(x: right, y: top, width: width, height: height),
      Rect(x: left, y: top, width: width, height: height),
      Rect(x: left, y: bottom, width: width, height: height),
      Rect(x: right, y: bottom, width: width, height: height),
    ]
  }

  /// The candidate hiding the fewest points and overlapping the fewest obstacles (the first
  /// on ties).
  static func best(_ candidates: [Rect], avoiding points: [Point], obstacles: [Rect]) -> Rect {
    func cost(_ rect: Rect) -> Int {
      let hidden = points.reduce(0) { $0 + (rect.contains($1, tolerance: 3) ? 1 : 0) }
      let blocked = obstacles.reduce(0) { $0 + (rect.intersects($1) ? 1 : 0) }
      return hidden + blocked * 1_000
    }
    var best = candidates[0]
    var bestCost = cost(best)
    for candidate in candidates.dropFirst() {
      let value = cost(candidate)
      if value < bestCost {
        best = candidate
        bestCost = value
      }
    }
    return best
  }

  static func draw(_ entries: [LegendEntry], in box: Rect, on canvas: inout SVGCanvas) {
    canvas.rect(
      box.x, box.y, box.width, box.height, fill: .white, stroke: .legendEdge, strokeWidth: 1,
      opacity: 0.85, cornerRadius: 3)
    for (row, entry) in entries.enumerated() {
      let y = box.y + padding + rowHeight * (Double(row) + 0.5) - 2
      let x0 = box.x + padding
      if entry.line {
        canvas.line(
          Point(x0, y), Point(x0 + sampleWidth, y), stroke: entry.color, width: entry.lineWidth,
          dash: entry.dash)
      }
      if entry.marker {
        canvas.circle(
          Point(x0 + sampleWidth / 2, y), radius: 4, fill: entry.color, stroke: .white,
          strokeWidth: 0.8)
      }
      canvas.text(entry.label, at: Point(x0 + sampleWidth + 8, y), size: fontSize)
    }
  }
}
