import Foundation

/// A grid of coloured cells, one per matrix entry, each with its count written in it: the
/// picture of a confusion matrix, as scikit-learn's `ConfusionMatrixDisplay` draws it (rows
/// down the y axis, columns along the x axis, light cells for small counts, dark for large).
///
/// ```swift
/// let figure = try HeatMap(
///   counts: [[50, 0], [3, 47]], rowLabels: ["0", "1"], columnLabels: ["0", "1"],
///   title: "Confusion matrix", xLabel: "predicted class", yLabel: "true class")
/// try figure.write(to: URL(fileURLWithPath: "confusion-matrix.svg"))
/// ```
public struct HeatMap: CanvasFigure {
  /// The entries, row by row; every row has `columnLabels.count` entries.
  public let counts: [[Int]]
  /// The label of each row, top to bottom.
  public let rowLabels: [String]
  /// The label of each column, left to right.
  public let columnLabels: [String]
  /// The title above the grid; empty for none.
  public let title: String
  /// The label under the columns.
  public let xLabel: String
  /// The label beside the rows.
  public let yLabel: String
  /// The width of the picture in pixels.
  public let width: Double
  /// The height of the picture in pixels.
  public let height: Double

  /// A heat map of `counts`, sized to fit the grid unless `width` and `height` are given.
  ///
  /// - Throws: `PlotError.invalidArgument` for no rows, rows of different lengths, labels that
  ///   do not match the rows or columns, or a negative count; `PlotError.invalidSize` for a bad
  ///   size.
  public init(
    counts: [[Int]], rowLabels: [String], columnLabels: [String], title: String = "",
    xLabel: String = "", yLabel: String = "", width: Double? = nil, height: Double? = nil
  ) throws {
    guard !counts.isEmpty, !columnLabels.isEmpty else {
      throw PlotError.invalidArgument("a heat map needs at least one row and one column")
    }
    guard rowLabels.count == counts.count else {
      throw PlotError.invalidArgument(
        "the heat map has \(counts.count) rows but \(rowLabels.count) row labels")
    }
    for (index, row) in counts.enumerated() where row.count != columnLabels.count {
      throw PlotError.invalidArgument(
        "row \(index) of the heat map has \(row.count) entries but there are \(columnLabels.count) column labels"
      )
    }
    if counts.joined().contains(where: { $0 < 0 }) {
      throw PlotError.invalidArgument("a heat map of counts cannot show a negative count")
    }
    let cell = Self.cellSize(counts.count, columnLabels.count)
    let layout = Layout(rows: counts.count, columns: columnLabels.count, cell: cell)
    let width = width ?? layout.width
    let height = height ?? layout.height
    try validateSize(width, height)
    self.counts = counts
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.width = width
    self.height = height
  }

  /// Cells of 64 px, smaller for many classes so the picture stays under about 900 px.
  private static func cellSize(_ rows: Int, _ columns: Int) -> Double {
    max(16, min(64, 720 / Double(max(rows, columns))))
  }

  /// Where the grid and its labels go, for the natural size.
  private struct Layout {
    let rows: Int
    let columns: Int
    let cell: Double
    let left = 110.0
    let top = 50.0
    let colourBar = 70.0
    let bottom = 70.0
    var width: Double { left + Double(columns) * cell + colourBar }
    var height: Double { top + Double(rows) * cell + bottom }
  }

  public func svg() -> String { draw().document(width: width, height: height, title: title) }

  func draw() -> SVGCanvas {
    var canvas = SVGCanvas()
    let rows = counts.count
    let columns = columnLabels.count
    // The grid fills what the margins leave, in square cells.
    let cell = max(
      1, min((width - 180) / Double(columns), (height - 120) / Double(rows)))
    let gridWidth = cell * Double(columns)
    let gridHeight = cell * Double(rows)
    let left = 110.0
    let top = 50.0
    let high = max(1, counts.joined().max() ?? 1)
    let fontSize = max(7, min(14, cell * 0.32))

    if !title.isEmpty {
      canvas.text(
        title, at: Point(left + gridWidth / 2, 22), size: 15, anchor: .middle, bold: true)
    }
    for (row, values) in counts.enumerated() {
      for (column, count) in values.enumerated() {
        let share = Double(count) / Double(high)
        let fill = Self.colour(share)
        let x = left + Double(column) * cell
        let y = top + Double(row) * cell
        canvas.rect(x, y, cell, cell, fill: fill, stroke: .white, strokeWidth: 1)
        canvas.text(
          String(count), at: Point(x + cell / 2, y + cell / 2), size: fontSize, anchor: .middle,
          color: share > 0.5 ? .white : Color.textDark)
      }
    }
    canvas.rect(left, top, gridWidth, gridHeight, fill: nil, stroke: Color.axisGray)
    let labelSize = max(7, min(12, cell * 0.3))
    for (column, label) in columnLabels.enumerated() {
      canvas.text(
        label, at: Point(left + (Double(column) + 0.5) * cell, top + gridHeight + 14),
        size: labelSize, anchor: .middle)
    }
    for (row, label) in rowLabels.enumerated() {
      canvas.text(
        label, at: Point(left - 8, top + (Double(row) + 0.5) * cell), size: labelSize,
        anchor: .end)
    }
    canvas.text(
      xLabel, at: Point(left + gridWidth / 2, top + gridHeight + 40), size: 13, anchor: .middle)
    canvas.text(
      yLabel, at: Point(left - 60, top + gridHeight / 2), size: 13, anchor: .middle,
      rotation: -90)
    drawColourBar(&canvas, x: left + gridWidth + 20, top: top, height: gridHeight, high: high)
    return canvas
  }

  /// A bar of the colours from 0 (bottom) to the largest count (top), labelled at both ends.
  private func drawColourBar(
    _ canvas: inout SVGCanvas, x: Double, top: Double, height: Double, high: Int
  ) {
    let steps = 32
    let step = height / Double(steps)
    for index in 0..<steps {
      let share = 1 - (Double(index) + 0.5) / Double(steps)
      canvas.rect(x, top + Double(index) * step, 14, step + 0.5, fill: Self.colour(share))
    }
    canvas.rect(x, top, 14, height, fill: nil, stroke: Color.axisGray)
    canvas.text(String(high), at: Point(x + 18, top + 4), size: 10)
    canvas.text("0", at: Point(x + 18, top + height - 4), size: 10)
  }

  /// matplotlib's "Blues" from white (0) to dark blue (1), scikit-learn's default.
  static func colour(_ share: Double) -> Color {
    let samples: [Color] = [
      Color(hex: 0xF7FBFF), Color(hex: 0xDEEBF7), Color(hex: 0xC6DBEF), Color(hex: 0x9ECAE1),
      Color(hex: 0x6BAED6), Color(hex: 0x4292C6), Color(hex: 0x2171B5), Color(hex: 0x08519C),
      Color(hex: 0x08306B),
    ]
    let t = share.isFinite ? min(max(share, 0), 1) : 0
    let position = t * Double(samples.count - 1)
    let index = min(Int(position), samples.count - 2)
    return samples[index].mixed(with: samples[index + 1], position - Double(index))
  }
}
