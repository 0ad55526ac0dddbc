import Foundation

/// A picture that renders itself as a standalone SVG 1.1 document.
public protocol Figure: Sendable {
  /// The width of the picture in pixels (SVG user units).
  var width: Double { get }
  /// The height of the picture in pixels.
  var height: Double { get }
  /// The SVG document: well-formed XML with a `viewBox`, plain elements only.
  func svg() -> String
}

extension Figure {
  /// Writes `svg()` to `url` atomically: into a temporary file beside it, then renamed over
  /// the target, so a reader never sees half a picture.
  public func write(to url: URL) throws {
    try Data(svg().utf8).write(to: url, options: .atomic)
  }
}

/// Figures that draw onto a canvas, so that `FigureGrid` can place them without re-parsing
/// their SVG.
protocol CanvasFigure: Figure {
  func draw() -> SVGCanvas
}

/// Why a figure could not be made.
public enum PlotError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// A series has a different number of x and y values.
  case lengthMismatch(series: String, xCount: Int, yCount: Int)
  /// A value that a log axis cannot show (zero or negative).
  case nonPositiveOnLogAxis(series: String, index: Int, value: Double)
  /// A range whose ends are not finite or not in increasing order.
  case invalidRange(name: String, lower: Double, upper: Double)
  /// A figure size that is not positive and finite.
  case invalidSize(width: Double, height: Double)
  /// Anything else that is out of bounds, with the reason.
  case invalidArgument(String)

  /// A readable description, as `print` shows it.
  public var description: String {
    switch self {
    case .lengthMismatch(let series, let xCount, let yCount):
      return "series \"\(series)\" has \(xCount) x values but \(yCount) y values; they must pair up"
    case .nonPositiveOnLogAxis(let series, let index, let value):
      return
        "series \"\(series)\" has y[\(index)] = \(value), which a log axis cannot show: every y value must be positive (or NaN to leave a gap)"
    case .invalidRange(let name, let lower, let upper):
      return
        "\(name) range \(lower)...\(upper) is empty or not finite: give a finite lower bound below the upper one"
    case .invalidSize(let width, let height):
      return "figure size \(width) x \(height) is not positive and finite"
    case .invalidArgument(let reason):
      return reason
    }
  }

  /// The same text as `description`, for `localizedDescription`.
  public var errorDescription: String? { description }
}

/// Checks a figure's size.
func validateSize(_ width: Double, _ height: Double) throws {
  guard width.isFinite, height.isFinite, width >= 50, height >= 50, width <= 100_000,
    height <= 100_000
  else { throw PlotError.invalidSize(width: width, height: height) }
}

/// Checks a range given by the user.
func validateRange(_ range: ClosedRange<Double>, name: String) throws {
  guard range.lowerBound.isFinite, range.upperBound.isFinite, range.upperBound > range.lowerBound
  else {
    throw PlotError.invalidRange(name: name, lower: range.lowerBound, upper: range.upperBound)
  }
}

/// A data series: a line in a `LineChart`, points in a `ScatterPlot`.
public struct Series: Sendable, Equatable {
  /// The name shown in the legend; an empty name keeps the series out of it.
  public var name: String
  /// The x values.
  public var xs: [Double]
  /// The y values, one per x.
  public var ys: [Double]
  /// The colour; nil takes the next colour of the tab10 cycle.
  public var color: Color?
  /// Draws the line dashed.
  public var dashed: Bool
  /// Draws a marker at each point as well as the line.
  public var markers: Bool
  /// The stroke width in pixels.
  public var lineWidth: Double

  /// A series of (x, y) pairs. NaN or infinite values leave a gap.
  public init(
    _ name: String, xs: [Double], ys: [Double], color: Color? = nil, dashed: Bool = false,
    markers: Bool = false, lineWidth: Double = 1.8
  ) {
    self.name = name
    self.xs = xs
    self.ys = ys
    self.color = color
    self.dashed = dashed
    self.markers = markers
    self.lineWidth = lineWidth
  }

  /// A series against 0, 1, 2, … as `plt.plot(ys)` draws it.
  public init(
    _ name: String, ys: [Double], color: Color? = nil, dashed: Bool = false,
    markers: Bool = false, lineWidth: Double = 1.8
  ) {
    self.init(
      name, xs: ys.indices.map(Double.init), ys: ys, color: color, dashed: dashed,
      markers: markers, lineWidth: lineWidth)
  }

  func validate(logY: Bool, logX: Bool = false) throws {
    guard xs.count == ys.count else {
      throw PlotError.lengthMismatch(series: name, xCount: xs.count, yCount: ys.count)
    }
    if logY, let index = ys.firstIndex(where: { !$0.isNaN && $0 <= 0 }) {
      throw PlotError.nonPositiveOnLogAxis(series: name, index: index, value: ys[index])
    }
    if logX, let index = xs.firstIndex(where: { !$0.isNaN && $0 <= 0 }) {
      throw PlotError.invalidArgument(
        "series \"\(name)\" has x[\(index)] = \(xs[index]), which a log axis cannot show")
    }
  }
}

/// Text placed on a chart: a remark such as "lr 10: diverged".
public struct Note: Sendable, Equatable {
  /// Where a note sits.
  public enum Position: Sendable, Equatable {
    /// The corner of the axes that hides the fewest data points, as a legend's `best`.
    case best
    /// The top left corner of the axes.
    case topLeft
    /// The top right corner of the axes.
    case topRight
    /// The bottom left corner of the axes.
    case bottomLeft
    /// The bottom right corner of the axes.
    case bottomRight
    /// The middle of the axes.
    case center
    /// At a data point, centred on it.
    case data(x: Double, y: Double)
  }

  /// The text of the note.
  public var text: String
  /// Where the note sits on the axes.
  public var position: Position
  /// The colour of the text.
  public var color: Color
  /// The font size in pixels.
  public var size: Double

  /// A note, by default in the emptiest corner of the axes.
  public init(
    _ text: String, at position: Position = .best, color: Color = .black, size: Double = 14
  ) {
    self.text = text
    self.position = position
    self.color = color
    self.size = size
  }
}
