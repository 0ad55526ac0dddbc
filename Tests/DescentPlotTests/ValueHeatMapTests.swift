import Foundation
import Testing

@testable import DescentPlot

/// Heat maps (attention matrices): one cell per value, shaded from the smallest to the largest,
/// every label written, and grids that do not fit their labels refused.
@Suite struct ValueHeatMapTests {
  @Test func drawsOneCellPerValueWithItsLabels() throws {
    let map = try ValueHeatMap(
      values: [[0, 0.5, 1], [1, 0, 0.25]], rowLabels: ["q0", "q1"],
      columnLabels: ["k0", "k1", "k2"], title: "attention", xLabel: "key", yLabel: "query")
    try saveForViewing(map, "heatmap")
    let svg = map.svg()
    let parsed = validateSVG(svg)
    // The background and six cells.
    #expect(parsed.count("rect") == 7)
    for label in ["q0", "q1", "k0", "k1", "k2", "attention", "key", "query"] {
      #expect(parsed.texts.contains(label), "\(label)")
    }
    // The smallest value is white, the largest the darkest blue.
    #expect(svg.contains("fill=\"#ffffff\" stroke"))
    #expect(svg.contains("fill=\"#08306b\""))
  }

  @Test func refusesGridsThatDoNotFit() {
    #expect(throws: PlotError.self) {
      try ValueHeatMap(values: [[1, 2], [3]], rowLabels: ["a", "b"], columnLabels: ["x", "y"])
    }
    #expect(throws: PlotError.self) {
      try ValueHeatMap(values: [[1, 2]], rowLabels: ["a", "b"], columnLabels: ["x", "y"])
    }
    #expect(throws: PlotError.self) {
      try ValueHeatMap(values: [[1, .nan]], rowLabels: ["a"], columnLabels: ["x", "y"])
    }
  }
}
