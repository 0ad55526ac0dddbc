/// Something drawn inside 2-D axes, in data coordinates.
enum Mark {
  /// A line through the points; NaN breaks it. Isolated points get a dot so they show.
  case line([Point], color: Color, width: Double, dash: [Double]?)
  /// Filled circles with a thin white edge, as matplotlib's scatter markers. `thinned`
  /// skips a marker almost on top of the previous one (a converging path), keeping the last.
  case markers([Point], color: Color, radius: Double, thinned: Bool = false)
  /// An arrow from each point to the next (descent steps).
  case arrows([Point], color: Color, width: Double)
  /// A text label beside each point; labels that would collide with earlier ones are skipped.
  case labels([Point], [String], color: Color)
  /// Several lines of one colour (iso-lines of one level).
  case polylines([[Point]], color: Color, width: Double)
}

/// Matplotlib-like 2-D axes: a frame with a light grid, outward ticks with nice labels, axis
/// labels, a title, the marks, a legend and notes. Every 2-D figure renders through this.
struct Plot2D {
  var width: Double
  var height: Double
  var title = ""
  var xLabel = ""
  var yLabel = ""
  var x: AxisScale
  var y: AxisScale
  var marks: [Mark] = []
  var legend: [LegendEntry] = []
  var notes: [Note] = []
  /// Space kept free at the right of the frame (a colour bar).
  var reservedRight = 0.0

  static let tickSize = 12.5
  static let labelSize = 14.0
  static let titleSize = 16.0
  static let tickLength = 5.0

  struct Layout {
    var frame: Rect
    var xTicks: [Double]
    var xLabels: [TickLabel]
    var yTicks: [Double]
    var yLabels: [TickLabel]
  }

  static func labelWidth(_ label: TickLabel) -> Double {
    guard let exponent = label.exponent else {
      return TextMetrics.width(label.text, size: tickSize)
    }
    return TextMetrics.width(label.text, size: tickSize)
      + TextMetrics.width(exponent, size: tickSize * 0.72)
  }

  func layout() -> Layout {
    let top = title.isEmpty ? 16.0 : 44
    let bottom = Self.tickLength + 6 + Self.tickSize + (xLabel.isEmpty ? 14 : 40)
    let frameHeight = max(20, height - top - bottom)
    let yIntervals = min(8, max(2, Int(frameHeight / 60)))
    let yTicks = y.ticks(maxIntervals: yIntervals)
    let yLabels = y.labels(yTicks)
    let yLabelWidth = yLabels.map(Self.labelWidth).max() ?? 0
    let left = 12 + (yLabel.isEmpty ? 0 : 26) + yLabelWidth + Self.tickLength + 5
    var right = 22 + reservedRight
    var frameWidth = max(20, width - left - right)
    var xIntervals = min(9, max(2, Int(frameWidth / 85)))
    var xTicks = x.ticks(maxIntervals: xIntervals)
    var xLabels = x.labels(xTicks)
    // Fewer ticks until the labels fit side by side with room to spare.
    while xIntervals > 1 {
      let needed = xLabels.map { Self.labelWidth($0) + 14 }.reduce(0, +)
      if needed <= frameWidth { break }
      xIntervals -= 1
      xTicks = x.ticks(maxIntervals: xIntervals)
      xLabels = x.labels(xTicks)
    }
    // The last x label may stick out past the frame: keep it on the canvas.
    if let last = xTicks.last, let label = xLabels.last {
      let overhang = Self.labelWidth(label) / 2 - (1 - x.fraction(last)) * frameWidth + 6
      if overhang > right - reservedRight {
        right = overhang + reservedRight
        frameWidth = max(20, width - left - right)
      }
    }
    let frame = Rect(x: left, y: top, width: frameWidth, height: frameHeight)
    return Layout(frame: frame, xTicks: xTicks, xLabels: xLabels, yTicks: yTicks, yLabels: yLabels)
  }

  func pixel(_ p: Point, in frame: Rect) -> Point {
    Point(frame.x + x.fraction(p.x) * frame.width, frame.maxY - y.fraction(p.y) * frame.height)
  }

  /// Draws the axes and everything in them; returns the canvas and the frame.
  func draw() -> (SVGCanvas, Rect) {
    let layout = layout()
    let frame = layout.frame
    var canvas = SVGCanvas()
    drawGrid(layout, on: &canvas)
    var drawn: [Point] = []
    for mark in marks { drawMark(mark, frame: frame, on: &canvas, drawn: &drawn) }
    canvas.rect(
      frame.x, frame.y, frame.width, frame.height, fill: nil, stroke: .axisGray, strokeWidth: 1)
    drawTicks(layout, on: &canvas)
    drawTitles(frame, on: &canvas)
    var noteBoxes: [Rect] = []
    for note in notes {
      noteBoxes.append(
        drawNote(note, frame: frame, avoiding: drawn, obstacles: noteBoxes, on: &canvas))
    }
    if !legend.isEmpty {
      let box = Legend.placement(legend, in: frame, avoiding: drawn, obstacles: noteBoxes)
      Legend.draw(legend, in: box, on: &canvas)
    }
    return (canvas, frame)
  }

