/// Text widths without a font engine, to size legend boxes, margins and graph nodes.
///
/// The table holds DejaVu Sans advance widths (in em) for printable ASCII: the face rsvg uses
/// on Linux and one of the widest of the fallbacks, so boxes are never too small elsewhere.
enum TextMetrics {
  /// The width of `text` in pixels at `size` in the sans-serif face.
  static func width(_ text: String, size: Double) -> Double {
    var ems = 0.0
    for scalar in text.unicodeScalars {
      let value = Int(scalar.value)
      if value >= 32 && value < 127 {
        ems += sansWidths[value - 32]
      } else if value == 0x2212 {
        ems += 0.838  // the minus sign of tick labels, as wide as "+"
      } else {
        ems += 0.7
      }
    }
    return ems * size
  }

  /// The width of `text` in the monospace face (DejaVu Sans Mono: 0.602 em per character).
  static func monoWidth(_ text: String, size: Double) -> Double {
    Double(text.count) * 0.602 * size
  }

  private static let sansWidths: [Double] = [
    0.318, 0.401, 0.460, 0.838, 0.636, 0.950, 0.780, 0.275, 0.390, 0.390, 0.500, 0.838, 0.318,
    0.361, 0.318, 0.337, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636,
    0.337, 0.337, 0.838, 0.838, 0.838, 0.531, 1.000, 0.684, 0.686, 0.698, 0.770, 0.632, 0.575,
    0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787, 0.603, 0.787, 0.695, 0.635,
    0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.390, 0.337, 0.390, 0.838, 0.500, 0.500,
    0.613, 0.635, 0.550, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974,
    0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525,
    0.636, 0.337, 0.636, 0.838,
  ]
}
