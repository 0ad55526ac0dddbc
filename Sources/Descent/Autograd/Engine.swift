/// The backward pass: a topological sort of the graph from the output, then one loop that hands
/// each node the sum of its incoming gradients (micrograd's engine, at scale).
///
/// A pass either accumulates into every leaf (`loss.backward()`), accumulates into chosen
/// tensors only (`backward(inputs:)`), or captures the gradients of chosen tensors and returns
/// them (`grad(_:_:)`). For the last two the pass runs only the nodes that lead to those
/// tensors. With `createGraph` the backward functions run with gradients recorded, so that the
/// gradients are themselves differentiable.
struct BackwardPass {
  enum Target {
    /// Every leaf reached accumulates its gradient (`loss.backward()`).
    case allLeaves
    /// Only these tensors accumulate into their `grad` (`backward(inputs:)`).
    case accumulate([Tensor])
    /// These tensors' gradients are returned, and no `grad` changes (`grad(_:_:)`).
    case capture([Tensor])
  }

  let root: Node
  let gradient: Tensor
  let target: Target
  let retainGraph: Bool
  let createGraph: Bool

  /// Runs the pass; for `.capture`, the gradients of the targets (nil where none arrived).
  func run() -> [Tensor?] {
    let mode = GradMode.state
    // Inside a failed `withOpErrors` scope nothing after the error may change a parameter.
    if mode.opErrors?.firstError != nil { return [] }
    let (order, hasHooks) = reversedTopologicalOrder(from: root)
    defer { for node in order { node._withUnsafeGuaranteedRef { $0.isVisited = false } } }
    var captured: [Tensor?] = []
    var inputSlots: [ObjectIdentifier: [Int]] = [:]
    switch target {
    case .allLeaves: break
    case .accumulate(let inputs), .capture(let inputs):
      captured = [Tensor?](repeating: nil, count: inputs.count)
      for (index, input) in inputs.enumerated() {
        if let node = input.gradientEdge {
          inputSlots[ObjectIdentifier(node), default: []].append(index)
        }
      }
      markNeeded(order, inputSlots)
    }
    defer {
      if !inputSlots.isEmpty {
        for node in order { node._withUnsafeGuaranteedRef { $0.isNeeded = false } }
      }
    }
    // Callbacks are queued by hooks and custom functions; a graph with neither allocates no
    // run. With `createGraph` the run also tells saved outputs which node they belong to.
    let run = hasHooks || createGraph ? BackwardRun() : nil
    let anomalies = mode.anomalies
    GradMode.with(backwardRun: run, gradEnabled: createGraph) {
      root.pendingGradient = gradient
      if run == nil, inputSlots.isEmpty {
        // `loss.backward()` on a graph without hooks: only functions and accumulators run.
        for unretained in order.reversed() {
          unretained._withUnsafeGuaranteedRef { node in
            plainStep(node, order, anomalies)
          }
        }
        return
      }
      for unretained in order.reversed() {
        unretained._withUnsafeGuaranteedRef { node in
          step(node, order, inputSlots, &captured, run, anomalies)
        }
      }
      run?.finish()
    }
    return captured
  }

  /// Runs one node of a pass that accumulates into every leaf and has no hooks, callbacks or
  /// recorded graph: the common `loss.backward()`.
  @inline(__always)
  private func plainStep(_ node: Node, _ order: [Unmanaged<Node>], _ anomalies: AnomalyRecorder?) {
    if node.isAccumulateGrad {
      // Moved out of the node, so that a gradient nothing else holds can become `grad`.
      var moved = node.pendingGradient.take()
      guard moved != nil, let leaf = node.leaf else { return }
      leaf.accumulateGradient(moving: &moved)
      return
    }
    guard let incoming = node.pendingGradient.take() ?? multiOutputGradient(node) else { return }
    callBackward(node, incoming, order, anomalies)
  }

  /// Runs one node: its hooks, a capture or accumulation if it is a target's, then its
  /// backward function, delivering the gradients to its inputs' nodes.
  private func step(
    _ node: Node, _ order: [Unmanaged<Node>], _ inputSlots: [ObjectIdentifier: [Int]],
    _ captured: inout [Tensor?], _ run: BackwardRun?, _ anomalies: AnomalyRecorder?
  ) {
    let pruning = !inputSlots.isEmpty
    if pruning && !node.isNeeded {
      node.pendingGradient = nil
      return
    }
    if node.isAccumulateGrad {
      // Moved out of the node, so that a gradient nothing else holds can become `grad`.
      var moved = node.pendingGradient.take()
      guard moved != nil, let leaf = node.leaf else { return }
      if node.hooks != nil { moved = node.applyingGradientHooks(moved!) }
      if pruning, let slots = inputSlots[ObjectIdentifier(node)] {
        if case .capture = target {
          for slot in slots { captured[slot] = moved }
          return
        }
      } else if pruning {
        return
      }
      leaf.accumulateGradient(moving: &moved, createGraph: createGraph)
      for hook in node.hooks?.postAccumulate ?? [] { hook.body(leaf) }
      return
    }
    guard var incoming = node.pendingGradient.take() ?? multiOutputGradient(node) else { return }
    if node.hooks != nil { incoming = node.applyingGradientHooks(incoming) }
    if pruning, let slots = inputSlots[ObjectIdentifier(node)] {
      for slot in slots {
        switch target {
        case .capture: captured[slot] = incoming
        case .accumulate(let inputs): inputs[slot].accumulateRetained(incoming, createGraph)
        case .allLeaves: break
        }
      }
      // A target's node runs on only when another target lies beyond it.
      guard node.hasNeededInput else { return }
    }
    run?.currentNode = node
    callBackward(node, incoming, order, anomalies)
    run?.currentNode = nil
  }

