import Foundation
import Testing

@testable import DescentPlot

/// Contour maps and 3-D surfaces, with REFERENCE R6's loss as the main case.
@Suite struct SurfaceTests {
  static func r6(_ u: Double, _ v: Double) -> Double {
    3 * u * u + 3 * v * v - u * v + 7 * u - 7 * v + 10
  }

  static let r6Path: [(Double, Double)] = {
    var path = [(4.0, 4.0)]
    for _ in 0..<10 {
      let (u, v) = path[path.count - 1]
      path.append((u - 0.05 * (6 * u - v + 7), v - 0.05 * (6 * v - u - 7)))
    }
    return path
  }()

  @Test func contourOfR6() throws {
    let plot = try ContourPlot(
      function: Self.r6, u: -5...5, v: -5...5, path: Self.r6Path, title: "L(u, v)", valueLabel: "L")
    #expect(plot.levels.count >= 8 && plot.levels.count <= 16)
    #expect(plot.levels.allSatisfy { $0 > 3 && $0 < 255 })
    let parsed = validateSVG(plot.svg())
    #expect(parsed.count("polyline") > plot.levels.count)
    // Lowest level darkest (viridis purple), highest yellow.
    #expect(plot.color(ofLevel: plot.levels.first!) == Color.viridis(0))
    #expect(plot.color(ofLevel: plot.levels.last!) == Color.viridis(1))
  }

  @Test func contourEdgeCases() throws {
    // Constant function: no iso-line crosses, but a valid picture.
    let flat = try ContourPlot(function: { _, _ in 2 }, u: 0...1, v: 0...1, resolution: 5)
    #expect(validateSVG(flat.svg()).count("polyline") == 0)
    // All NaN: empty map.
    let none = try ContourPlot(function: { _, _ in .nan }, u: 0...1, v: 0...1, resolution: 5)
    #expect(none.levels.isEmpty)
    _ = validateSVG(none.svg())
    // Explicit levels, deduplicated and sorted.
    let explicit = try ContourPlot(
      function: { $0 * $0 + $1 * $1 }, u: -1...1, v: -1...1, levels: [0.5, 0.25, 0.5])
    #expect(explicit.levels == [0.25, 0.5])
    #expect(throws: PlotError.self) {
      try ContourPlot(function: { $0 + $1 }, u: 0...1, v: 0...1, levels: [.nan])
    }
    #expect(throws: PlotError.self) {
      try ContourPlot(function: { $0 + $1 }, u: 0...1, v: 0...1, path: [(0, .infinity)])
    }
    // A tiny range of values and a path leaving the map.
    let tiny = try ContourPlot(
      function: { 1e-9 * ($0 + $1) }, u: 0...1, v: 0...1, path: [(0.5, 0.5), (3, 3)])
    _ = validateSVG(tiny.svg())
    try saveForViewing(tiny, "edge_contour_tiny")
  }

  @Test func surfaceOfR6() throws {
    let plot = try SurfacePlot3D(
      function: Self.r6, u: -5...5, v: -5...5, path: Self.r6Path, title: "R6", zLabel: "L")
    let parsed = validateSVG(plot.svg())
    #expect(parsed.count("circle") == 11)
    #expect(parsed.texts.contains("u") && parsed.texts.contains("v") && parsed.texts.contains("L"))
    // The path starts at L(4, 4) = 90 and the box spans the data.
    #expect(plot.path[0].z == 90)
    #expect(plot.dataBox.lower.z == 3 && plot.dataBox.upper.z == Self.r6(5, -5))
  }

  @Test func surfacePathStartIsWhereMatplotlibPutsIt() throws {
    // In the default view the point (u, v) = (4, 4) at mid height lies right of the centre
    // of the box (x̂ and ŷ both point right) and above it (ŷ points up more than x̂ down).
    let plot = try SurfacePlot3D(
      grid: Grid(function: { _, _ in 0 }, u: -5...5, v: -5...5, resolution: 3),
      path: [(0, 0, 0), (4, 4, 0)])
    let svg = plot.svg()
    let circles = svg.split(separator: "\n").filter { $0.hasPrefix("<circle") }
    #expect(circles.count == 2)
    func centre(_ element: Substring) -> (Double, Double) {
      let parts = element.split(separator: "\"")
      return (Double(parts[1])!, Double(parts[3])!)
    }
    let (x0, y0) = centre(circles[0])
    let (x1, y1) = centre(circles[1])
    // Screen offset of (0.4, 0.4, 0) in box units: x = 0.4·0.866 + 0.4·0.5 = 0.546,
    // y (up) = −0.4·0.25 + 0.4·0.433 = 0.0732; the ratio is scale-free.
    #expect(x1 > x0 && y1 < y0)
    #expect(abs((y0 - y1) / (x1 - x0) - 0.0732 / 0.546) < 0.01)
  }

  @Test func surfaceEdgeCases() throws {
    let views: [(Double, Double)] = [(90, -90), (0, 0), (-30, 120), (45, 45)]
    for (elevation, azimuth) in views {
      let plot = try SurfacePlot3D(
        function: { $0 * $1 }, u: -1...1, v: -1...1, resolution: 21, elevation: elevation,
        azimuth: azimuth)
      _ = validateSVG(plot.svg())
      try saveForViewing(plot, "edge_view_\(Int(elevation))_\(Int(azimuth))")
    }
    let flat = try SurfacePlot3D(function: { _, _ in 1 }, u: 0...1, v: 0...1, resolution: 4)
    _ = validateSVG(flat.svg())
    let holes = try SurfacePlot3D(
      function: { u, v in u > 0 ? .nan : u + v }, u: -1...1, v: -1...1, resolution: 11)
    _ = validateSVG(holes.svg())
    #expect(throws: PlotError.self) {
      try SurfacePlot3D(function: { $0 + $1 }, u: 0...1, v: 0...1, elevation: .nan)
    }
    #expect(throws: PlotError.self) {
      try SurfacePlot3D(function: { $0 + $1 }, u: 0...1, v: 0...1, levelCount: 0)
    }
  }

  @Test func viridisEnds() {
    #expect(Color.viridis(0).hex == "#440154")
    #expect(Color.viridis(1).hex == "#fde725")
    #expect(Color.viridis(0.5).hex == "#21918c")
    #expect(Color.viridis(.nan) == Color.viridis(0))
    #expect(Color.viridis(7) == Color.viridis(1))
  }
}
