import Foundation
import Testing

@testable import DescentPlot

/// Iso-lines of known functions.
@Suite struct MarchingSquaresTests {
  @Test(arguments: [0.5, 1.0, 1.7])
  func circlesHaveTheirRadius(radius: Double) throws {
    let grid = try Grid(function: { u, v in u * u + v * v }, u: -2...2, v: -2...2, resolution: 81)
    let lines = MarchingSquares.isolines(grid, level: radius * radius)
    #expect(lines.count == 1)
    let loop = try #require(lines.first)
    // A closed loop ends where it started.
    #expect(loop.first == loop.last)
    #expect(loop.count > 20)
    for point in loop {
      let r = (point.x * point.x + point.y * point.y).squareRoot()
      // Linear interpolation on a 0.05 grid: well within 1% of the radius.
      #expect(abs(r - radius) < 0.01 * radius + 1e-3)
    }
  }

  @Test func straightLineAcrossTheGrid() throws {
    let grid = try Grid(function: { u, _ in u }, u: 0...1, v: 0...1, resolution: 11)
    let lines = MarchingSquares.isolines(grid, level: 0.25)
    #expect(lines.count == 1)
    let line = try #require(lines.first)
    // An open line from one border to the other.
    #expect(line.count == 11)
    #expect(line.allSatisfy { abs($0.x - 0.25) < 1e-12 })
    #expect(Set(line.map(\.y)).count == 11)
  }

  @Test func levelsOutsideTheDataGiveNothing() throws {
    let grid = try Grid(function: { u, v in u + v }, u: 0...1, v: 0...1, resolution: 5)
    #expect(MarchingSquares.isolines(grid, level: 5).isEmpty)
    #expect(MarchingSquares.isolines(grid, level: -1).isEmpty)
    #expect(MarchingSquares.isolines(grid, level: .nan).isEmpty)
  }

  @Test func saddlesAreResolvedByTheCentre() {
    // Mask 5: bottom-left and top-right high. Centre high joins them (cuts off the low
    // corners), centre low separates them.
    #expect(
      MarchingSquares.cellSegments(5, centreHigh: true).map { [$0.0, $0.1] } == [[0, 1], [2, 3]])
    #expect(
      MarchingSquares.cellSegments(5, centreHigh: false).map { [$0.0, $0.1] } == [[3, 0], [1, 2]])
    #expect(MarchingSquares.cellSegments(0, centreHigh: true).isEmpty)
    #expect(MarchingSquares.cellSegments(15, centreHigh: false).isEmpty)
    // Every other mask crosses exactly one pair of edges.
    for mask in 1...14 where mask != 5 && mask != 10 {
      #expect(MarchingSquares.cellSegments(mask, centreHigh: true).count == 1)
    }
  }

  @Test func twoBumpsGiveTwoLoops() throws {
    let grid = try Grid(
      function: { u, v in
        exp(-((u - 1) * (u - 1) + v * v) * 4) + exp(-((u + 1) * (u + 1) + v * v) * 4)
      },
      u: -2...2, v: -1...1, resolution: 61)
    let lines = MarchingSquares.isolines(grid, level: 0.5)
    #expect(lines.count == 2)
    #expect(lines.allSatisfy { $0.first == $0.last })
  }

  @Test func nanCellsAreSkipped() throws {
    let grid = try Grid(
      function: { u, v in u < 0 ? .nan : u * u + v * v }, u: -2...2, v: -2...2, resolution: 41)
    let lines = MarchingSquares.isolines(grid, level: 1)
    #expect(!lines.isEmpty)
    #expect(
      lines.allSatisfy { line in line.allSatisfy { $0.x >= -1e-9 && $0.x.isFinite && $0.y.isFinite }
      })
  }

  @Test func gridsCheckTheirShape() {
    #expect(throws: PlotError.self) { try Grid(us: [0, 1], vs: [0, 1], values: [[1, 2]]) }
    #expect(throws: PlotError.self) {
      try Grid(us: [1, 0], vs: [0, 1], values: [[1, 2], [3, 4]])
    }
    #expect(throws: PlotError.self) { try Grid(function: { $0 + $1 }, u: 1...1, v: 0...1) }
    #expect(throws: PlotError.self) {
      try Grid(function: { $0 + $1 }, u: 0...1, v: 0...1, resolution: 1)
    }
  }
}