  private func drawGrid(_ layout: Layout, on canvas: inout SVGCanvas) {
    let frame = layout.frame
    for tick in layout.xTicks {
      let px = frame.x + x.fraction(tick) * frame.width
      canvas.line(Point(px, frame.y), Point(px, frame.maxY), stroke: .gridGray, width: 0.8)
    }
    for tick in layout.yTicks {
      let py = frame.maxY - y.fraction(tick) * frame.height
      canvas.line(Point(frame.x, py), Point(frame.maxX, py), stroke: .gridGray, width: 0.8)
    }
  }

  private func drawTicks(_ layout: Layout, on canvas: inout SVGCanvas) {
    let frame = layout.frame
    let size = Self.tickSize
    for (tick, label) in zip(layout.xTicks, layout.xLabels) {
      let px = frame.x + x.fraction(tick) * frame.width
      canvas.line(Point(px, frame.maxY), Point(px, frame.maxY + Self.tickLength), stroke: .axisGray)
      let baseline = frame.maxY + Self.tickLength + 4 + size * 0.8
      drawTickLabel(label, at: Point(px, baseline), anchor: .middle, on: &canvas)
    }
    for (tick, label) in zip(layout.yTicks, layout.yLabels) {
      let py = frame.maxY - y.fraction(tick) * frame.height
      canvas.line(Point(frame.x - Self.tickLength, py), Point(frame.x, py), stroke: .axisGray)
      let baseline = py + size * 0.35
      drawTickLabel(
        label, at: Point(frame.x - Self.tickLength - 4, baseline), anchor: .end, on: &canvas)
    }
  }

  /// A tick label at a baseline point; powers of ten get a raised, smaller exponent.
  private func drawTickLabel(
    _ label: TickLabel, at point: Point, anchor: TextAnchor, on canvas: inout SVGCanvas
  ) {
    let size = Self.tickSize
    guard let exponent = label.exponent else {
      canvas.text(label.text, at: point, size: size, anchor: anchor, baseline: true)
      return
    }
    let baseWidth = TextMetrics.width(label.text, size: size)
    let total = Self.labelWidth(label)
    let start = anchor == .middle ? point.x - total / 2 : point.x - total
    canvas.text(label.text, at: Point(start, point.y), size: size, baseline: true)
    canvas.text(
      exponent, at: Point(start + baseWidth, point.y - size * 0.45), size: size * 0.72,
      baseline: true)
  }

  private func drawTitles(_ frame: Rect, on canvas: inout SVGCanvas) {
    if !title.isEmpty {
      canvas.text(
        title, at: Point(frame.centre.x, frame.y - 20), size: Self.titleSize, anchor: .middle)
    }
    if !xLabel.isEmpty {
      let y = frame.maxY + Self.tickLength + 4 + Self.tickSize + 18
      canvas.text(xLabel, at: Point(frame.centre.x, y), size: Self.labelSize, anchor: .middle)
    }
    if !yLabel.isEmpty {
      let p = Point(20, frame.centre.y)
      canvas.text(yLabel, at: p, size: Self.labelSize, anchor: .middle, rotation: -90)
    }
  }

