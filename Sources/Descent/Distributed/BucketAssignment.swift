/// How DistributedDataParallel groups gradients into buckets: PyTorch's
/// `compute_bucket_assignment_by_size` (torch/csrc/distributed/c10d/reducer.cpp).
///
/// Tensors are taken in order and added to an open bucket of their dtype; a bucket closes once
/// its bytes reach its limit, and the next bucket of that dtype takes the next limit in
/// `limits` (the last one repeats). Buckets still open at the end close as they are. Without an
/// explicit order the buckets are then sorted by their smallest tensor index.
struct BucketAssignment: Equatable {
  /// Each bucket's tensor indices.
  var buckets: [[Int]]
  /// Each bucket's byte limit.
  var limits: [Int]

  /// - Parameters:
  ///   - byteCounts: the size of each tensor, by tensor index.
  ///   - dtypes: the dtype of each tensor: buckets never mix dtypes.
  ///   - limits: the byte limits of the first, second, … bucket of each dtype.
  ///   - order: the order to take the tensors in (a rebuild's gradient-ready order), which the
  ///     buckets then keep; nil takes them by index and sorts the buckets.
  init(byteCounts: [Int], dtypes: [DType], limits: [Int], order: [Int]? = nil) {
    precondition(!limits.isEmpty && byteCounts.count == dtypes.count)
    struct Open {
      var indices: [Int] = []
      var bytes = 0
      var limit = 0
      var nextLimit = 0
    }
    var open: [DType: Open] = [:]
    var firstSeen: [DType] = []
    var result: [(indices: [Int], limit: Int)] = []
    for index in order ?? Array(byteCounts.indices) {
      let dtype = dtypes[index]
      if open[dtype] == nil {
        open[dtype] = Open()
        firstSeen.append(dtype)
      }
      var bucket = open[dtype]!
      bucket.indices.append(index)
      bucket.bytes += byteCounts[index]
      bucket.limit = limits[bucket.nextLimit]
      if bucket.bytes >= bucket.limit {
        result.append((bucket.indices, bucket.limit))
        bucket.indices = []
        bucket.bytes = 0
        bucket.nextLimit = Swift.min(bucket.nextLimit + 1, limits.count - 1)
      }
      open[dtype] = bucket
    }
    // PyTorch leaves the order of these unspecified (a hash map); first use is Descent's.
    for dtype in firstSeen where !open[dtype]!.indices.isEmpty {
      result.append((open[dtype]!.indices, open[dtype]!.limit))
    }
    if order == nil { result.sort { $0.indices.min()! < $1.indices.min()! } }
    buckets = result.map(\.indices)
    self.limits = result.map(\.limit)
  }
}
