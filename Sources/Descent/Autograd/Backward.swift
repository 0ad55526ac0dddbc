/// The backward pass: a topological sort of the graph from the output, then one loop that hands
/// each node the sum of its incoming gradients (micrograd's engine, at scale).
extension Tensor {
  /// Computes the gradient of this scalar with respect to every leaf that requires grad,
  /// adding it to their `grad`, like `loss.backward()`.
  ///
  /// - Parameter retainGraph: keep the graph so that backward can run through it again.
  public func backward(retainGraph: Bool = false) {
    if isPoisoned { return }
    guard count == 1 else {
      _ = Tensor.failed(
        OpError(
          "backward",
          "grad can be implicitly created only for scalar outputs, but this tensor has shape \(shapeText(shape)). Reduce it first (loss.mean(), loss.sum()) or pass backward(gradient:) with a tensor of shape \(shapeText(shape))."
        ), inputs: [self])
      return
    }
    backward(gradient: Tensor.ones(shape, dtype: dtype), retainGraph: retainGraph)
  }

  /// Backward from a non-scalar output, given the gradient of some scalar with respect to it
  /// (PyTorch's `tensor.backward(gradient)`).
  public func backward(gradient: Tensor, retainGraph: Bool = false) {
    if isPoisoned || gradient.isPoisoned { return }
    guard requiresGradFlag else {
      _ = Tensor.failed(
        OpError(
          "backward",
          "element 0 of tensors does not require grad and does not have a grad_fn (shape \(shapeText(shape))). Create the leaves with requiresGrad: true and compute outside noGrad."
        ), inputs: [self])
      return
    }
    guard gradient.shape == shape else {
      _ = Tensor.failed(
        OpError(
          "backward",
          "Mismatch in shape: grad_output[0] has a shape of \(shapeText(gradient.shape)) and output[0] has a shape of \(shapeText(shape)). Pass a gradient of the output's shape."
        ), inputs: [self, gradient])
      return
    }
    guard let root = gradientEdge else { return }
    let mode = GradMode.state
    // Inside a failed `withOpErrors` scope nothing after the error may change a parameter.
    if mode.opErrors?.firstError != nil { return }
    let order = reversedTopologicalOrder(from: root)
    // Callbacks can only be queued by hooks, so a graph without them needs no run to collect
    // them in (and allocates none).
    let run = order.hasHooks ? BackwardRun() : nil
    GradMode.with(backwardRun: run, gradEnabled: false) {
      runBackward(
        order.nodes, from: root, gradient: gradient.converted(to: dtype),
        retainGraph: retainGraph, anomalies: mode.anomalies)
      run?.finish()
    }
  }
}

/// Nodes reachable from `root`, each before every node that feeds it a gradient, in reverse:
/// the caller walks the result backwards. Marks nodes as visited on the nodes themselves (no
/// hashing on the hot path); `runBackward` clears them.
///
/// The nodes are handled unretained: every one of them is kept alive by its consumer's edge,
/// from the root down, and the root by the tensor that backward runs on. Retaining each node
/// at every step of the walk was the largest single cost of a small model's backward.
private func reversedTopologicalOrder(from root: Node) -> (
  nodes: [Unmanaged<Node>], hasHooks: Bool
) {
  var hasHooks = root.hooks != nil
  var order: [Unmanaged<Node>] = []
  order.reserveCapacity(32)
  // Iterative post-order DFS: deep graphs (long unrolled loops) must not overflow the stack.
  var stack: [(node: Unmanaged<Node>, nextIndex: Int)] = []
  stack.reserveCapacity(32)
  stack.append((Unmanaged.passUnretained(root), 0))
  root.isVisited = true
  while let (node, index) = stack.last {
    let next: Unmanaged<Node>?? = node._withUnsafeGuaranteedRef { node in
      guard index < node.edgeCount else { return nil }
      return .some(node.edge(index).map { Unmanaged.passUnretained($0) })
    }
    guard let next else {
      order.append(node)
      stack.removeLast()
      continue
    }
    stack[stack.count - 1].nextIndex += 1
    if let next, !next._withUnsafeGuaranteedRef({ $0.isVisited }) {
      next._withUnsafeGuaranteedRef {
        $0.isVisited = true
        if $0.hooks != nil { hasHooks = true }
      }
      stack.append((next, 0))
    }
  }
  return (order, hasHooks)
}

/// Adds `gradient` to what `node` will receive.
@inline(__always)
private func deliver(_ gradient: consuming Tensor?, to node: Node?) {
  guard let node, let gradient else { return }
  if let existing = node.pendingGradient.take() {
    node.pendingGradient = existing + gradient
  } else {
    node.pendingGradient = gradient
  }
}

