/// `torch.utils.data`: datasets of samples, each sample one or more tensors (features, target).

/// A collection of samples (`torch.utils.data.Dataset`). A sample is a list of tensors, such as
/// `[features, target]`.
public protocol Dataset {
  /// The number of samples.
  var count: Int { get }
  /// The sample at `index`, in `0..<count`.
  func sample(at index: Int) -> [Tensor]
  /// The samples at `indices`, each tensor stacked along a new first dimension. The default
  /// stacks `sample(at:)`; datasets backed by tensors gather rows directly.
  func batch(at indices: [Int]) -> [Tensor]
}

extension Dataset {
  /// The samples at `indices`, each part stacked along a new first dimension.
  public func batch(at indices: [Int]) -> [Tensor] {
    let samples = indices.map { sample(at: $0) }
    guard let first = samples.first else { return [] }
    return (0..<first.count).map { part in noGrad { Tensor.stack(samples.map { $0[part] }) } }
  }
}

/// Samples made of rows of tensors that share their first dimension
/// (`torch.utils.data.TensorDataset`).
public struct TensorDataset: Dataset {
  /// The tensors; sample `i` is row `i` of each.
  public let tensors: [Tensor]

  /// A dataset whose sample `i` is row `i` of each tensor (`TensorDataset(x, y)`).
  public init(_ tensors: Tensor...) { self.init(tensors) }

  /// A dataset whose sample `i` is row `i` of each tensor; all must have the same first dimension.
  public init(_ tensors: [Tensor]) {
    guard let first = tensors.first, first.rank > 0 else {
      opFailure("TensorDataset", "needs at least one tensor with at least one dimension")
    }
    for tensor in tensors where tensor.rank == 0 || tensor.shape[0] != first.shape[0] {
      opFailure(
        "TensorDataset",
        "Size mismatch between tensors: every tensor needs the same first dimension (shapes \(tensors.map { shapeText($0.shape) }.joined(separator: ", ")))"
      )
    }
    self.tensors = tensors
  }

  /// The number of samples: the tensors' first dimension.
  public var count: Int { tensors[0].shape[0] }

  /// Row `index` of each tensor.
  public func sample(at index: Int) -> [Tensor] {
    guard index >= 0 && index < count else {
      opFailure("TensorDataset", "index \(index) is out of range for a dataset of \(count) samples")
    }
    return tensors.map { $0[index] }
  }

  /// The rows at `indices` of each tensor, gathered in one step.
  public func batch(at indices: [Int]) -> [Tensor] {
    let positions = Tensor(integers: indices)
    return tensors.map { tensor in noGrad { tensor.indexSelect(0, positions) } }
  }
}

/// The samples of `dataset` at `indices` (`torch.utils.data.Subset`).
public struct Subset<Base: Dataset>: Dataset {
  /// The dataset the subset draws from.
  public let dataset: Base
  /// The positions in `dataset` of the subset's samples, in order.
  public let indices: [Int]

  /// The samples of `dataset` at `indices`, like `torch.utils.data.Subset`.
  public init(_ dataset: Base, indices: [Int]) {
    for index in indices where index < 0 || index >= dataset.count {
      opFailure(
        "Subset", "index \(index) is out of range for a dataset of \(dataset.count) samples")
    }
    self.dataset = dataset
    self.indices = indices
  }

  /// The number of samples in the subset.
  public var count: Int { indices.count }
  /// Sample `index` of the subset: sample `indices[index]` of the dataset.
  public func sample(at index: Int) -> [Tensor] { dataset.sample(at: indices[index]) }
  /// The subset's samples at `positions`, batched by the underlying dataset.
  public func batch(at positions: [Int]) -> [Tensor] {
    dataset.batch(at: positions.map { indices[$0] })
  }
}

/// Splits `dataset` at random into subsets of the given sizes (`random_split`), drawing one
/// permutation from `generator` as PyTorch does, so the same seed gives the same split.
public func randomSplit<Base: Dataset>(
  _ dataset: Base, lengths: [Int], generator: Generator? = nil
) -> [Subset<Base>] {
  guard lengths.allSatisfy({ $0 >= 0 }), lengths.reduce(0, +) == dataset.count else {
    opFailure(
      "random_split",
      "Sum of input lengths does not equal the length of the input dataset! (lengths \(lengths) sum to \(lengths.reduce(0, +)), the dataset holds \(dataset.count))"
    )
  }
  let permutation = Tensor.randperm(dataset.count, generator: generator).toArray(as: Int64.self)
    .map(Int.init)
  var start = 0
  return lengths.map { length in
    defer { start += length }
    return Subset(dataset, indices: Array(permutation[start..<(start + length)]))
  }
}

/// Splits by fractions that sum to 1: each part gets ⌊fraction·n⌋ samples and the remainder is
/// handed out one by one from the first part, as PyTorch does.
public func randomSplit<Base: Dataset>(
  _ dataset: Base, fractions: [Double], generator: Generator? = nil
) -> [Subset<Base>] {
  // PyTorch's messages: a sum other than 1 makes PyTorch read the list as lengths.
  for (index, fraction) in fractions.enumerated() where !(fraction >= 0 && fraction <= 1) {
    opFailure("random_split", "Fraction at index \(index) is not between 0 and 1 (got \(fraction))")
  }
  let sum = fractions.reduce(0, +)
  guard Swift.abs(sum - 1) < 1e-9 else {
    opFailure(
      "random_split",
      "Sum of input lengths does not equal the length of the input dataset! (fractions \(fractions) sum to \(sum), not 1)"
    )
  }
  var lengths = fractions.map { Int((Double(dataset.count) * $0).rounded(.down)) }
  let remainder = dataset.count - lengths.reduce(0, +)
  for i in 0..<remainder { lengths[i % lengths.count] += 1 }
  return randomSplit(dataset, lengths: lengths, generator: generator)
}