  private func drawMark(_ mark: Mark, frame: Rect, on canvas: inout SVGCanvas, drawn: inout [Point])
  {
    switch mark {
    case .line(let points, let color, let width, let dash):
      let pixels = points.map { pixel($0, in: frame) }
      for run in clippedRuns(pixels, to: frame) {
        canvas.polyline(run, stroke: color, width: width, dash: dash)
      }
      // A point with no finite neighbour would draw nothing as a line.
      for (index, p) in pixels.enumerated() where p.isFinite && frame.contains(p) {
        let before = index > 0 && pixels[index - 1].isFinite
        let after = index + 1 < pixels.count && pixels[index + 1].isFinite
        if !before && !after { canvas.circle(p, radius: max(2, width), fill: color) }
      }
      drawn += sampled(pixels.filter { $0.isFinite })
    case .markers(let points, let color, let radius, let thinned):
      var previous: Point?
      let pixels = points.map { pixel($0, in: frame) }
      for (index, p) in pixels.enumerated() where p.isFinite && frame.contains(p, tolerance: 0.5) {
        if thinned, index < pixels.count - 1, let q = previous,
          (p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y) < radius * radius
        {
          continue
        }
        canvas.circle(p, radius: radius, fill: color, stroke: .white, strokeWidth: 0.8)
        drawn.append(p)
        previous = p
      }
    case .arrows(let points, let color, let width):
      let pixels = points.map { pixel($0, in: frame) }
      for (a, b) in zip(pixels, pixels.dropFirst()) {
        drawArrow(from: a, to: b, color: color, width: width, frame: frame, on: &canvas)
      }
    case .labels(let points, let texts, let color):
      var placed: [Rect] = []
      // An empty text is no label: it must not take room that a later label needs.
      for (p, text) in zip(points.map({ pixel($0, in: frame) }), texts)
      where p.isFinite && frame.contains(p) && !text.isEmpty {
        let w = TextMetrics.width(text, size: 12)
        var box = Rect(x: p.x + 6, y: p.y - 20, width: w, height: 14)
        // Near the frame's top or right edge the label goes below or to the left instead.
        if box.y < frame.y + 2 { box.y = p.y + 6 }
        if box.maxX > frame.maxX - 2 { box.x = p.x - 6 - w }
        guard !placed.contains(where: { $0.intersects(box) }) else { continue }
        placed.append(box)
        canvas.text(text, at: Point(box.x, box.y + 7), size: 12, color: color)
      }
    case .polylines(let lines, let color, let width):
      for line in lines {
        for run in clippedRuns(line.map { pixel($0, in: frame) }, to: frame) {
          canvas.polyline(run, stroke: color, width: width)
        }
      }
    }
  }

  /// Up to a few hundred points of a line, enough for the legend to find a free corner.
  private func sampled(_ points: [Point]) -> [Point] {
    guard points.count > 400 else { return points }
    let step = points.count / 400 + 1
    return stride(from: 0, to: points.count, by: step).map { points[$0] }
  }

  /// Draws a line a→b ending in a filled arrow head, shortened so it stops at b's marker.
  private func drawArrow(
    from a: Point, to b: Point, color: Color, width: Double, frame: Rect, on canvas: inout SVGCanvas
  ) {
    guard a.isFinite, b.isFinite else { return }
    let dx = b.x - a.x
    let dy = b.y - a.y
    let length = (dx * dx + dy * dy).squareRoot()
    guard length > 12, let (start, end) = clip(a, b, to: frame) else { return }
    let ux = dx / length
    let uy = dy / length
    let gap = 5.0  // the marker radius plus a little air
    let tip = end == b ? Point(b.x - ux * gap, b.y - uy * gap) : end
    let tail = start == a ? Point(a.x + ux * gap, a.y + uy * gap) : start
    let head = min(8.0, length / 3)
    let base = Point(tip.x - ux * head, tip.y - uy * head)
    canvas.line(tail, base, stroke: color, width: width)
    var path = PathData()
    path.move(tip)
    path.line(Point(base.x - uy * head * 0.45, base.y + ux * head * 0.45))
    path.line(Point(base.x + uy * head * 0.45, base.y - ux * head * 0.45))
    path.close()
    canvas.path(path.text, fill: color)
  }

  /// Draws a note on a translucent white box; returns the box.
  private func drawNote(
    _ note: Note, frame: Rect, avoiding points: [Point], obstacles: [Rect],
    on canvas: inout SVGCanvas
  ) -> Rect {
    let lineWidth = TextMetrics.width(note.text, size: note.size)
    let boxWidth = lineWidth + 12
    let boxHeight = note.size + 10
    let inset = 10.0
    let origin: Point
    switch note.position {
    case .best:
      let corners = Legend.corners(width: boxWidth, height: boxHeight, in: frame)
      let chosen = Legend.best(corners, avoiding: points, obstacles: obstacles)
      origin = Point(chosen.x, chosen.y)
    case .topLeft: origin = Point(frame.x + inset, frame.y + inset)
    case .topRight: origin = Point(frame.maxX - inset - boxWidth, frame.y + inset)
    case .bottomLeft: origin = Point(frame.x + inset, frame.maxY - inset - boxHeight)
    case .bottomRight: origin = Point(frame.maxX - inset - boxWidth, frame.maxY - inset - boxHeight)
    case .center: origin = Point(frame.centre.x - boxWidth / 2, frame.centre.y - boxHeight / 2)
    case .data(let dx, let dy):
      let p = pixel(Point(dx, dy), in: frame)
      let centre = p.isFinite ? p : frame.centre
      origin = Point(centre.x - boxWidth / 2, centre.y - boxHeight / 2)
    }
    let box = Rect(x: origin.x, y: origin.y, width: boxWidth, height: boxHeight)
    canvas.rect(box.x, box.y, box.width, box.height, fill: .white, opacity: 0.8, cornerRadius: 3)
    canvas.text(note.text, at: Point(box.x + 6, box.centre.y), size: note.size, color: note.color)
    return box
  }
}
