/// Batches from a dataset, in order or shuffled (`torch.utils.data.DataLoader`).
///
/// ```swift
/// let loader = DataLoader(TensorDataset(x, y), batchSize: 32, shuffle: true,
///                         generator: Generator(seed: 0))
/// for batch in loader { let (xb, yb) = (batch[0], batch[1]) … }
/// ```
/// Each pass over the loader is one epoch; with `shuffle` every epoch draws a new permutation
/// from the generator, with PyTorch's `randperm`, so a seeded generator gives PyTorch's batches.
public struct DataLoader<Source: Dataset>: Sequence {
  /// The dataset the batches are drawn from.
  public let dataset: Source
  /// The number of samples per batch (the last batch may be smaller unless `dropLast`).
  public let batchSize: Int
  /// Whether each pass visits the samples in a new random order.
  public let shuffle: Bool
  /// Whether a last batch smaller than `batchSize` is left out.
  public let dropLast: Bool
  /// The generator of the permutations; the global one when nil.
  public let generator: Descent.Generator?
  /// The sampler that picks each epoch's indices instead of `shuffle`, for data-parallel
  /// training; nil for the whole dataset.
  public let sampler: DistributedSampler?

  /// A loader of `dataset` in batches of `batchSize`, shuffled with `generator` (the default
  /// generator if nil) when `shuffle` is true, like `torch.utils.data.DataLoader`.
  public init(
    _ dataset: Source, batchSize: Int = 1, shuffle: Bool = false, dropLast: Bool = false,
    generator: Descent.Generator? = nil
  ) {
    self.init(
      dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, generator: generator,
      sampler: nil)
  }

  /// Batches of the indices `sampler` gives each epoch, in its order (`DataLoader(dataset,
  /// batch_size=…, sampler=…)`): each rank of a data-parallel job loads its own share. As in
  /// PyTorch, every epoch also draws one number from `generator` (the global one when nil).
  public init(
    _ dataset: Source, batchSize: Int = 1, sampler: DistributedSampler, dropLast: Bool = false,
    generator: Descent.Generator? = nil
  ) {
    guard sampler.datasetCount == dataset.count else {
      opFailure(
        "DataLoader",
        "the sampler was made for a dataset of \(sampler.datasetCount) samples, but the dataset has \(dataset.count)"
      )
    }
    self.init(
      dataset, batchSize: batchSize, shuffle: false, dropLast: dropLast, generator: generator,
      sampler: sampler)
  }

  private init(
    _ dataset: Source, batchSize: Int, shuffle: Bool, dropLast: Bool,
    generator: Descent.Generator?, sampler: DistributedSampler?
  ) {
    guard batchSize > 0 else {
      opFailure(
        "DataLoader",
        "batch_size should be a positive integer value, but got batch_size=\(batchSize)")
    }
    self.dataset = dataset
    self.batchSize = batchSize
    self.shuffle = shuffle
    self.dropLast = dropLast
    self.generator = generator
    self.sampler = sampler
  }

  /// The number of batches in one epoch.
  public var count: Int {
    let samples = sampler?.count ?? dataset.count
    return dropLast ? samples / batchSize : (samples + batchSize - 1) / batchSize
  }

  /// Starts a pass over the data; a shuffling loader draws a new order for each pass.
  public func makeIterator() -> Iterator {
    if let sampler {
      // PyTorch's order: the sampler's indices, then the iterator's base seed (one draw).
      let order = sampler.indices()
      _ = (generator ?? defaultGenerator).nextUInt64()
      return Iterator(loader: self, order: order, sampler: nil)
    }
    guard shuffle else {
      return Iterator(loader: self, order: Array(0..<dataset.count), sampler: nil)
    }
    // PyTorch's draws, in its order, so that a seeded generator gives its batches: the
    // iterator's base seed (one 64-bit draw), then the sampler's permutation; without a
    // generator the sampler seeds a private one from the global generator.
    let source = generator ?? defaultGenerator
    _ = source.nextUInt64()
    let sampler = generator ?? Descent.Generator(seed: defaultGenerator.nextUInt64() % (1 << 63))
    let order = Tensor.randperm(dataset.count, generator: sampler).toArray(as: Int64.self).map(
      Int.init)
    return Iterator(loader: self, order: order, sampler: sampler)
  }

  /// One epoch's batches.
  public struct Iterator: IteratorProtocol {
    let loader: DataLoader
    let order: [Int]
    /// The shuffling generator; PyTorch's sampler draws one more permutation when it runs out,
    /// and so does this iterator, to keep later epochs in step.
    let sampler: Descent.Generator?
    var position = 0
    var exhausted = false

    init(loader: DataLoader, order: [Int], sampler: Descent.Generator?) {
      self.loader = loader
      self.order = order
      self.sampler = sampler
    }

    private mutating func exhaust() {
      guard !exhausted else { return }
      exhausted = true
      if let sampler { _ = Tensor.randperm(order.count, generator: sampler) }
    }

    /// The next batch, one tensor per part of a sample, or nil at the end of the pass.
    public mutating func next() -> [Tensor]? {
      let remaining = order.count - position
      let size = Swift.min(loader.batchSize, remaining)
      // A short (or empty) batch means the sampler was asked past its end.
      if size < loader.batchSize { exhaust() }
      guard size > 0, !(loader.dropLast && size < loader.batchSize) else { return nil }
      let end = position + size
      defer { position = end }
      return loader.dataset.batch(at: Array(order[position..<end]))
    }
  }
}