  /// Runs `node`'s backward function on its incoming gradient and delivers the gradients to
  /// its inputs' nodes; the function is dropped unless the graph is retained.
  @inline(__always)
  private func callBackward(
    _ node: Node, _ incoming: Tensor, _ order: [Unmanaged<Node>], _ anomalies: AnomalyRecorder?
  ) {
    let function = retainGraph ? node.backwardFunction : node.backwardFunction.take()
    guard let function else {
      for rest in order { rest._withUnsafeGuaranteedRef { $0.pendingGradient = nil } }
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
    case .multi(let backward):
      let inputGradients = backward(node.takeOutputGradients(first: incoming))
      anomalies?.checkBackward(node.name, incoming, inputGradients)
      for index in 0..<Swift.min(node.edgeCount, inputGradients.count) {
        deliver(inputGradients[index], to: node.edge(index))
      }
    }
  }

  /// For a node with several outputs whose output 0 got no gradient: a zero one for it, when
  /// another output did get one (so that the node still runs).
  private func multiOutputGradient(_ node: Node) -> Tensor? {
    guard let multiOutput = node.multiOutput, !multiOutput.outputs.isEmpty,
      multiOutput.pendingGradients.contains(where: { $0 != nil })
    else { return nil }
    return Tensor.zeros(node.outputs[0].shape, dtype: node.outputs[0].dtype)
  }

  /// Marks the nodes from which a target's node can be reached (post-order: inputs first).
  private func markNeeded(_ order: [Unmanaged<Node>], _ inputSlots: [ObjectIdentifier: [Int]]) {
    for unretained in order {
      unretained._withUnsafeGuaranteedRef { node in
        var needed = inputSlots[ObjectIdentifier(node)] != nil
        for index in 0..<node.edgeCount where node.edge(index)?.isNeeded == true { needed = true }
        node.isNeeded = needed
      }
    }
  }
}

extension Node {
  /// True when some input of this node leads to a target of the pass.
  fileprivate var hasNeededInput: Bool {
    (0..<edgeCount).contains { edge($0)?.isNeeded == true }
  }

  /// The gradients of every output of a node with several outputs: `first` for output 0, what
  /// its output slots gathered for the others, zeros where nothing arrived.
  fileprivate func takeOutputGradients(first: Tensor) -> [Tensor] {
    var gradients = [first]
    for index in 1..<Swift.max(outputs.count, 1) {
      let gradient =
        index - 1 < pendingOutputGradients.count ? pendingOutputGradients[index - 1] : nil
      gradients.append(gradient ?? Tensor.zeros(outputs[index].shape, dtype: outputs[index].dtype))
    }
    pendingOutputGradients = []
    return gradients
  }
}

/// Nodes reachable from `root`, each before every node that feeds it a gradient, in reverse:
/// the caller walks the result backwards. Marks nodes as visited on the nodes themselves (no
/// hashing on the hot path); the pass clears them.
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
  // Each entry is a node and the index of the next input to look at.
  var stack: [(node: Unmanaged<Node>, nextIndex: Int)] = []
  stack.reserveCapacity(32)
  stack.append((Unmanaged.passUnretained(root), 0))
  root.isVisited = true
  while let (unretained, start) = stack.last {
    // Inputs that are nodes first, leaves' accumulators second: a leaf's gradient is then
    // accumulated right after the node that feeds it, as PyTorch's engine runs an accumulator
    // as soon as it is ready, so that hooks and DDP's buckets see the leaves in PyTorch's order.
    // Any edge order gives a valid topological order; nodes that are not leaves keep theirs.
    let next: (node: Unmanaged<Node>, resume: Int)? = unretained._withUnsafeGuaranteedRef {
      node in
      var index = start
      while index < node.edgeCount {
        if let edge = node.edge(index), !edge.isAccumulateGrad, !edge.isVisited {
          edge.isVisited = true
          if edge.hooks != nil { hasHooks = true }
          return (Unmanaged.passUnretained(edge), index + 1)
        }
        index += 1
      }
      return nil
    }
    if let next {
      stack[stack.count - 1].nextIndex = next.resume
      stack.append((next.node, 0))
      continue
    }
    // Every input node is in the order: the accumulators (which have no inputs), then the node.
    unretained._withUnsafeGuaranteedRef { node in
      for index in 0..<node.edgeCount {
        guard let edge = node.edge(index), edge.isAccumulateGrad, !edge.isVisited else {
          continue
        }
        edge.isVisited = true
        if edge.hooks != nil { hasHooks = true }
        order.append(Unmanaged.passUnretained(edge))
      }
    }
    order.append(unretained)
    stack.removeLast()
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
