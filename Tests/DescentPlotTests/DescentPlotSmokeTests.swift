import Testing

@testable import DescentPlot

@Suite struct DescentPlotSmokeTests {
  @Test func moduleLoads() { #expect(DescentPlot.formatVersion == 1) }
}
