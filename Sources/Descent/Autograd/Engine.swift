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
    GradMode.with(backwardRun: run, gradEnabled: createGraph) {
      root.pendingGradient = gradient
      for unretained in order.reversed() {
        unretained._withUnsafeGuaranteedRef { node in
          step(node, order, inputSlots, &captured, run, mode.anomalies)
        }
      }
      run?.finish()
    }
    return captured
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
    let function = retainGraph ? node.backwardFunction : node.backwardFunction.take()
    guard let function else {
      for rest in order { rest._withUnsafeGuaranteedRef { $0.pendingGradient = nil } }
      opFailure(
        "backward",
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time (failed at \(node.name))."
      )
    }
    run?.currentNode = node
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
    run?.currentNode = nil
  }

  /// For a node with several outputs whose output 0 got no gradient: a zero one for it, when
  /// another output did get one (so that the node still runs).
  private func multiOutputGradient(_ node: Node) -> Tensor? {
    guard !node.outputs.isEmpty, node.pendingOutputGradients.contains(where: { $0 != nil })
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
  var stack: [(node: Unmanaged<Node>, nextIndex: Int)] = []
  stack.reserveCapacity(32)
  stack.append((Unmanaged.passUnretained(root), 0))
  root.isVisited = true
  while let (node, index) = stack.last {
    // Inputs that are nodes first, leaves' accumulators second: a leaf's gradient is then
    // accumulated right after the node that feeds it, as PyTorch's engine runs an accumulator
    // as soon as it is ready, so that hooks and DDP's buckets see the leaves in PyTorch's order.
    // Any edge order gives a valid topological order; nodes that are not leaves keep theirs.
    let next: Unmanaged<Node>?? = node._withUnsafeGuaranteedRef { node in
      let count = node.edgeCount
      guard index < 2 * count else { return nil }
      guard let edge = node.edge(index % count), edge.isAccumulateGrad == (index >= count)
      else { return .some(nil) }
      return .some(Unmanaged.passUnretained(edge))
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
