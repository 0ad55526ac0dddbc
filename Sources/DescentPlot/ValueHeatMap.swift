/// A grid of values drawn as coloured cells, as `plt.imshow` draws an attention matrix: white
/// for the smallest value, dark blue for the largest, a label on every row and column.
///
/// ```swift
/// let map = try ValueHeatMap(
///   values: weights, rowLabels: ["a", "b"], columnLabels: ["x", "y", "z"],
///   title: "attention", xLabel: "key", yLabel: "query")
/// ```
public struct ValueHeatMap: Figure {
  /// The values, row by row; every row has the same length.
  public let values: [[Double]]
  /// One label per row (left) and per column (below).
  public let rowLabels: [String]
  public let columnLabels: [String]
  public let title: String
  public let xLabel: String
  public let yLabel: String
  public let width: Double
  public let height: Double

  /// - Throws: `PlotError` when the rows differ in length, the labels do not match the grid,
  ///   a value is not finite, or the size is bad.
  public init(
    values: [[Double]], rowLabels: [String], columnLabels: [String], title: String = "",
    xLabel: String = "", yLabel: String = "", width: Double = 560, height: Double = 520
  ) throws {
    try validateSize(width, height)
    let columns = values.first?.count ?? 0
    guard values.allSatisfy({ $0.count == columns }) else {
      throw PlotError.invalidArgument("every row of a heat map must have \(columns) values")
    }
    guard rowLabels.count == values.count, columnLabels.count == columns else {
      throw PlotError.invalidArgument(
        "a heat map of \(values.count)×\(columns) values needs \(values.count) row labels and \(columns) column labels (got \(rowLabels.count) and \(columnLabels.count))"
      )
    }
    guard values.joined().allSatisfy(\.isFinite) else {
      throw PlotError.invalidArgument("a heat map's values must be finite")
    }
    self.values = values
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.width = width
    self.height = height
  }

  public func svg() -> String {
    var canvas = SVGCanvas()
    let (left, top, right, bottom) = (70.0, title.isEmpty ? 20.0 : 50.0, 20.0, 60.0)
    let rows = values.count
    let columns = values.first?.count ?? 0
    if !title.isEmpty {
      canvas.text(title, at: Point(width / 2, 25), size: 16, anchor: .middle, bold: true)
    }
    guard rows > 0, columns > 0 else { return canvas.document(width: width, height: height) }
    let cellWidth = (width - left - right) / Double(columns)
    let cellHeight = (height - top - bottom) / Double(rows)
    let all = values.joined()
    let (low, high) = (all.min()!, all.max()!)
    let dark = Color(hex: 0x08306B)
    for (i, row) in values.enumerated() {
      for (j, value) in row.enumerated() {
        let t = high > low ? (value - low) / (high - low) : 0
        canvas.rect(
          left + Double(j) * cellWidth, top + Double(i) * cellHeight, cellWidth, cellHeight,
          fill: Color.white.mixed(with: dark, t), stroke: .lightGray, strokeWidth: 0.5)
      }
      canvas.text(
        rowLabels[i], at: Point(left - 6, top + (Double(i) + 0.5) * cellHeight), size: 12,
        anchor: .end, family: Fonts.mono)
    }
    for (j, label) in columnLabels.enumerated() {
      canvas.text(
        label, at: Point(left + (Double(j) + 0.5) * cellWidth, height - bottom + 14), size: 12,
        anchor: .middle, family: Fonts.mono)
    }
    canvas.text(
      xLabel, at: Point(left + (width - left - right) / 2, height - 18), size: 13, anchor: .middle)
    canvas.text(
      yLabel, at: Point(18, top + (height - top - bottom) / 2), size: 13, anchor: .middle,
      rotation: -90)
    return canvas.document(width: width, height: height, title: title)
  }
}
