import Foundation
import Testing

@testable import Descent

// Decoding of Tests/Fixtures/training.json (made by make_training_fixtures.py, which documents
// the layout): gradient clipping with non-finite gradients, chained schedulers, and
// checkpointed runs of every optimizer.

/// A number, or NaN and the infinities written as "nan", "inf", "-inf".
struct FixtureDouble: Decodable, Sendable {
  let value: Double
  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let number = try? c.decode(Double.self) {
      value = number
      return
    }
    switch try c.decode(String.self) {
    case "nan": value = .nan
    case "inf": value = .infinity
    case "-inf": value = -.infinity
    case let other:
      throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a number: \(other)")
    }
  }
}

struct ClipNonfiniteCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let max_norm: Double
  let norm_type: OptimJSON
  let grads: [[FixtureDouble]]
  let error: String
  let total_norm: FixtureDouble
  let clipped: [[FixtureDouble]]
  var testDescription: String { name }
  var normType: Double { norm_type == .string("inf") ? .infinity : norm_type.double! }
}

struct ChainedSchedulerCase: Decodable, Sendable, CustomTestStringConvertible {
  struct Link: Decodable, Sendable {
    let scheduler: String
    let kwargs: OptimKwargs
  }
  let name: String
  let schedulers: [Link]
  /// The groups' rates after creation and after each step.
  let group_lrs: [[Double]]
  /// Each scheduler's `get_last_lr()` after creation and after each step.
  let last_lrs: [[[Double]]]
  var testDescription: String { name }
}

struct CheckpointCase: Decodable, Sendable, CustomTestStringConvertible {
  struct Step: Decodable, Sendable {
    let params: [[Double]]
    let lrs: [Double]
  }
  let name: String
  let optimizer: String
  let kwargs: OptimKwargs
  let groups: [OptimKwargs]
  let plateau: OptimKwargs
  let metrics: [Double]
  let steps: [Step]
  var testDescription: String { name }
}

struct TrainingFixtureFile: Decodable, Sendable {
  let torch_version: String
  let clip_nonfinite: [ClipNonfiniteCase]
  let chained_schedulers: [ChainedSchedulerCase]
  let checkpoints: [CheckpointCase]

  static let url = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/training.json")

  /// Loaded once; a broken file fails `trainingFixtureLoads` rather than test discovery.
  static let loaded: Result<TrainingFixtureFile, any Error> = Result {
    try JSONDecoder().decode(TrainingFixtureFile.self, from: Data(contentsOf: url))
  }
  static var file: TrainingFixtureFile? { try? loaded.get() }
}

@Suite struct TrainingFixtureTests {
  @Test func trainingFixtureLoads() throws {
    let file = try TrainingFixtureFile.loaded.get()
    #expect(file.clip_nonfinite.count == 4)
    #expect(file.chained_schedulers.count == 4)
    #expect(
      file.checkpoints.map(\.optimizer).sorted() == ["Adagrad", "Adam", "AdamW", "RMSprop", "SGD"])
    for c in file.checkpoints {
      #expect(c.steps.count == 12 && c.metrics.count == 12 && c.groups.count == 2, "\(c.name)")
    }
  }
}
