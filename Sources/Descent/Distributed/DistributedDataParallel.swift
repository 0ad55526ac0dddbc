import Foundation

/// Data-parallel training of a model, one copy per rank (`torch.nn.parallel.
/// DistributedDataParallel`). Each rank trains on its own share of every batch; by the end of
/// `loss.backward()` every parameter's gradient is the average over the ranks, so the
/// optimizers of all ranks take the same step and the copies stay identical.
///
/// ```swift
/// let group = try ProcessGroup.mpi()
/// let ddp = DistributedDataParallel(model, group: group)
/// let optimizer = Adam(ddp.parameters(), lr: 1e-3)
/// for batch in loader {                   // a DataLoader with a DistributedSampler
///   let loss = criterion(ddp(batch[0]), batch[1])
///   optimizer.zeroGrad()
///   loss.backward()                       // gradients averaged over the ranks
///   optimizer.step()
/// }
/// ```
///
/// At construction rank 0's parameters and buffers are copied to every rank. Gradients are
/// reduced in buckets of at most `bucketCapMB` MiB, as PyTorch's reducer does: a bucket's
/// all-reduce starts as soon as its last gradient is ready, overlapping the rest of backward.
/// With the default cap the first bucket holds only 1 MiB, so that reduction begins early.
/// The first backward pass reduces one bucket; the buckets are then rebuilt in the order the
/// gradients became ready. Every parameter must receive a gradient in every backward pass.
public final class DistributedDataParallel: Module {
  /// The wrapped model; its parameters appear under `module.` as in PyTorch's state dicts.
  public let module: Module
  /// The ranks that train together.
  public let group: ProcessGroup
  /// The size limit of a gradient bucket, in MiB.
  public let bucketCapMB: Double
  /// Whether rank 0's buffers are copied to every rank before each forward pass.
  public let broadcastBuffers: Bool

  private let reducer: GradientReducer
  /// False inside `noSync`: forward passes there prepare no reduction.
  private var requireBackwardGradSync = true

  /// Wraps `model` for data-parallel training on `group`, copying rank 0's parameters and
  /// buffers to every rank.
  ///
  /// - Parameters:
  ///   - model: the module to train; every rank builds the same one.
  ///   - group: the processes that train together (`ProcessGroup.mpi()` for all of them).
  ///   - bucketCapMB: the most MiB of gradients one all-reduce carries (PyTorch's 25 by
  ///     default).
  ///   - broadcastBuffers: copy rank 0's buffers (BatchNorm's running statistics) to every
  ///     rank before each forward pass, as PyTorch does by default.
  public init(
    _ model: Module, group: ProcessGroup, bucketCapMB: Double = 25, broadcastBuffers: Bool = true
  ) {
    let parameters = model.namedParameters().map { ("module.\($0.0)", $0.1) }
    guard !parameters.isEmpty else {
      opFailure(
        "DistributedDataParallel",
        "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient."
      )
    }
    guard bucketCapMB.isFinite && bucketCapMB > 0 else {
      opFailure("DistributedDataParallel", "bucketCapMB must be positive, got \(bucketCapMB)")
    }
    for (name, parameter) in parameters where !parameter.isContiguous {
      opFailure(
        "DistributedDataParallel",
        "parameter \(name) is not contiguous (shape \(shapeText(parameter.shape))); DDP reduces contiguous parameters"
      )
    }
    self.module = model
    self.group = group
    self.bucketCapMB = bucketCapMB
    self.broadcastBuffers = broadcastBuffers
    let capBytes = Int(bucketCapMB * 1024 * 1024)
    // PyTorch's small first bucket applies with the default cap only.
    let firstBytes = bucketCapMB == 25 ? 1024 * 1024 : capBytes
    verifyShapesAcrossRanks(parameters.map(\.1), group: group)
    broadcastFromRankZero(parameters.map(\.1) + model.namedBuffers().map(\.1), group: group)
    self.reducer = GradientReducer(
      group: group, named: parameters, limits: [firstBytes, capBytes])
    super.init()
  }

