/// The share of a dataset's indices that one rank of a data-parallel job trains on
/// (`torch.utils.data.distributed.DistributedSampler`), with PyTorch's split for the same seed.
///
/// ```swift
/// let sampler = DistributedSampler(dataset, numReplicas: group.size, rank: group.rank)
/// let loader = DataLoader(dataset, batchSize: 64, sampler: sampler)
/// for epoch in 0..<epochs {
///   sampler.setEpoch(epoch)          // a new shuffle each epoch, the same on every rank
///   for batch in loader { … }
/// }
/// ```
///
/// Each epoch the indices are shuffled with `randperm` from a generator seeded `seed + epoch`
/// (or left in order), made divisible by `numReplicas` by repeating the first indices (or, with
/// `dropLast`, by dropping the tail), and rank r takes every `numReplicas`-th one from r on.
public final class DistributedSampler: Sequence, @unchecked Sendable {
  /// The number of ranks the dataset is split between.
  public let numReplicas: Int
  /// The rank this sampler serves.
  public let rank: Int
  /// Whether each epoch's indices are shuffled.
  public let shuffle: Bool
  /// The seed of the shuffle; the same on every rank.
  public let seed: Int
  /// Whether the tail that does not divide evenly is dropped instead of padded.
  public let dropLast: Bool
  /// The size of the dataset.
  public let datasetCount: Int
  /// The indices each rank gets per epoch (`len(sampler)`).
  public let count: Int
  /// `count × numReplicas`: the dataset padded or cut to split evenly.
  public let totalSize: Int
  /// The epoch whose shuffle `indices()` gives; see ``setEpoch(_:)``.
  public private(set) var epoch = 0

  /// - Parameters:
  ///   - dataset: the dataset to split; only its size is used.
  ///   - numReplicas: the number of ranks (`group.size`).
  ///   - rank: this rank (`group.rank`), in `0..<numReplicas`.
  ///   - shuffle: shuffle each epoch (the default) or keep the dataset's order.
  ///   - seed: the seed of the shuffle, which every rank must share.
  ///   - dropLast: drop the tail instead of repeating indices to split evenly.
  public convenience init<Source: Dataset>(
    _ dataset: Source, numReplicas: Int, rank: Int, shuffle: Bool = true, seed: Int = 0,
    dropLast: Bool = false
  ) {
    self.init(
      count: dataset.count, numReplicas: numReplicas, rank: rank, shuffle: shuffle, seed: seed,
      dropLast: dropLast)
  }

  /// A sampler for a dataset of `count` samples.
  public init(
    count: Int, numReplicas: Int, rank: Int, shuffle: Bool = true, seed: Int = 0,
    dropLast: Bool = false
  ) {
    guard numReplicas >= 1 else {
      opFailure(
        "DistributedSampler",
        "num_replicas should be a positive integer value, but got num_replicas=\(numReplicas)")
    }
    guard rank >= 0 && rank < numReplicas else {
      opFailure(
        "DistributedSampler",
        "Invalid rank \(rank), rank should be in the interval [0, \(numReplicas - 1)]")
    }
    self.numReplicas = numReplicas
    self.rank = rank
    self.shuffle = shuffle
    self.seed = seed
    self.dropLast = dropLast
    self.datasetCount = count
    // PyTorch: ceil((n - r) / r) when dropping an uneven tail, else ceil(n / r).
    let perRank =
      dropLast && count % numReplicas != 0
      ? ceilingDivision(count - numReplicas, numReplicas)
      : ceilingDivision(count, numReplicas)
    self.count = perRank
    self.totalSize = perRank * numReplicas
  }

  /// Sets the epoch, whose number is added to the seed of the shuffle (`set_epoch`). Call it
  /// before each epoch, or every epoch gets the same order.
  public func setEpoch(_ epoch: Int) { self.epoch = epoch }

  /// This rank's indices for the current epoch, in the order they are used.
  public func indices() -> [Int] {
    var all: [Int]
    if shuffle {
      let generator = Descent.Generator(seed: UInt64(truncatingIfNeeded: seed &+ epoch))
      all = Tensor.randperm(datasetCount, generator: generator).toArray(as: Int64.self).map {
        Int($0)
      }
    } else {
      all = Array(0..<datasetCount)
    }
    if totalSize > all.count {
      // Padding repeats the indices from the start, as many times as needed.
      let original = all
      all.reserveCapacity(totalSize)
      while all.count < totalSize { all.append(original[all.count % original.count]) }
    } else {
      all.removeLast(all.count - totalSize)
    }
    return Array(stride(from: rank, to: totalSize, by: numReplicas).map { all[$0] })
  }

  public func makeIterator() -> IndexingIterator<[Int]> { indices().makeIterator() }
}

/// ⌈a / b⌉ for b > 0 and any a, as Python's `math.ceil(a / b)`.
private func ceilingDivision(_ a: Int, _ b: Int) -> Int {
  a >= 0 ? (a + b - 1) / b : -((-a) / b)
}
