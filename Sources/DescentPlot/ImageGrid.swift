import Foundation

/// Small grey-scale images in a grid, each with a caption, some marked with a red frame: the
/// held-out digits with their predicted labels, or a convolution's filters.
///
/// ```swift
/// let grid = try ImageGrid(
///   images: digits, imageWidth: 8, imageHeight: 8, captions: ["7", "2"],
///   marked: [false, true], columns: 10, title: "Predictions")
/// ```
public struct ImageGrid: CanvasFigure {
  /// The images, row by row; each holds `imageHeight × imageWidth` values, row-major.
  public let images: [[Double]]
  public let imageWidth: Int
  public let imageHeight: Int
  /// One caption per image (may be empty).
  public let captions: [String]
  /// Images drawn with a red frame and a red caption (wrong predictions).
  public let marked: [Bool]
  /// How many images sit side by side in a row.
  public let columns: Int
  /// Dark for large values (ink on paper), or light for large values.
  public let darkIsLarge: Bool
  /// The title above the picture; empty for none.
  public let title: String
  public let width: Double
  public let height: Double

  static let cellSize = 56.0
  static let captionHeight = 18.0
  static let gap = 10.0
  static let titleHeight = 40.0

  /// A grid of `images`, each scaled from its own smallest value (white) to its largest
  /// (black, or the reverse with `darkIsLarge: false`).
  ///
  /// - Throws: `PlotError.invalidArgument` for no images, an image of the wrong size, or
  ///   captions or marks that do not match the images in number.
  public init(
    images: [[Double]], imageWidth: Int, imageHeight: Int, captions: [String]? = nil,
    marked: [Bool]? = nil, columns: Int = 10, darkIsLarge: Bool = true, title: String = ""
  ) throws {
    guard !images.isEmpty, imageWidth > 0, imageHeight > 0, columns > 0 else {
      throw PlotError.invalidArgument(
        "an image grid needs images, a positive image size and columns (got \(images.count) images of \(imageWidth)×\(imageHeight), \(columns) columns)"
      )
    }
    if let index = images.firstIndex(where: { $0.count != imageWidth * imageHeight }) {
      throw PlotError.invalidArgument(
        "image \(index) has \(images[index].count) values, not \(imageWidth)×\(imageHeight)")
    }
    let captions = captions ?? Array(repeating: "", count: images.count)
    let marked = marked ?? Array(repeating: false, count: images.count)
    guard captions.count == images.count, marked.count == images.count else {
      throw PlotError.invalidArgument(
        "\(images.count) images need as many captions and marks (got \(captions.count) and \(marked.count))"
      )
    }
    self.images = images
    self.imageWidth = imageWidth
    self.imageHeight = imageHeight
    self.captions = captions
    self.marked = marked
    self.columns = min(columns, images.count)
    self.darkIsLarge = darkIsLarge
    self.title = title
    let rows = (images.count + self.columns - 1) / self.columns
    width = Double(self.columns) * (Self.cellSize + Self.gap) + Self.gap
    height =
      Double(rows) * (Self.cellSize + Self.captionHeight + Self.gap) + Self.gap
      + (title.isEmpty ? 0 : Self.titleHeight)
    try validateSize(max(width, 50), max(height, 50))
  }

  func draw() -> SVGCanvas {
    var canvas = SVGCanvas()
    let top = title.isEmpty ? 0 : Self.titleHeight
    if !title.isEmpty {
      canvas.text(title, at: Point(width / 2, 22), size: Plot2D.titleSize, anchor: .middle)
    }
    let pixel = Self.cellSize / Double(max(imageWidth, imageHeight))
    for (index, image) in images.enumerated() {
      let x0 = Self.gap + Double(index % columns) * (Self.cellSize + Self.gap)
      let y0 =
        top + Self.gap + Double(index / columns) * (Self.cellSize + Self.captionHeight + Self.gap)
      let low = image.min() ?? 0
      let span = (image.max() ?? 0) - low
      for row in 0..<imageHeight {
        for column in 0..<imageWidth {
          let value = image[row * imageWidth + column]
          let t = span > 0 ? (value - low) / span : 0
          let shade = darkIsLarge ? 1 - t : t
          let level = UInt8((shade * 255).rounded())
          canvas.rect(
            x0 + Double(column) * pixel, y0 + Double(row) * pixel, pixel, pixel,
            fill: Color(red: level, green: level, blue: level))
        }
      }
      let wrong = marked[index]
      canvas.rect(
        x0, y0, Double(imageWidth) * pixel, Double(imageHeight) * pixel, fill: nil,
        stroke: wrong ? .tabRed : .lightGray, strokeWidth: wrong ? 3 : 1)
      canvas.text(
        captions[index], at: Point(x0 + Self.cellSize / 2, y0 + Self.cellSize + 10), size: 12,
        anchor: .middle, color: wrong ? .tabRed : .textDark, bold: wrong)
    }
    return canvas
  }

  public func svg() -> String { draw().document(width: width, height: height, title: title) }
}