private func runBackward(
  _ reversedOrder: [Unmanaged<Node>], from root: Node, gradient: Tensor, retainGraph: Bool,
  anomalies: AnomalyRecorder?
) {
  defer { for node in reversedOrder { node._withUnsafeGuaranteedRef { $0.isVisited = false } } }
  root.pendingGradient = gradient
  for unretained in reversedOrder.reversed() {
    // Nodes, gradients and closures are moved rather than copied where they can be: each
    // copy is a retain and a release, and they were most of a small model's backward.
    unretained._withUnsafeGuaranteedRef { node in
      if node.isAccumulateGrad {
        // Moved out of the node, so that a gradient nothing else holds can become `grad`.
        var moved = node.pendingGradient.take()
        guard moved != nil, let leaf = node.leaf else { return }
        guard let hooks = node.hooks else {
          leaf.accumulateGradient(moving: &moved)
          return
        }
        moved = node.applyingGradientHooks(moved!)
        leaf.accumulateGradient(moving: &moved)
        for hook in hooks.postAccumulate { hook.body(leaf) }
        return
      }
      guard var incoming = node.pendingGradient.take() else { return }
      if node.hooks != nil { incoming = node.applyingGradientHooks(incoming) }
      let function = retainGraph ? node.backwardFunction : node.backwardFunction.take()
      guard let function else {
        for rest in reversedOrder { rest._withUnsafeGuaranteedRef { $0.pendingGradient = nil } }
        opFailure(
          "backward",
          "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time (failed at \(node.name))."
        )
      }
      switch function {
      case .one(let backward):
        let inputGradient = backward(incoming)
        anomalies?.checkBackward(node.name, incoming, [inputGradient])
        deliver(inputGradient, to: node.firstEdge)
      case .two(let backward):
        let (first, second) = backward(incoming)
        anomalies?.checkBackward(node.name, incoming, [first, second])
        deliver(first, to: node.firstEdge)
        deliver(second, to: node.secondEdge)
      case .many(let backward):
        let inputGradients = backward(incoming)
        anomalies?.checkBackward(node.name, incoming, inputGradients)
        for index in 0..<Swift.min(node.edgeCount, inputGradients.count) {
          deliver(inputGradients[index], to: node.edge(index))
        }
      }
    }
  }
}

extension Tensor {
  /// `accumulateGradient` of the gradient in `slot`, which it empties. The first gradient's
  /// memory becomes `grad` without a copy when nothing else refers to it: a fresh, dense
  /// result that no other tensor (view, detached alias, another leaf's gradient) shares. Any
  /// doubt — another reference, a view, an offset, spare bytes — takes the copying path.
  func accumulateGradient(moving slot: inout Tensor?) {
    guard slot != nil else { return }
    var storage = wholeStorage(of: slot!)
    guard storage != nil else {
      let gradient = slot!
      slot = nil
      accumulateGradient(gradient)
      return
    }
    slot = nil  // the tensor goes; its storage stays, referenced here and wherever else
    let strides = Tensor.contiguousStrides(shape)
    if isKnownUniquelyReferenced(&storage) {
      storage!.version = 0  // as for a copy
      grad = Tensor(storage: storage!, shape: shape, strides: strides, dtype: dtype)
    } else {
      grad = Tensor(storage: storage!, shape: shape, strides: strides, dtype: dtype).copyData()
    }
  }

  /// The storage of `gradient` when it could become this tensor's first `grad` as it is:
  /// exactly this tensor's shape and dtype, dense from offset 0 over all of its storage, not
  /// a view and not in a graph.
  private func wholeStorage(of gradient: Tensor) -> Storage? {
    let whole =
      grad == nil && gradient.dtype == dtype && gradient.shape == shape
      && gradient.isContiguous && gradient.storageOffset == 0 && gradient.viewBase == nil
      && gradient.gradFn == nil && gradient.storage.byteCount == count * dtype.itemSize
    return whole ? gradient.storage : nil
  }

  /// Adds `gradient` into `grad`. The first gradient is copied, so that `grad` never aliases a
  /// tensor that backward handed to several leaves.
  func accumulateGradient(_ gradient: Tensor) {
    let incoming = gradient.shape == shape ? gradient : gradient.sumTo(shape)
    if let grad {
      noGrad { grad.addInPlace(incoming) }
    } else {
      grad = incoming.copyData()
    }
  }
}
