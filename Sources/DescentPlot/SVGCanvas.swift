/// A point in SVG user units (pixels), y pointing down.
struct Point: Equatable, Sendable {
  var x: Double
  var y: Double

  init(_ x: Double, _ y: Double) {
    self.x = x
    self.y = y
  }

  var isFinite: Bool { x.isFinite && y.isFinite }
}

/// How a text line is aligned on its anchor point.
enum TextAnchor: String {
  case start, middle, end
}

/// The fonts every figure names: installed almost everywhere (DejaVu on Linux, so rsvg and
/// browsers pick the same face), with generic fallbacks.
enum Fonts {
  static let sans = "DejaVu Sans, Helvetica, Arial, sans-serif"
  static let mono = "DejaVu Sans Mono, Menlo, Consolas, Courier New, monospace"
}

/// Collects SVG 1.1 elements. Only plain elements and presentation attributes are written (no
/// CSS, no `dominant-baseline`, no markers), so librsvg and browsers draw the same picture.
struct SVGCanvas {
  private(set) var elements: [String] = []

  mutating func append(raw element: String) { elements.append(element) }

  mutating func append(_ other: SVGCanvas, translatedBy offset: Point) {
    guard !other.elements.isEmpty else { return }
    elements.append("<g transform=\"translate(\(num(offset.x)),\(num(offset.y)))\">")
    elements.append(contentsOf: other.elements)
    elements.append("</g>")
  }

  mutating func rect(
    _ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: Color?,
    stroke: Color? = nil, strokeWidth: Double = 1, opacity: Double = 1, cornerRadius: Double = 0
  ) {
    var attributes =
      "x=\"\(num(x))\" y=\"\(num(y))\" width=\"\(num(width))\" height=\"\(num(height))\""
    if cornerRadius > 0 { attributes += " rx=\"\(num(cornerRadius))\"" }
    attributes += paint(fill: fill, stroke: stroke, strokeWidth: strokeWidth)
    if opacity < 1 { attributes += " fill-opacity=\"\(num(opacity, digits: 3))\"" }
    elements.append("<rect \(attributes)/>")
  }

  mutating func line(
    _ a: Point, _ b: Point, stroke: Color, width: Double = 1, dash: [Double]? = nil,
    opacity: Double = 1
  ) {
    guard a.isFinite, b.isFinite else { return }
    var attributes = "x1=\"\(num(a.x))\" y1=\"\(num(a.y))\" x2=\"\(num(b.x))\" y2=\"\(num(b.y))\""
    attributes += paint(fill: nil, stroke: stroke, strokeWidth: width, dash: dash)
    if opacity < 1 { attributes += " stroke-opacity=\"\(num(opacity, digits: 3))\"" }
    elements.append("<line \(attributes)/>")
  }

  /// An open polyline; points that are not finite are dropped (callers split runs at gaps).
  mutating func polyline(
    _ points: [Point], stroke: Color, width: Double = 1.5, dash: [Double]? = nil,
    opacity: Double = 1
  ) {
    let finite = points.filter(\.isFinite)
    guard finite.count >= 2 else { return }
    let list = finite.map { "\(num($0.x)),\(num($0.y))" }.joined(separator: " ")
    var attributes =
      "points=\"\(list)\"" + paint(fill: nil, stroke: stroke, strokeWidth: width, dash: dash)
    attributes += " stroke-linejoin=\"round\" stroke-linecap=\"round\""
    if opacity < 1 { attributes += " stroke-opacity=\"\(num(opacity, digits: 3))\"" }
    elements.append("<polyline \(attributes)/>")
  }

  /// A path from its `d` data (built with `PathData`).
  mutating func path(
    _ data: String, fill: Color?, stroke: Color? = nil, strokeWidth: Double = 1,
    dash: [Double]? = nil
  ) {
    guard !data.isEmpty else { return }
    let attributes =
      "d=\"\(data)\"" + paint(fill: fill, stroke: stroke, strokeWidth: strokeWidth, dash: dash)
    elements.append("<path \(attributes)/>")
  }

  mutating func circle(
    _ centre: Point, radius: Double, fill: Color?, stroke: Color? = nil, strokeWidth: Double = 1
  ) {
    guard centre.isFinite else { return }
    let attributes =
      "cx=\"\(num(centre.x))\" cy=\"\(num(centre.y))\" r=\"\(num(radius))\""
      + paint(fill: fill, stroke: stroke, strokeWidth: strokeWidth)
    elements.append("<circle \(attributes)/>")
  }

