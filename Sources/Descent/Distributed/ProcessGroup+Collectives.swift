import CDescentMPI

// The collectives of `torch.distributed`, in place on contiguous tensors.

extension ProcessGroup {
  /// Reduces `tensor` over every rank, in place: afterwards each rank holds the sum (or mean,
  /// maximum, minimum) of all ranks' tensors (`dist.all_reduce`). `.avg` sums, then divides.
  public func allReduce(_ tensor: Tensor, op: ReduceOp = .sum) {
    startAllReduce(tensor, op: op).wait()
  }

  /// Copies rank `root`'s `tensor` into every other rank's `tensor` (`dist.broadcast`).
  public func broadcast(_ tensor: Tensor, from root: Int) {
    let type = checked(tensor, "broadcast")
    guard root >= 0 && root < size else {
      opFailure(
        "broadcast", "root \(root) is not a rank of this group of \(size) (ranks 0…\(size - 1))")
    }
    let work = CollectiveWork(
      group: self, name: "broadcast from rank \(root) of \(describe(tensor))",
      finish: { tensor.storage.version += 1 })
    for chunk in chunks(tensor.count, tensor.dtype) {
      let base = address(tensor, chunk.lowerBound)
      work.start { descent_mpi_ibcast(base, Int32(chunk.count), type, Int32(root), $0) }
    }
    work.wait()
  }

  /// Every rank's `tensor`, in rank order (`dist.all_gather`). The results are views of one
  /// `[size, …]` tensor.
  public func allGather(_ tensor: Tensor) -> [Tensor] {
    let output = Tensor(uninitializedShape: [size] + tensor.shape, dtype: tensor.dtype)
    allGather(into: output, tensor)
    return (0..<size).map { output[$0] }
  }

  /// Writes every rank's `input` into `output`, one after the other in rank order
  /// (`dist.all_gather_into_tensor`): `output` holds `size` times as many elements.
  public func allGather(into output: Tensor, _ input: Tensor) {
    let type = checkedPair(
      "allGather", output, input, sizesAgree: output.count == input.count * size,
      "output tensor size must be equal to world_size times input tensor size: the output is \(describe(output)), the input \(describe(input)) and the group has \(size) ranks"
    )
    let name = "allGather of \(describe(input))"
    let n = input.count
    let pieces = chunks(n, input.dtype)
    if pieces.count == 1 {
      let work = CollectiveWork(group: self, name: name)
      let (send, receive) = (address(input, 0), address(output, 0))
      work.start { descent_mpi_iallgather(send, receive, Int32(n), type, $0) }
      work.wait()
    } else {
      // Rank r's chunk k belongs at r·n + k·c: gathered into a scratch block, then placed.
      let item = input.dtype.itemSize
      for chunk in pieces {
        let scratch = Tensor(uninitializedShape: [size * chunk.count], dtype: input.dtype)
        let work = CollectiveWork(group: self, name: name)
        let (send, receive) = (address(input, chunk.lowerBound), address(scratch, 0))
        work.start { descent_mpi_iallgather(send, receive, Int32(chunk.count), type, $0) }
        work.wait()
        for r in 0..<size {
          address(output, r * n + chunk.lowerBound).copyMemory(
            from: address(scratch, r * chunk.count), byteCount: chunk.count * item)
        }
      }
    }
    output.storage.version += 1
  }

  /// This rank's share of the reduction over every rank of `input`, whose first dimension is
  /// split into `size` equal parts (`dist.reduce_scatter_tensor`): rank r gets the reduction of
  /// every rank's part r.
  public func reduceScatter(_ input: Tensor, op: ReduceOp = .sum) -> Tensor {
    guard input.rank >= 1, input.shape[0] % size == 0 else {
      opFailure(
        "reduceScatter",
        "the input's first dimension must divide into the group's \(size) ranks, but the input has shape \(shapeText(input.shape))"
      )
    }
    let output = Tensor(
      uninitializedShape: [input.shape[0] / size] + input.shape.dropFirst(), dtype: input.dtype)
    reduceScatter(into: output, input, op: op)
    return output
  }

  /// Writes into `output` this rank's share of the reduction of `input`, which holds `size`
  /// times as many elements, rank r's share being the r-th block
  /// (`dist.reduce_scatter_tensor(output, input, op)`).
  public func reduceScatter(into output: Tensor, _ input: Tensor, op: ReduceOp = .sum) {
    let type = checkedPair(
      "reduceScatter", output, input, sizesAgree: input.count == output.count * size,
      "input tensor must be the same size as output size times world size: the input is \(describe(input)), the output \(describe(output)) and the group has \(size) ranks"
    )
    let name = "reduceScatter(\(op)) of \(describe(input))"
    let n = output.count
    let item = input.dtype.itemSize
    for chunk in chunks(n, input.dtype) {
      let work = CollectiveWork(group: self, name: name)
      let receive = address(output, chunk.lowerBound)
      if chunk.count == n {
        let send = address(input, 0)
        work.start {
          descent_mpi_ireduce_scatter_block(send, receive, Int32(n), type, op.mpiOp, $0)
        }
        work.wait()
      } else {
        // Every rank's chunk k, packed together as MPI expects the blocks.
        let scratch = Tensor(uninitializedShape: [size * chunk.count], dtype: input.dtype)
        for r in 0..<size {
          address(scratch, r * chunk.count).copyMemory(
            from: address(input, r * n + chunk.lowerBound), byteCount: chunk.count * item)
        }
        let send = address(scratch, 0)
        work.start {
          descent_mpi_ireduce_scatter_block(send, receive, Int32(chunk.count), type, op.mpiOp, $0)
        }
        work.wait()
      }
    }
    if op == .avg { divide(output, by: size) }
    output.storage.version += 1
  }

