import DescentExamples
import Foundation
import Testing

@testable import Descent

/// R11, the digits CNN: it trains, reaches the held-out accuracy the chapter promises, and its
/// figures show what it says (every wrong prediction marked, sixteen filters).
@Suite struct VisionExperimentTests {
  @Test func r11ReachesTheHeldOutAccuracyAndMarksItsMistakes() throws {
    let run = RecordedRun.of(R11DigitsCNN.self)
    #expect(run.failure == nil)
    #expect(run.lines.first == "1437 training images, 360 held out")
    #expect(run.lines.filter { $0.hasPrefix("epoch ") }.count == 12)
    let last = try #require(run.lines.last)
    // "held-out accuracy 0.9806 (353 of 360 right)"
    let words = last.split(separator: " ")
    #expect(words.count == 7 && words[0] == "held-out" && words[1] == "accuracy")
    let accuracy = try #require(Double(words[2]))
    #expect(accuracy >= 0.97, "\(last)")
    let right = try #require(Int(words[3].dropFirst()))
    #expect(String(format: "%.4f", Double(right) / 360) == words[2])
    // One red frame per wrong prediction (at most 10 at this accuracy, so all are shown).
    let grid = try #require(run.files["r11-held-out-predictions.svg"])
    let redFrames = grid.components(separatedBy: "stroke=\"#d62728\" stroke-width=\"3\"").count - 1
    #expect(redFrames == 360 - right)
    let filters = try #require(run.files["r11-first-layer-filters.svg"])
    #expect((0..<16).allSatisfy { filters.contains(">filter \($0)<") })
  }
}
