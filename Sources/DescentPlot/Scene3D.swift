/// The box of a 3-D plot on the page: maps data to pixels, draws the three back panes with
/// their grid, and the ticked axes on the edges matplotlib uses (x and y along the front of
/// the floor, z up the rightmost vertical edge).
struct Scene3D {
  let view: ViewProjection
  let box: BoxNormalizer
  /// Half the box size in normalised units.
  let half = Vector3(0.5, 0.5, 0.375)
  private let scale: Double
  private let offset: Point

  init(view: ViewProjection, box: BoxNormalizer, width: Double, height: Double, top: Double) {
    self.view = view
    self.box = box
    var minX = Double.infinity
    var maxX = -Double.infinity
    var minY = Double.infinity
    var maxY = -Double.infinity
    for sx in [-1.0, 1] {
      for sy in [-1.0, 1] {
        for sz in [-1.0, 1] {
          let (x, y) = view.project(Vector3(sx * half.x, sy * half.y, sz * half.z))
          minX = min(minX, x)
          maxX = max(maxX, x)
          minY = min(minY, y)
          maxY = max(maxY, y)
        }
      }
    }
    // Room around the box for tick labels and axis labels.
    let side = 85.0
    let bottom = 40.0
    let availableWidth = max(10, width - 2 * side)
    let availableHeight = max(10, height - top - bottom - 20)
    scale = min(availableWidth / max(maxX - minX, 1e-9), availableHeight / max(maxY - minY, 1e-9))
    let centreX = (minX + maxX) / 2
    let centreY = (minY + maxY) / 2
    offset = Point(width / 2 - centreX * scale, top + 10 + availableHeight / 2 + centreY * scale)
  }

  /// The pixel of a point in normalised box coordinates.
  func pixel(_ p: Vector3) -> Point {
    let (x, y) = view.project(p)
    return Point(offset.x + x * scale, offset.y - y * scale)
  }

  /// The pixel of a data point.
  func screen(_ p: Vector3) -> Point { pixel(box.normalize(p)) }

  /// The back face on each axis: the side facing away from the eye.
  private var back: Vector3 {
    Vector3(
      view.toEye.x > 0 ? -half.x : half.x, view.toEye.y > 0 ? -half.y : half.y,
      // Seen exactly edge-on (elev 0) the floor stays at the bottom.
      view.toEye.z >= 0 ? -half.z : half.z)
  }

  private func ticks(_ axis: Int) -> [Double] {
    let (low, high) = [
      (box.lower.x, box.upper.x), (box.lower.y, box.upper.y), (box.lower.z, box.upper.z),
    ][axis]
    // z gets one more interval: its box side is shorter but its range is rarely round.
    return Ticks.linear(low, high, maxIntervals: axis == 2 ? 6 : 5)
  }

  /// The normalised coordinate of a data value on one axis.
  private func normalised(_ value: Double, axis: Int) -> Double {
    let p = box.normalize(Vector3(value, value, value))
    return [p.x, p.y, p.z][axis]
  }

  func drawPanes(on canvas: inout SVGCanvas) {
    let b = back
    let h = half
    // Each pane: the fixed axis, then the two axes spanning it.
    for (fixed, a, c) in [(0, 1, 2), (1, 0, 2), (2, 0, 1)] {
      func point(_ va: Double, _ vc: Double) -> Vector3 {
        var coordinates = [0.0, 0, 0]
        coordinates[fixed] = [b.x, b.y, b.z][fixed]
        coordinates[a] = va
        coordinates[c] = vc
        return Vector3(coordinates[0], coordinates[1], coordinates[2])
      }
      let ha = [h.x, h.y, h.z][a]
      let hc = [h.x, h.y, h.z][c]
      var outline = PathData()
      outline.move(pixel(point(-ha, -hc)))
      outline.line(pixel(point(ha, -hc)))
      outline.line(pixel(point(ha, hc)))
      outline.line(pixel(point(-ha, hc)))
      outline.close()
      canvas.path(outline.text, fill: .paneGray, stroke: Color(hex: 0xDADADA), strokeWidth: 0.8)
      for tick in ticks(a) {
        let t = normalised(tick, axis: a)
        canvas.line(
          pixel(point(t, -hc)), pixel(point(t, hc)), stroke: Color(hex: 0xD4D4D4), width: 0.7)
      }
      for tick in ticks(c) {
        let t = normalised(tick, axis: c)
        canvas.line(
          pixel(point(-ha, t)), pixel(point(ha, t)), stroke: Color(hex: 0xD4D4D4), width: 0.7)
      }
    }
  }

