import Foundation

/// Several figures side by side in one SVG, such as one learning curve per learning rate.
///
/// ```swift
/// let grid = try FigureGrid(panels: [slow, good, diverged], columns: 3, title: "Learning rates")
/// ```
public struct FigureGrid: Figure {
  /// The figures, row by row.
  public let panels: [any Figure]
  /// How many panels sit side by side in a row.
  public let columns: Int
  /// The title above the picture; empty for none.
  public let title: String
  /// The width of the figure, in SVG user units (pixels).
  public let width: Double
  /// The height of the figure, in SVG user units (pixels).
  public let height: Double
  private let cellWidth: Double
  private let cellHeight: Double

  static let titleHeight = 40.0

  /// Panels in rows of `columns` (all in one row by default), each centred in a cell as
  /// large as the largest panel.
  ///
  /// - Throws: `PlotError.invalidArgument` with no panels or fewer than one column.
  public init(panels: [any Figure], columns: Int? = nil, title: String = "") throws {
    guard !panels.isEmpty else {
      throw PlotError.invalidArgument("a figure grid needs at least one panel")
    }
    let columns = columns ?? panels.count
    guard columns >= 1 else {
      throw PlotError.invalidArgument("a figure grid needs at least one column, got \(columns)")
    }
    self.panels = panels
    self.columns = min(columns, panels.count)
    self.title = title
    cellWidth = panels.map(\.width).max() ?? 0
    cellHeight = panels.map(\.height).max() ?? 0
    let rows = (panels.count + self.columns - 1) / self.columns
    width = cellWidth * Double(self.columns)
    height = cellHeight * Double(rows) + (title.isEmpty ? 0 : Self.titleHeight)
  }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String {
    var canvas = SVGCanvas()
    let top = title.isEmpty ? 0 : Self.titleHeight
    if !title.isEmpty {
      canvas.text(
        title, at: Point(width / 2, 24), size: Plot2D.titleSize + 1, anchor: .middle, bold: true)
    }
    for (index, panel) in panels.enumerated() {
      let origin = Point(
        Double(index % columns) * cellWidth + (cellWidth - panel.width) / 2,
        top + Double(index / columns) * cellHeight + (cellHeight - panel.height) / 2)
      if let drawable = panel as? any CanvasFigure {
        canvas.append(drawable.draw(), translatedBy: origin)
      } else {
        canvas.append(raw: Self.nested(panel.svg(), at: origin))
      }
    }
    return canvas.document(width: width, height: height, title: title)
  }

  /// Another figure's document as a nested `svg` element placed at `origin`.
  static func nested(_ document: String, at origin: Point) -> String {
    var body = Substring(document)
    if body.hasPrefix("<?xml"), let end = body.range(of: "?>") { body = body[end.upperBound...] }
    guard let root = body.range(of: "<svg ") else { return "" }
    return body[..<root.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines) == ""
      ? "<svg x=\"\(num(origin.x))\" y=\"\(num(origin.y))\" " + body[root.upperBound...]
      : ""
  }
}

/// A panel of centred text, for a grid cell with no picture to show ("lr 10: diverged").
public struct TextPanel: CanvasFigure {
  /// The text, one entry per line; the first is set larger and in colour.
  public let lines: [String]
  /// The title above the picture; empty for none.
  public let title: String
  /// The colour of the first line.
  public let color: Color
  /// The width of the figure, in SVG user units (pixels).
  public let width: Double
  /// The height of the figure, in SVG user units (pixels).
  public let height: Double

  /// Centred lines of text under an optional title, in a light frame.
  public init(
    _ lines: [String], title: String = "", color: Color = .tabRed, width: Double = 640,
    height: Double = 480
  ) throws {
    try validateSize(width, height)
    self.lines = lines
    self.title = title
    self.color = color
    self.width = width
    self.height = height
  }

  func draw() -> SVGCanvas {
    var canvas = SVGCanvas()
    let top = title.isEmpty ? 16.0 : 44
    let frame = Rect(x: 20, y: top, width: width - 40, height: height - top - 20)
    canvas.rect(
      frame.x, frame.y, frame.width, frame.height, fill: nil, stroke: .legendEdge, strokeWidth: 1)
    if !title.isEmpty {
      canvas.text(title, at: Point(width / 2, 24), size: Plot2D.titleSize, anchor: .middle)
    }
    let lineHeight = 24.0
    let first = frame.centre.y - Double(lines.count - 1) * lineHeight / 2
    for (index, line) in lines.enumerated() {
      canvas.text(
        line, at: Point(width / 2, first + Double(index) * lineHeight), size: index == 0 ? 18 : 14,
        anchor: .middle, color: index == 0 ? color : .textDark, bold: index == 0)
    }
    return canvas
  }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String { draw().document(width: width, height: height, title: title) }
}
