import Foundation

/// A small line chart drawn with Braille characters (2 × 4 dots per cell), for the learning
/// curve at the end of a run in a terminal:
///
///     loss (mse)
///     5.134 ┤⢣
///           │⠈⢆
///           │  ⠑⠤⣀
///     1.372 ┤     ⠈⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉
///           └┬──────────────────────────┬
///            1                      10000 epochs
enum TerminalChart {
  /// The lines of a chart of `values` against 1…count, with a plot area of `width` × `height`
  /// characters; `logY` draws the values on a log axis (all must then be positive).
  static func render(_ values: [Double], title: String, width: Int, height: Int, logY: Bool)
    -> [String]
  {
    render([values], title: title, width: width, height: height, logY: logY)
  }

  /// A chart of several curves on shared axes (the training and the validation loss); the
  /// cells of every curve after the first are drawn in colour (``highlighted(_:)``).
  static func render(
    _ curves: [[Double]], title: String, width: Int, height: Int, logY: Bool
  ) -> [String] {
    let points = curves.joined().filter(\.isFinite)
    guard !points.isEmpty, width >= 2, height >= 2 else { return [] }
    let transform: (Double) -> Double = logY ? { Foundation.log10($0) } : { $0 }
    let low = transform(points.min()!)
    let high = transform(points.max()!)
    let (dotsX, dotsY) = (width * 2, height * 4)
    var dots = [[Bool]](repeating: [Bool](repeating: false, count: dotsX), count: dotsY)
    // Which curve set each dot (the later one wins), for the colour of its cell.
    var owner = [[Int]](repeating: [Int](repeating: 0, count: dotsX), count: dotsY)
    var curve = 0

    // Dot row for a value, 0 at the bottom; a flat curve sits in the middle.
    func row(_ value: Double) -> Int {
      guard high > low else { return dotsY / 2 }
      return Int(((transform(value) - low) / (high - low) * Double(dotsY - 1)).rounded())
    }
    let epochs = curves.map(\.count).max() ?? 0
    func column(_ index: Int) -> Int {
      epochs == 1 ? 0 : index * (dotsX - 1) / (epochs - 1)
    }
    func mark(_ x: Int, from y0: Int, to y1: Int) {
      for y in min(y0, y1)...max(y0, y1) {
        dots[dotsY - 1 - y][x] = true
        owner[dotsY - 1 - y][x] = curve
      }
    }
    for (number, values) in curves.enumerated() {
      curve = number
      // Each step joins the previous point to this one, so steep falls stay connected.
      var previous: (x: Int, y: Int)?
      for (index, value) in values.enumerated() where value.isFinite {
        let point = (x: column(index), y: row(value))
        if let last = previous {
          if point.x == last.x {
            mark(point.x, from: last.y, to: point.y)
          } else {
            var y = last.y
            for x in (last.x + 1)...point.x {
              let next = last.y + (point.y - last.y) * (x - last.x) / (point.x - last.x)
              mark(x, from: y, to: next)
              y = next
            }
          }
        } else {
          mark(point.x, from: point.y, to: point.y)
        }
        previous = point
      }
    }

    let top = label(points.max()!)
    let bottom = label(points.min()!)
    let margin = max(top.count, bottom.count)
    func pad(_ text: String) -> String { String(repeating: " ", count: margin - text.count) + text }
    var lines = [title]
    for cellRow in 0..<height {
      var text = ""
      for cellColumn in 0..<width {
        let cell = brailleCell(dots, row: cellRow * 4, column: cellColumn * 2)
        let (row, column) = (cellRow * 4, cellColumn * 2)
        let later = (0..<4).contains { dy in
          (0..<2).contains { dx in dots[row + dy][column + dx] && owner[row + dy][column + dx] > 0 }
        }
        text += later ? highlighted(String(cell)) : String(cell)
      }
      let axis: String
      if cellRow == 0 {
        axis = pad(top) + " ┤"
      } else if cellRow == height - 1 {
        axis = pad(bottom) + " ┤"
      } else {
        axis = pad("") + " │"
      }
      lines.append(axis + text)
    }
    lines.append(pad("") + " └┬" + String(repeating: "─", count: max(0, width - 2)) + "┬")
    let first = "1"
    let last = "\(epochs) epoch\(epochs == 1 ? "" : "s")"
    let gap = max(1, width - first.count - String(epochs).count)
    lines.append(pad("") + "  " + first + String(repeating: " ", count: gap) + last)
    return lines
  }

  /// `text` in the colour of the second curve (yellow), for terminals.
  static func highlighted(_ text: String) -> String { "\u{1B}[33m" + text + "\u{1B}[0m" }

  /// `%.4g`, the precision a glance at a chart needs.
  private static func label(_ value: Double) -> String { String(format: "%.4g", value) }

  /// The Braille character for the 2 × 4 dots whose top left is (`row`, `column`).
  private static func brailleCell(_ dots: [[Bool]], row: Int, column: Int) -> Unicode.Scalar {
    // Bit of each dot, by row then column (Unicode's Braille numbering).
    let bits: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
    var code: UInt32 = 0x2800
    for dy in 0..<4 {
      for dx in 0..<2 where dots[row + dy][column + dx] { code |= bits[dy][dx] }
    }
    // A blank cell is a space: some fonts draw the empty Braille pattern visibly.
    return code == 0x2800 ? " " : Unicode.Scalar(code)!
  }
}