  func drawAxes(labels: (String, String, String), on canvas: inout SVGCanvas) {
    let b = back
    let h = half
    // x along the floor's front edge, y along its other front edge.
    drawAxis(
      0, from: Vector3(-h.x, -b.y, b.z), to: Vector3(h.x, -b.y, b.z),
      outward: Vector3(0, -b.y, 0), label: labels.0, on: &canvas)
    drawAxis(
      1, from: Vector3(-b.x, -h.y, b.z), to: Vector3(-b.x, h.y, b.z),
      outward: Vector3(-b.x, 0, 0), label: labels.1, on: &canvas)
    // z up the vertical edge furthest right on screen.
    var best = (x: h.x, y: h.y)
    var bestScreen = -Double.infinity
    for sx in [-1.0, 1] {
      for sy in [-1.0, 1] {
        let screenX = view.project(Vector3(sx * h.x, sy * h.y, 0)).x
        if screenX > bestScreen {
          bestScreen = screenX
          best = (sx * h.x, sy * h.y)
        }
      }
    }
    drawAxis(
      2, from: Vector3(best.x, best.y, -h.z), to: Vector3(best.x, best.y, h.z),
      outward: Vector3(best.x, best.y, 0), label: labels.2, on: &canvas)
  }

  /// One axis: its line, outward ticks, labels beside them and the axis label further out.
  private func drawAxis(
    _ axis: Int, from start: Vector3, to end: Vector3, outward: Vector3, label: String,
    on canvas: inout SVGCanvas
  ) {
    let a = pixel(start)
    let b = pixel(end)
    canvas.line(a, b, stroke: .axisGray, width: 1)
    // Seen end-on (an axis pointing at the eye) its labels would pile up on one spot.
    guard (b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y) > 30 * 30 else { return }
    // The outward direction on screen; looking straight along it, push labels down instead.
    let (dx, dy) = view.project(outward)
    let length = (dx * dx + dy * dy).squareRoot()
    let direction = length > 1e-6 ? Point(dx / length, -dy / length) : Point(0, 1)
    let anchor: TextAnchor = direction.x > 0.45 ? .start : (direction.x < -0.45 ? .end : .middle)
    let size = Plot2D.tickSize * 0.92
    let ticks = ticks(axis)
    let texts = Ticks.labels(ticks)
    var widest = 0.0
    for (tick, text) in zip(ticks, texts) {
      var p = start
      let t = normalised(tick, axis: axis)
      switch axis {
      case 0: p.x = t
      case 1: p.y = t
      default: p.z = t
      }
      let q = pixel(p)
      canvas.line(q, Point(q.x + direction.x * 5, q.y + direction.y * 5), stroke: .axisGray)
      let labelAt = Point(q.x + direction.x * 16, q.y + direction.y * 16)
      canvas.text(text.text, at: labelAt, size: size, anchor: anchor)
      widest = max(widest, TextMetrics.width(text.text, size: size))
    }
    guard !label.isEmpty else { return }
    // Beyond the tick labels: their width counts where the labels stick out sideways.
    let away = 36 + (anchor == .middle ? 0 : widest * abs(direction.x))
    let middle = Point((a.x + b.x) / 2, (a.y + b.y) / 2)
    canvas.text(
      label, at: Point(middle.x + direction.x * away, middle.y + direction.y * away),
      size: Plot2D.labelSize, anchor: .middle)
  }
}
