import Foundation
import Testing

@testable import Descent

/// Data-parallel pieces that need no process group: the sampler, the loader with a sampler and
/// the bucket assignment, against PyTorch's values (Tests/Fixtures/make_distributed_fixtures.py).
/// The collectives and DistributedDataParallel need real processes: see DistributedMPITests.
private struct DistributedFixture: Decodable {
  struct Sampler: Decodable {
    let count: Int
    let num_replicas: Int
    let shuffle: Bool
    let seed: Int
    let drop_last: Bool
    let epoch: Int
    let length: Int
    let total_size: Int
    let ranks: [[Int]]
  }
  struct Loader: Decodable {
    let count: Int
    let num_replicas: Int
    let rank: Int
    let seed: Int
    let drop_last: Bool
    let batch_size: Int
    let loader_drop_last: Bool
    let global_seed: UInt64
    let epochs: [[[Int64]]]
    let after: Double
  }
  struct Buckets: Decodable {
    let bytes: [Int]
    let dtypes: [String]
    let limits: [Int]
    let order: [Int]?
    let buckets: [[Int]]
    let bucket_limits: [Int]
  }
  let samplers: [Sampler]
  let loaders: [Loader]
  let buckets: [Buckets]

  static let shared: DistributedFixture? = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/distributed.json")
    return try? JSONDecoder().decode(DistributedFixture.self, from: Data(contentsOf: url))
  }()
}

@Suite struct DistributedSamplerTests {
  @Test func fixtureLoads() throws {
    let fixture = try #require(DistributedFixture.shared)
    #expect(fixture.samplers.count >= 150 && fixture.loaders.count >= 4)
    #expect(fixture.buckets.count >= 8)
  }

  @Test func everyRankGetsPyTorchsIndices() throws {
    let fixture = try #require(DistributedFixture.shared)
    for case_ in fixture.samplers {
      for (rank, expected) in case_.ranks.enumerated() {
        let sampler = DistributedSampler(
          count: case_.count, numReplicas: case_.num_replicas, rank: rank,
          shuffle: case_.shuffle, seed: case_.seed, dropLast: case_.drop_last)
        sampler.setEpoch(case_.epoch)
        #expect(sampler.count == case_.length && sampler.totalSize == case_.total_size)
        #expect(
          Array(sampler) == expected,
          "count \(case_.count), replicas \(case_.num_replicas), rank \(rank), shuffle \(case_.shuffle), seed \(case_.seed), dropLast \(case_.drop_last), epoch \(case_.epoch)"
        )
      }
    }
  }

  @Test func aLoaderWithASamplerGivesPyTorchsBatchesAndDraws() throws {
    let fixture = try #require(DistributedFixture.shared)
    for case_ in fixture.loaders {
      let dataset = TensorDataset(Tensor.arange(Double(case_.count), dtype: .int64))
      let sampler = DistributedSampler(
        dataset, numReplicas: case_.num_replicas, rank: case_.rank, seed: case_.seed,
        dropLast: case_.drop_last)
      let generator = Generator(seed: case_.global_seed)
      withDefaultGenerator(generator) {
        let loader = DataLoader(
          dataset, batchSize: case_.batch_size, sampler: sampler, dropLast: case_.loader_drop_last)
        for (epoch, expected) in case_.epochs.enumerated() {
          sampler.setEpoch(epoch)
          #expect(loader.count == expected.count)
          #expect(loader.map { $0[0].toArray(as: Int64.self) } == expected, "epoch \(epoch)")
        }
        // Each epoch drew one base seed from the global generator, as PyTorch's iterator.
        #expect(Tensor.rand([1]).item() == case_.after)
      }
    }
  }

  @Test func setEpochChangesTheShuffleAndNotTheShare() {
    let sampler = DistributedSampler(count: 10, numReplicas: 3, rank: 2)
    let first = sampler.indices()
    sampler.setEpoch(1)
    #expect(sampler.epoch == 1 && sampler.indices() != first && sampler.indices().count == 4)
  }
}

@Suite struct BucketAssignmentTests {
  @Test func bucketsArePyTorchsReducers() throws {
    let fixture = try #require(DistributedFixture.shared)
    for case_ in fixture.buckets {
      let dtypes = case_.dtypes.map { $0 == "float64" ? DType.float64 : .float32 }
      let assignment = BucketAssignment(
        byteCounts: case_.bytes, dtypes: dtypes, limits: case_.limits, order: case_.order)
      #expect(assignment.buckets == case_.buckets, "bytes \(case_.bytes), limits \(case_.limits)")
      #expect(assignment.limits == case_.bucket_limits)
    }
  }
}

@Suite struct DistributedExitTests {
  @Test func aRankOutsideTheReplicasStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = DistributedSampler(count: 10, numReplicas: 2, rank: 2)
    }
    expectStopMessage(
      result, op: "DistributedSampler", ["Invalid rank 2, rank should be in the interval [0, 1]"])
  }

  @Test func noReplicasStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = DistributedSampler(count: 10, numReplicas: 0, rank: 0)
    }
    expectStopMessage(result, op: "DistributedSampler", ["num_replicas=0"])
  }

  @Test func aSamplerOfAnotherDatasetStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let sampler = DistributedSampler(count: 10, numReplicas: 2, rank: 0)
      _ = DataLoader(TensorDataset(Tensor.arange(5)), batchSize: 2, sampler: sampler)
    }
    expectStopMessage(
      result, op: "DataLoader", ["made for a dataset of 10 samples, but the dataset has 5"])
  }
}