  /// Waits until every rank has called `barrier()` (`dist.barrier`).
  public func barrier() {
    let work = CollectiveWork(group: self, name: "barrier")
    work.start { descent_mpi_ibarrier($0) }
    work.wait()
  }

  // MARK: Non-blocking, for DistributedDataParallel

  /// Starts an in-place all-reduce of `tensor`; the caller tests or waits for the result.
  func startAllReduce(_ tensor: Tensor, op: ReduceOp) -> CollectiveWork {
    let type = checked(tensor, "allReduce")
    let size = self.size
    let work = CollectiveWork(
      group: self, name: "allReduce(\(op)) of \(describe(tensor))",
      finish: {
        if op == .avg { divide(tensor, by: size) }
        tensor.storage.version += 1
      })
    if size > 1 && tensor.count * tensor.dtype.itemSize >= ProcessGroup.ringThresholdBytes {
      ringAllReduce(tensor, op: op, type: type, into: work)
      return work
    }
    for chunk in chunks(tensor.count, tensor.dtype) {
      let base = address(tensor, chunk.lowerBound)
      work.start {
        descent_mpi_iallreduce_in_place(base, Int32(chunk.count), type, op.mpiOp, $0)
      }
    }
    return work
  }

  // MARK: Helpers

  /// The MPI element type of `tensor`, after checking that MPI can take it as it is.
  private func checked(_ tensor: Tensor, _ op: String) -> Int32 {
    guard tensor.isContiguous else {
      opFailure(
        op,
        "Tensors must be contiguous (got shape \(shapeText(tensor.shape)) with strides \(shapeText(tensor.strides))); call contiguous() first"
      )
    }
    switch tensor.dtype {
    case .float32: return Int32(DESCENT_MPI_FLOAT32)
    case .float64: return Int32(DESCENT_MPI_FLOAT64)
    case .int64: return Int32(DESCENT_MPI_INT64)
    case .bool:
      opFailure(
        op,
        "collectives take float32, float64 and int64 tensors, not \(tensor.dtype) (shape \(shapeText(tensor.shape))); convert it first"
      )
    }
  }

  /// The MPI element type of a collective from `input` into `output`, after checking each
  /// tensor, that both have one dtype and the sizes `sizesAgree` (else `op` stops with
  /// `sizeMessage`), and that they do not share memory.
  private func checkedPair(
    _ op: String, _ output: Tensor, _ input: Tensor, sizesAgree: @autoclosure () -> Bool,
    _ sizeMessage: @autoclosure () -> String
  ) -> Int32 {
    let type = checked(input, op)
    _ = checked(output, op)
    guard output.dtype == input.dtype, sizesAgree() else { opFailure(op, sizeMessage()) }
    guard output.storage !== input.storage else {
      opFailure(op, "the input and the output must not share memory (the output is a view of it)")
    }
    return type
  }

  /// The count split into pieces of at most `maxElementsPerCall` (1 GiB by default).
  private func chunks(_ count: Int, _ dtype: DType) -> [Range<Int>] {
    let limit = Swift.max(1, Swift.min(maxElementsPerCall ?? (1 << 30) / dtype.itemSize, 1 << 30))
    return stride(from: 0, to: count, by: limit).map { $0..<Swift.min($0 + limit, count) }
  }

  private func describe(_ tensor: Tensor) -> String {
    "\(tensor.count) \(tensor.dtype.shortName) element\(tensor.count == 1 ? "" : "s")"
  }
}

/// The address of element `index` of a contiguous tensor.
private func address(_ tensor: Tensor, _ index: Int) -> UnsafeMutableRawPointer {
  tensor.storage.data + (tensor.storageOffset + index) * tensor.dtype.itemSize
}

/// Divides every element by `n` in place: `.avg` after its sum.
private func divide(_ tensor: Tensor, by n: Int) {
  let count = tensor.count
  switch tensor.dtype {
  case .float32:
    let p = tensor.pointer(Float.self)
    let d = Float(n)
    for i in 0..<count { p[i] /= d }
  case .float64:
    let p = tensor.pointer(Double.self)
    let d = Double(n)
    for i in 0..<count { p[i] /= d }
  case .int64:
    let p = tensor.pointer(Int64.self)
    let d = Int64(n)
    for i in 0..<count { p[i] /= d }
  case .bool:
    break
  }
}

extension DType {
  /// "float32", without PyTorch's "torch." prefix.
  fileprivate var shortName: String { String(description.dropFirst("torch.".count)) }
}
