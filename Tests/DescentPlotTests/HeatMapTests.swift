import Foundation
import Testing

@testable import DescentPlot

/// The confusion-matrix heat map: one cell and one count per entry, colours from light to
/// dark, bad input refused.
@Suite struct HeatMapTests {
  @Test func everyCountIsWrittenInItsCell() throws {
    let figure = try HeatMap(
      counts: [[50, 0, 0], [0, 47, 3], [0, 2, 48]], rowLabels: ["0", "1", "2"],
      columnLabels: ["0", "1", "2"], title: "Confusion matrix", xLabel: "predicted class",
      yLabel: "true class")
    try saveForViewing(figure, "heat_map_confusion")
    let parsed = validateSVG(figure.svg())
    for text in ["50", "47", "48", "3", "2", "predicted class", "true class", "Confusion matrix"] {
      #expect(parsed.texts.contains(text), "\(text) missing")
    }
    // Background, 9 cells, the grid's frame, 32 colour-bar steps and its frame.
    #expect(parsed.count("rect") == 1 + 9 + 1 + 32 + 1)
    #expect(parsed.texts.filter { $0 == "0" }.count >= 4)
  }

  @Test func coloursRunFromLightToDark() {
    #expect(HeatMap.colour(0) == Color(hex: 0xF7FBFF))
    #expect(HeatMap.colour(1) == Color(hex: 0x08306B))
  }

  @Test func badInputIsRefused() {
    #expect(throws: PlotError.invalidArgument("a heat map needs at least one row and one column")) {
      try HeatMap(counts: [], rowLabels: [], columnLabels: [])
    }
    #expect(throws: PlotError.invalidArgument("the heat map has 1 rows but 2 row labels")) {
      try HeatMap(counts: [[1]], rowLabels: ["a", "b"], columnLabels: ["a"])
    }
    #expect(
      throws: PlotError.invalidArgument(
        "row 0 of the heat map has 2 entries but there are 1 column labels")
    ) {
      try HeatMap(counts: [[1, 2]], rowLabels: ["a"], columnLabels: ["a"])
    }
    #expect(throws: PlotError.invalidArgument("a heat map of counts cannot show a negative count"))
    {
      try HeatMap(counts: [[-1]], rowLabels: ["a"], columnLabels: ["a"])
    }
  }
}