  /// One line of text. `y` is the vertical centre of the text unless `baseline` is set: the
  /// shift is done here because `dominant-baseline` is not drawn alike everywhere.
  mutating func text(
    _ string: String, at point: Point, size: Double, anchor: TextAnchor = .start,
    color: Color = .textDark, bold: Bool = false, rotation: Double = 0, family: String = Fonts.sans,
    baseline: Bool = false
  ) {
    guard point.isFinite, !string.isEmpty else { return }
    let y = baseline ? point.y : point.y + size * 0.35
    var attributes = "x=\"\(num(point.x))\" y=\"\(num(y))\" font-family=\"\(family)\""
    attributes += " font-size=\"\(num(size))\" fill=\"\(color.hex)\""
    if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
    if bold { attributes += " font-weight=\"bold\"" }
    if rotation != 0 {
      attributes += " transform=\"rotate(\(num(rotation)) \(num(point.x)) \(num(point.y)))\""
    }
    // Keeps leading spaces of torchviz labels such as " (30, 1)".
    if string.first == " " || string.last == " " { attributes += " xml:space=\"preserve\"" }
    elements.append("<text \(attributes)>\(xmlEscape(string))</text>")
  }

  /// The whole document: XML prolog, `svg` root with a viewBox, a white background.
  func document(width: Double, height: Double, title: String? = nil) -> String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(num(width))\""
    out += " height=\"\(num(height))\" viewBox=\"0 0 \(num(width)) \(num(height))\">\n"
    if let title, !title.isEmpty { out += "<title>\(xmlEscape(title))</title>\n" }
    out +=
      "<rect x=\"0\" y=\"0\" width=\"\(num(width))\" height=\"\(num(height))\" fill=\"#ffffff\"/>\n"
    for element in elements { out += element + "\n" }
    return out + "</svg>\n"
  }

  private func paint(
    fill: Color?, stroke: Color?, strokeWidth: Double, dash: [Double]? = nil
  ) -> String {
    var out = " fill=\"\(fill?.hex ?? "none")\""
    if let stroke {
      out += " stroke=\"\(stroke.hex)\" stroke-width=\"\(num(strokeWidth))\""
      if let dash, !dash.isEmpty {
        out += " stroke-dasharray=\"\(dash.map { num($0) }.joined(separator: ","))\""
      }
    }
    return out
  }
}

/// Builds the `d` attribute of a path.
struct PathData {
  private(set) var text = ""

  mutating func move(_ p: Point) { command("M", [p]) }
  mutating func line(_ p: Point) { command("L", [p]) }
  mutating func curve(_ c1: Point, _ c2: Point, _ end: Point) { command("C", [c1, c2, end]) }
  mutating func close() { text += text.isEmpty ? "" : " Z" }

  private mutating func command(_ letter: String, _ points: [Point]) {
    guard points.allSatisfy(\.isFinite) else { return }
    if !text.isEmpty { text += " " }
    text += letter + points.map { "\(num($0.x)),\(num($0.y))" }.joined(separator: " ")
  }
}

/// A coordinate for SVG: at most `digits` decimals, no trailing zeros, never `-0`, and never
/// `nan`/`inf` (callers drop such points; 0 keeps the document valid if one slips through).
func num(_ value: Double, digits: Int = 2) -> String {
  guard value.isFinite else { return "0" }
  let scale = digits == 2 ? 100.0 : pow10(digits)
  let rounded = (value * scale).rounded() / scale
  if rounded == 0 { return "0" }
  if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
  var text = String(rounded)
  if text.contains("e") { return text }  // only for absurd sizes; still valid XML
  while text.last == "0" { text.removeLast() }
  if text.last == "." { text.removeLast() }
  return text
}

private func pow10(_ n: Int) -> Double {
  var result = 1.0
  for _ in 0..<max(0, n) { result *= 10 }
  return result
}

/// Escapes text for XML content and attribute values.
func xmlEscape(_ text: String) -> String {
  var out = ""
  out.reserveCapacity(text.count)
  for scalar in text.unicodeScalars {
    switch scalar {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&apos;"
    // Control characters are not allowed in XML 1.0 at all; tabs and newlines become spaces.
    case "\t", "\n", "\r": out += " "
    default:
      if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
      out.unicodeScalars.append(scalar)
    }
  }
  return out
}
