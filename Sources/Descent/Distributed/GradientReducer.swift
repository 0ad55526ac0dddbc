/// The gradient reduction of DistributedDataParallel, after PyTorch's `Reducer`.
///
/// Gradients are grouped into buckets, each a flat buffer of one dtype. As backward accumulates
/// a parameter's gradient, a hook copies it, divided by the number of ranks, into its bucket;
/// when a bucket's last gradient arrives its all-reduce (a sum) starts at once, non-blocking,
/// while backward goes on computing the gradients of earlier layers. Buckets start in order.
/// When the backward pass ends, a callback waits for every bucket and copies the averages back
/// into the parameters' `grad`.
///
/// As in PyTorch (without `find_unused_parameters`), the first pass reduces one bucket per
/// dtype; it also records the order in which the gradients became ready, and the buckets are
/// then rebuilt in that order within the size limits (the first bucket smaller, so that the
/// reduction starts early), rank 0's order being broadcast so that every rank agrees.
final class GradientReducer {
  let group: ProcessGroup
  let parameters: [Tensor]
  let names: [String]
  /// The byte limits of the rebuilt buckets: the first, then every later one.
  let limits: [Int]

  /// A bucket: its parameters, where each sits in the flat buffer, and its reduction.
  final class Bucket {
    let members: [Int]
    let offsets: [Int]
    let buffer: Tensor
    var pending: Int
    var work: CollectiveWork?

    init(members: [Int], parameters: [Tensor]) {
      self.members = members
      var offsets: [Int] = []
      var total = 0
      for index in members {
        offsets.append(total)
        total += parameters[index].count
      }
      self.offsets = offsets
      self.buffer = Tensor.zeros([total], dtype: parameters[members[0]].dtype)
      self.pending = members.count
    }
  }

  private(set) var buckets: [Bucket] = []
  /// For each parameter: its bucket and its place among the bucket's members.
  private var location: [(bucket: Int, member: Int)] = []
  private var ready: [Bool]
  private var nextBucket = 0
  /// Set by a forward pass that should be followed by a synchronised backward.
  var expectsBackward = false
  private var passStarted = false
  private var readyOrder: [Int] = []
  private var rebuilt = false
  private var handles: [RemovableHandle] = []
  /// Buckets whose reduction started before the last gradient of the last pass was ready.
  private(set) var startedEarly = 0

  init(group: ProcessGroup, named parameters: [(String, Tensor)], limits: [Int]) {
    self.group = group
    self.names = parameters.map(\.0)
    self.parameters = parameters.map(\.1)
    self.limits = limits
    self.ready = Array(repeating: false, count: parameters.count)
    // The first pass: one bucket per dtype (PyTorch's limit of sys.maxsize), in reverse order.
    let initial = BucketAssignment(
      byteCounts: self.parameters.map { $0.count * $0.dtype.itemSize },
      dtypes: self.parameters.map(\.dtype), limits: [Int.max])
    install(initial.buckets.reversed())
    for (index, parameter) in self.parameters.enumerated() {
      handles.append(
        parameter.registerPostAccumulateGradHook { [weak self] _ in self?.gradientReady(index) })
    }
  }

  deinit { for handle in handles { handle.remove() } }

  private func install(_ assignment: [[Int]]) {
    buckets = assignment.map { Bucket(members: $0, parameters: parameters) }
    location = Array(repeating: (0, 0), count: parameters.count)
    for (b, bucket) in buckets.enumerated() {
      for (m, index) in bucket.members.enumerated() { location[index] = (b, m) }
    }
  }

