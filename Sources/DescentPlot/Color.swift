/// An sRGB colour, written to SVG as `#rrggbb`.
public struct Color: Sendable, Hashable {
  /// The red component, 0...255.
  public var red: UInt8
  /// The green component, 0...255.
  public var green: UInt8
  /// The blue component, 0...255.
  public var blue: UInt8

  /// A colour from its 0...255 components.
  public init(red: UInt8, green: UInt8, blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// A colour from `0xRRGGBB`.
  public init(hex: UInt32) {
    self.init(
      red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
  }

  /// `#rrggbb`.
  public var hex: String {
    let digits = Array("0123456789abcdef")
    var out = "#"
    for component in [red, green, blue] {
      out.append(digits[Int(component >> 4)])
      out.append(digits[Int(component & 0xF)])
    }
    return out
  }

  /// The straight mix `(1 - t) * self + t * other`.
  public func mixed(with other: Color, _ t: Double) -> Color {
    func channel(_ a: UInt8, _ b: UInt8) -> UInt8 {
      UInt8((Double(a) + (Double(b) - Double(a)) * min(max(t, 0), 1)).rounded())
    }
    return Color(
      red: channel(red, other.red), green: channel(green, other.green),
      blue: channel(blue, other.blue))
  }

  /// Black, `#000000`.
  public static let black = Color(hex: 0x000000)
  /// White, `#ffffff`.
  public static let white = Color(hex: 0xFFFFFF)

  /// tab10 blue, `#1f77b4`.
  public static let tabBlue = Color(hex: 0x1F77B4)
  /// tab10 orange, `#ff7f0e`.
  public static let tabOrange = Color(hex: 0xFF7F0E)
  /// tab10 green, `#2ca02c`.
  public static let tabGreen = Color(hex: 0x2CA02C)
  /// tab10 red, `#d62728`.
  public static let tabRed = Color(hex: 0xD62728)
  /// tab10 purple, `#9467bd`.
  public static let tabPurple = Color(hex: 0x9467BD)
  /// tab10 brown, `#8c564b`.
  public static let tabBrown = Color(hex: 0x8C564B)
  /// tab10 pink, `#e377c2`.
  public static let tabPink = Color(hex: 0xE377C2)
  /// tab10 gray, `#7f7f7f`.
  public static let tabGray = Color(hex: 0x7F7F7F)
  /// tab10 olive, `#bcbd22`.
  public static let tabOlive = Color(hex: 0xBCBD22)
  /// tab10 cyan, `#17becf`.
  public static let tabCyan = Color(hex: 0x17BECF)

  /// matplotlib's "tab10" cycle, in its order: series take these unless given a colour.
  public static let tab10: [Color] = [
    tabBlue, tabOrange, tabGreen, tabRed, tabPurple, tabBrown, tabPink, tabGray, tabOlive, tabCyan,
  ]

  /// The `index`-th colour of the tab10 cycle (wrapping around).
  public static func cycle(_ index: Int) -> Color { tab10[((index % 10) + 10) % 10] }

  /// Graphviz's `lightblue`: torchviz's leaves and parameters.
  public static let lightBlue = Color(hex: 0xADD8E6)
  /// Graphviz's `darkolivegreen1`: torchviz's output tensor.
  public static let darkOliveGreen1 = Color(hex: 0xCAFF70)
  /// Graphviz's `darkolivegreen3`: the base of an output that is a view.
  public static let darkOliveGreen3 = Color(hex: 0xA2CD5A)
  /// Graphviz's `lightgrey`, the default fill of torchviz's backward nodes.
  public static let lightGray = Color(hex: 0xD3D3D3)

  // Greys of the axes, grid and text, close to matplotlib's defaults.
  static let textDark = Color(hex: 0x262626)
  static let axisGray = Color(hex: 0x404040)
  static let gridGray = Color(hex: 0xE3E3E3)
  static let legendEdge = Color(hex: 0xCCCCCC)
  static let paneGray = Color(hex: 0xF2F2F2)

  /// matplotlib's viridis colour map at `t` in 0...1 (dark purple to yellow). Linear between
  /// 17 samples of the 256-entry table, which is closer than the eye can tell.
  public static func viridis(_ t: Double) -> Color {
    let samples = viridisSamples
    let clamped = t.isFinite ? min(max(t, 0), 1) : 0
    let position = clamped * Double(samples.count - 1)
    let index = min(Int(position), samples.count - 2)
    return samples[index].mixed(with: samples[index + 1], position - Double(index))
  }

  private static let viridisSamples: [Color] = [
    (68, 1, 84), (72, 24, 106), (71, 45, 123), (66, 64, 134), (59, 82, 139), (51, 99, 141),
    (44, 114, 142), (38, 130, 142), (33, 145, 140), (31, 160, 136), (40, 174, 128),
    (63, 188, 115), (94, 201, 98), (132, 212, 75), (173, 220, 48), (216, 226, 25),
    (253, 231, 37),
  ].map { Color(red: $0.0, green: $0.1, blue: $0.2) }
}
