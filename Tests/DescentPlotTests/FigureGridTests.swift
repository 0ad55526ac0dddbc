import Foundation
import Testing

@testable import DescentPlot

/// Panels side by side, text panels, writing files, and the SVG primitives.
@Suite struct FigureGridTests {
  /// A figure DescentPlot does not know, to check that grids nest any `Figure`.
  struct Badge: Figure {
    let width = 120.0
    let height = 60.0
    func svg() -> String {
      "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"60\" viewBox=\"0 0 120 60\"><text x=\"10\" y=\"30\">badge</text></svg>"
    }
  }

  @Test func r9ThreePanels() throws {
    func loss(_ w: Double) -> Double { (w - 1) * (w - 1) + 2 }
    let good = try CurvePlot(
      function: loss, over: 0...3, steps: [2, 1.2, 1.04], title: "lr 0.4", width: 400, height: 300)
    let slow = try LineChart(
      series: [Series("w", ys: [2, 1.998, 1.996])], title: "lr 0.001", width: 400, height: 300)
    let diverged = try TextPanel(
      ["lr 10: diverged", "|w| grows without bound"], title: "lr 10", width: 400, height: 300)
    let grid = try FigureGrid(panels: [good, slow, diverged], title: "Three learning rates")
    #expect(grid.width == 1200 && grid.height == 300 + FigureGrid.titleHeight)
    let parsed = validateSVG(grid.svg())
    try saveForViewing(grid, "grid_text_panel")
    #expect(parsed.texts.contains("lr 10: diverged"))
    #expect(parsed.texts.contains("Three learning rates"))
    #expect(parsed.count("g") == 3)
  }

  @Test func gridsWrapIntoRowsAndNestForeignFigures() throws {
    let grid = try FigureGrid(panels: [Badge(), Badge(), Badge()], columns: 2)
    #expect(grid.width == 240 && grid.height == 120)
    let parsed = validateSVG(grid.svg())
    #expect(parsed.count("svg") == 4)
    #expect(parsed.texts.filter { $0 == "badge" }.count == 3)
    #expect(throws: PlotError.self) { try FigureGrid(panels: []) }
    #expect(throws: PlotError.self) { try FigureGrid(panels: [Badge()], columns: 0) }
  }

  @Test func writeIsAtomicAndComplete() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("descent-plot-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("chart.svg")
    let chart = try LineChart(series: [Series("a", ys: [1, 2, 3])])
    try chart.write(to: url)
    // Overwriting leaves the new content and no temporary file behind.
    let second = try LineChart(series: [Series("b", ys: [3, 2, 1])])
    try second.write(to: url)
    #expect(try String(contentsOf: url, encoding: .utf8) == second.svg())
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["chart.svg"])
    // A directory that does not exist is an error, not a crash.
    #expect(throws: (any Error).self) {
      try chart.write(to: directory.appendingPathComponent("no/such/dir.svg"))
    }
  }

  @Test func numbersAreCompact() {
    #expect(num(1) == "1")
    // Rounded as doubles, half away from zero: 1.005 × 100 is 100.49999999999999 (1.005 is
    // stored a little below), 12.345 × 100 rounds to exactly 1234.5.
    #expect(num(1.005) == "1")
    #expect(num(12.345) == "12.35")
    #expect(num(-0.001) == "0")
    #expect(num(0.5) == "0.5")
    #expect(num(-3.25) == "-3.25")
    #expect(num(.nan) == "0" && num(.infinity) == "0")
    #expect(num(0.12345, digits: 3) == "0.123")
  }

  @Test func xmlEscaping() {
    #expect(xmlEscape("<a & 'b' \"c\">") == "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;")
    #expect(xmlEscape("tab\there\u{1}") == "tab here")
    #expect(xmlEscape("ŷ − y²") == "ŷ − y²")
  }

  @Test func textPanelValidates() throws {
    #expect(throws: PlotError.self) { try TextPanel(["x"], width: .nan) }
    let parsed = validateSVG(try TextPanel([]).svg())
    #expect(parsed.count("text") == 0)
  }
}