  /// Runs the model; with gradients enabled outside `noSync`, the next backward pass averages
  /// the gradients over the ranks.
  public override func forward(_ input: Tensor) -> Tensor {
    if broadcastBuffers {
      let buffers = module.namedBuffers().map(\.1)
      if !buffers.isEmpty { broadcastFromRankZero(buffers, group: group) }
    }
    reducer.expectsBackward = isGradEnabled && requireBackwardGradSync
    return module(input)
  }

  /// Runs `body` without averaging gradients (`no_sync()`): backward passes of forward passes
  /// made inside only accumulate into each rank's own `grad`, and the first synchronised
  /// backward after it averages the accumulated sums. For gradient accumulation over several
  /// micro-batches at the cost of one reduction.
  public func noSync<R>(_ body: () throws -> R) rethrows -> R {
    let previous = requireBackwardGradSync
    requireBackwardGradSync = false
    defer { requireBackwardGradSync = previous }
    return try body()
  }

  /// The parameters' names in each bucket, in the order the buckets' reductions start (after
  /// the first backward pass, the order in which their gradients became ready).
  public var bucketParameterNames: [[String]] {
    reducer.buckets.map { bucket in bucket.members.map { reducer.names[$0] } }
  }

  /// How many buckets of the last synchronised backward pass started their all-reduce before
  /// the pass's last gradient was ready: the reductions that overlapped backward.
  public var bucketsStartedBeforeLastGradient: Int { reducer.startedEarly }

  public override var extraRepr: String { "" }
}

/// Stops unless every rank has parameters of the same number and shapes
/// (`_verify_param_shape_across_processes`).
private func verifyShapesAcrossRanks(_ parameters: [Tensor], group: ProcessGroup) {
  // FNV-1a over the shapes, as a fingerprint.
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for parameter in parameters {
    for value in [parameter.rank] + parameter.shape + [parameter.dtype.rawValue] {
      hash = (hash ^ UInt64(truncatingIfNeeded: value)) &* 0x0100_0000_01b3
    }
  }
  let mine = Tensor(
    shape: [2], scalars: [Int64(parameters.count), Int64(bitPattern: hash)])
  let all = group.allGather(mine).map { $0.toArray(as: Int64.self) }
  for (rank, other) in all.enumerated() where other != all[0] {
    opFailure(
      "DistributedDataParallel",
      other[0] != all[0][0]
        ? "DDP expects same model across all ranks, but Rank \(rank) has \(other[0]) params, while rank 0 has inconsistent \(all[0][0]) params."
        : "DDP expects same model across all ranks, but the shapes or dtypes of the parameters of rank \(rank) differ from rank 0's."
    )
  }
}

/// Copies rank 0's values of `tensors` to every rank: one broadcast per dtype, of all the
/// tensors of that dtype packed together.
private func broadcastFromRankZero(_ tensors: [Tensor], group: ProcessGroup) {
  guard group.size > 1 else { return }
  for dtype in [DType.float32, .float64, .int64] {
    let members = tensors.filter { $0.dtype == dtype }
    guard !members.isEmpty else { continue }
    noGrad {
      let flat = Tensor.cat(members.map { $0.detach().reshaped([-1]) })
      group.broadcast(flat, from: 0)
      if group.rank != 0 {
        var offset = 0
        for tensor in members {
          _ = tensor.copy_(
            flat.slice(0, start: offset, end: offset + tensor.count).view(tensor.shape))
          offset += tensor.count
        }
      }
    }
  }
  if let bad = tensors.first(where: { $0.dtype == .bool }) {
    opFailure(
      "DistributedDataParallel",
      "cannot broadcast a bool buffer (shape \(shapeText(bad.shape))); store it as int64")
  }
}
