import Foundation
import Testing

@testable import Descent

/// Datasets, loaders and standardisation. Batches, splits and error messages are PyTorch's for
/// the same seed (Tests/Fixtures/data.json, made by make_data_fixtures.py).
@Suite struct DataTests {
  struct LoaderCase: Decodable {
    let name: String
    let n, batch_size, count: Int
    let shuffle, drop_last: Bool
    let seed: UInt64
    let epochs: [[[Int64]]]
  }
  struct SplitCase: Decodable {
    let name: String
    let n: Int
    let lengths: [Int]?
    let fractions: [Double]?
    let seed: UInt64
    let indices: [[Int]]
  }
  struct Fixture: Decodable {
    let loaders: [LoaderCase]
    let splits: [SplitCase]
    let errors: [String: String]
  }

  static let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../Fixtures/data.json")
    return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }()

  func batches(_ loader: DataLoader<TensorDataset>) -> [[Int64]] {
    loader.map { $0[0].toArray(as: Int64.self) }
  }

  @Test func batchesArePyTorchsForTheSameSeed() {
    #expect(Self.fixture.loaders.count == 5)
    for c in Self.fixture.loaders {
      let loader = DataLoader(
        TensorDataset(Tensor.arange(Double(c.n))), batchSize: c.batch_size, shuffle: c.shuffle,
        dropLast: c.drop_last, generator: Generator(seed: c.seed))
      #expect(loader.count == c.count, "\(c.name)")
      // Each pass is an epoch; a shuffling loader draws a new order each time.
      for (epoch, expected) in c.epochs.enumerated() {
        #expect(batches(loader) == expected, "\(c.name) epoch \(epoch + 1)")
      }
    }
  }

  @Test func inOrderBatchesKeepTheirRows() {
    let x = Tensor.arange(0, 12, dtype: .float32).reshaped(6, 2)
    let y = Tensor(integers: [0, 1, 0, 1, 1, 0])
    let loader = DataLoader(TensorDataset(x, y), batchSize: 4)
    let all = Array(loader)
    #expect(all.count == 2)
    #expect(all[0][0].shape == [4, 2] && all[1][0].shape == [2, 2])
    #expect(all[1][0].toDoubles() == [8, 9, 10, 11])
    #expect(all[1][1].toArray(as: Int64.self) == [1, 0])
  }

  @Test func randomSplitIsPyTorchs() {
    #expect(Self.fixture.splits.count == 5)
    for c in Self.fixture.splits {
      let dataset = TensorDataset(Tensor.arange(Double(c.n)))
      let parts =
        if let lengths = c.lengths {
          randomSplit(dataset, lengths: lengths, generator: Generator(seed: c.seed))
        } else {
          randomSplit(dataset, fractions: c.fractions ?? [], generator: Generator(seed: c.seed))
        }
      #expect(parts.map(\.indices) == c.indices, "\(c.name)")
      // A part's batch holds the dataset's rows at its indices.
      if let part = parts.last, part.count >= 2 {
        #expect(
          part.batch(at: [0, 1])[0].toArray(as: Int64.self)
            == c.indices.last!.prefix(2).map(Int64.init),
          "\(c.name)")
      }
    }
  }

  /// PyTorch's message for `key` (data.json).
  static func message(_ key: String) -> String { fixture.errors[key] ?? "missing fixture \(key)" }

  @Test func tensorsOfDifferentLengthsStop() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = TensorDataset(Tensor.zeros([3]), Tensor.zeros([4, 2]))
    }
    expectStopMessage(
      result, op: "TensorDataset", [Self.message("tensor_dataset_lengths"), "[3], [4, 2]"])
  }

  @Test func lengthsThatDoNotAddUpStop() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = randomSplit(TensorDataset(Tensor.arange(10)), lengths: [7, 2])
    }
    expectStopMessage(
      result, op: "random_split", [Self.message("split_lengths_sum"), "sum to 9", "holds 10"])
  }

  @Test func badFractionsStop() async {
    let sum = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = randomSplit(TensorDataset(Tensor.arange(10)), fractions: [0.5, 0.6])
    }
    expectStopMessage(sum, op: "random_split", [Self.message("split_fractions_sum"), "not 1"])
    let range = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = randomSplit(TensorDataset(Tensor.arange(10)), fractions: [1.5, -0.5])
    }
    expectStopMessage(range, op: "random_split", [Self.message("split_fraction_range")])
  }

  @Test func batchSizeZeroStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = DataLoader(TensorDataset(Tensor.arange(10)), batchSize: 0)
    }
    expectStopMessage(result, op: "DataLoader", [Self.message("batch_size_0")])
  }

  @Test func standardizerIsPopulationScaled() {
    // Columns: 1…4 (mean 2.5, population std √1.25), constant 7, and 10·(1…4).
    let data = Tensor([[1, 7, 10], [2, 7, 20], [3, 7, 30], [4, 7, 40]])
    let scaler = Standardizer(fitting: data)
    #expect(scaler.mean == [2.5, 7, 25])
    #expect(Swift.abs(scaler.scale[0] - 1.25.squareRoot()) < 1e-12)
    #expect(scaler.scale[1] == 1)  // constant columns are left unscaled
    let scaled = scaler.transform(data)
    #expect(scaled[.all, 1].toDoubles() == [0, 0, 0, 0])
    let column = scaled[.all, 0].toDoubles()
    #expect(Swift.abs(column.reduce(0, +)) < 1e-6)
    #expect(Swift.abs(column.map { $0 * $0 }.reduce(0, +) / 4 - 1) < 1e-6)
    let back = scaler.inverseTransform(scaled).toDoubles()
    #expect(zip(back, data.toDoubles()).allSatisfy { Swift.abs($0 - $1) < 1e-5 })
    let restored = try? Standardizer(stateDict: scaler.stateDict())
    #expect(restored?.mean == scaler.mean && restored?.scale == scaler.scale)
  }
}
