import Testing

@testable import Descent

/// Datasets, loaders and standardisation. Batches and splits are PyTorch's for the same seed
/// (`DataLoader(TensorDataset(torch.arange(10)), batch_size=3, shuffle=True,
/// generator=torch.Generator().manual_seed(0))` and so on, printed by PyTorch 2.15).
@Suite struct DataTests {
  func batches(_ loader: DataLoader<TensorDataset>) -> [[Int64]] {
    loader.map { $0[0].toArray(as: Int64.self) }
  }

  @Test func shuffledBatchesArePyTorchsForTheSameSeed() {
    let dataset = TensorDataset(Tensor.arange(10))
    let loader = DataLoader(dataset, batchSize: 3, shuffle: true, generator: Generator(seed: 0))
    #expect(loader.count == 4)
    #expect(batches(loader) == [[3, 7, 5], [2, 0, 8], [1, 6, 9], [4]])
    #expect(batches(loader) == [[1, 3, 2], [7, 5, 9], [0, 6, 4], [8]])  // a new epoch reshuffles
    let dropping = DataLoader(
      dataset, batchSize: 4, shuffle: true, dropLast: true, generator: Generator(seed: 7))
    #expect(dropping.count == 2)
    #expect(batches(dropping) == [[1, 3, 5, 7], [9, 4, 6, 2]])
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
    let dataset = TensorDataset(Tensor.arange(10))
    let parts = randomSplit(dataset, lengths: [7, 3], generator: Generator(seed: 42))
    #expect(parts.map(\.indices) == [[2, 6, 1, 8, 4, 5, 0], [9, 3, 7]])
    let fractions = randomSplit(
      TensorDataset(Tensor.arange(11)), fractions: [0.5, 0.3, 0.2], generator: Generator(seed: 1))
    #expect(fractions.map(\.indices) == [[0, 10, 2, 3, 7, 6], [4, 8, 1], [9, 5]])
    #expect(parts[1].batch(at: [0, 2])[0].toArray(as: Int64.self) == [9, 7])
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