  /// The hook: parameter `index` has its gradient for this pass.
  private func gradientReady(_ index: Int) {
    guard expectsBackward else { return }
    if !passStarted {
      passStarted = true
      startedEarly = 0
      queueBackwardCallback { [weak self] in self?.finishPass() }
    }
    guard !ready[index] else {
      opFailure(
        "DistributedDataParallel",
        "Expected to mark a variable ready only once: parameter \(names[index]) received its gradient twice in one backward pass (a second backward without a new forward, or retainGraph)"
      )
    }
    ready[index] = true
    if !rebuilt { readyOrder.append(index) }
    let (b, member) = location[index]
    let bucket = buckets[b]
    copyScaled(parameters[index].grad!, into: bucket, at: bucket.offsets[member])
    bucket.pending -= 1
    if bucket.pending == 0 && b == nextBucket {
      // Buckets start in order, so that every rank issues the same sequence of collectives.
      while nextBucket < buckets.count && buckets[nextBucket].pending == 0 {
        buckets[nextBucket].work = group.startAllReduce(buckets[nextBucket].buffer, op: .sum)
        nextBucket += 1
        if ready.contains(false) { startedEarly += 1 }
      }
    }
    // MPI advances non-blocking collectives only inside MPI calls: a test per gradient.
    for started in buckets[..<nextBucket] { started.work?.test() }
  }

  /// The end of backward: every bucket reduced, the averages written into `grad`.
  private func finishPass() {
    passStarted = false
    expectsBackward = false
    if nextBucket < buckets.count {
      let missing = ready.indices.filter { !ready[$0] }.map { names[$0] }
      opFailure(
        "DistributedDataParallel",
        "Expected to have finished reduction in the prior iteration before starting a new one: parameters that did not receive a gradient: \(missing.joined(separator: ", ")). Every parameter must take part in computing the loss, on every rank"
      )
    }
    for bucket in buckets {
      bucket.work!.wait()
      bucket.work = nil
      for (member, index) in bucket.members.enumerated() {
        copyBack(from: bucket, at: bucket.offsets[member], into: parameters[index])
      }
      bucket.pending = bucket.members.count
    }
    nextBucket = 0
    for index in ready.indices { ready[index] = false }
    if !rebuilt { rebuild() }
  }

  /// Buckets in the order the first pass's gradients became ready, within the size limits.
  private func rebuild() {
    rebuilt = true
    guard readyOrder.count == parameters.count else { return }
    let order = Tensor(shape: [readyOrder.count], scalars: readyOrder.map(Int64.init))
    group.broadcast(order, from: 0)
    let assignment = BucketAssignment(
      byteCounts: parameters.map { $0.count * $0.dtype.itemSize },
      dtypes: parameters.map(\.dtype), limits: limits,
      order: order.toArray(as: Int64.self).map { Int($0) })
    install(assignment.buckets)
  }

  /// grad × (1 / ranks) into the bucket (PyTorch divides while copying, to save a pass).
  private func copyScaled(_ grad: Tensor, into bucket: Bucket, at offset: Int) {
    let n = grad.count
    let world = Double(group.size)
    guard grad.isContiguous && grad.dtype == bucket.buffer.dtype else {
      noGrad {
        let view = bucket.buffer.slice(0, start: offset, end: offset + n).view(grad.shape)
        _ = view.copy_(grad)
        _ = view.mul_(1 / world)
      }
      return
    }
    switch grad.dtype {
    case .float32:
      let (source, target) = (grad.pointer(Float.self), bucket.buffer.pointer(Float.self) + offset)
      let scale = Float(1 / world)
      for i in 0..<n { target[i] = source[i] * scale }
    case .float64:
      let (source, target) = (
        grad.pointer(Double.self), bucket.buffer.pointer(Double.self) + offset
      )
      let scale = 1 / world
      for i in 0..<n { target[i] = source[i] * scale }
    default:
      opFailure("DistributedDataParallel", "gradients of \(grad.dtype) cannot be reduced")
    }
  }

  /// The reduced values back into the parameter's `grad`, in place.
  private func copyBack(from bucket: Bucket, at offset: Int, into parameter: Tensor) {
    let grad = parameter.grad!
    let n = grad.count
    if grad.isContiguous && grad.dtype == bucket.buffer.dtype {
      let item = grad.dtype.itemSize
      (grad.storage.data + grad.storageOffset * item).copyMemory(
        from: bucket.buffer.storage.data + offset * item, byteCount: n * item)
      grad.storage.version += 1
    } else {
      noGrad {
        _ = grad.copy_(bucket.buffer.slice(0, start: offset, end: offset + n).view(grad.shape))
      }
    }
  }
}
