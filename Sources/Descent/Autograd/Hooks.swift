import Foundation

/// Hooks on gradients, as PyTorch's `register_hook`, `register_post_accumulate_grad_hook` and
/// `retain_grad`, and callbacks that run when a backward pass ends.
///
/// A tensor hook lives on the node that receives the tensor's gradient: the tensor's `gradFn`,
/// or a leaf's `AccumulateGrad` node. The backward pass runs a node's hooks on its incoming
/// gradient before anything else, in the order they were registered; a hook that returns a
/// tensor replaces the gradient for the hooks after it and for the node.

/// A handle that removes the hook it was returned for (PyTorch's `RemovableHandle`).
public final class RemovableHandle: @unchecked Sendable {
  private var removal: (() -> Void)?
  private let lock = NSLock()

  init(_ removal: @escaping () -> Void) { self.removal = removal }

  /// Removes the hook; later calls do nothing.
  public func remove() {
    let action = lock.withLock { removal.take() }
    action?()
  }
}

/// What backward runs at a node beyond its function: hooks on the gradient it receives
/// (`register_hook` on its tensor, in order), hooks after a leaf's `grad` was updated, and the
/// non-leaf tensor that keeps its gradient (`retain_grad`).
final class NodeHooks {
  var gradient: [GradientHook] = []
  var postAccumulate: [PostAccumulateHook] = []
  weak var retainingTensor: Tensor?
}

/// A gradient hook and the key its handle removes it by.
struct GradientHook {
  let id: Int
  let body: (Tensor) -> Tensor?
}

/// A hook that runs after a leaf's gradient was accumulated.
struct PostAccumulateHook {
  let id: Int
  let body: (Tensor) -> Void
}

/// Unique keys for hooks, shared by all nodes.
enum HookKeys {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var last = 0

  static func next() -> Int {
    lock.withLock {
      last += 1; return last
    }
  }
}

extension Node {
  /// The node's hooks, made when the first is registered.
  var madeHooks: NodeHooks {
    if let hooks { return hooks }
    let made = NodeHooks()
    hooks = made
    return made
  }

  /// Runs the gradient hooks on `gradient`, each seeing what the one before it returned.
  func applyingGradientHooks(_ gradient: Tensor) -> Tensor {
    guard let hooks else { return gradient }
    var current = gradient
    for hook in hooks.gradient {
      guard let replacement = hook.body(current) else { continue }
      guard replacement.shape == current.shape else {
        opFailure(
          "hook",
          "hook '\(name)' has changed the size of value: the gradient has shape \(shapeText(current.shape)) but the hook returned \(shapeText(replacement.shape))"
        )
      }
      current = replacement.converted(to: current.dtype)
    }
    // As in PyTorch, the retained gradient is the one the other hooks have made.
    if let tensor = hooks.retainingTensor {
      tensor.accumulateRetained(current, GradMode.isEnabled)
    }
    return current
  }
}

extension Tensor {
  /// The node that holds this tensor's hooks; stops, naming `op`, when the tensor does not
  /// require gradient.
  private func hookedNode(op: String) -> Node {
    guard requiresGradFlag, let node = gradientEdge else {
      opFailure(
        op,
        "cannot register a hook on a tensor that doesn't require gradient (shape \(shapeText(shape)))"
      )
    }
    return node
  }

  /// Registers `hook` to run on this tensor's gradient each time backward computes it
  /// (`register_hook`). It may return a tensor that replaces the gradient, or nil to keep it.
  ///
  /// ```swift
  /// let handle = x.registerHook { grad in grad * 2 }   // doubles x's gradient
  /// handle.remove()
  /// ```
  @discardableResult
  public func registerHook(_ hook: @escaping (Tensor) -> Tensor?) -> RemovableHandle {
    let node = hookedNode(op: "register_hook")
    let id = HookKeys.next()
    node.madeHooks.gradient.append(GradientHook(id: id, body: hook))
    return RemovableHandle { [weak node] in node?.hooks?.gradient.removeAll { $0.id == id } }
  }

  /// Registers `hook` to run with this leaf after backward has accumulated its `grad`
  /// (`register_post_accumulate_grad_hook`): where an optimizer or a gradient all-reduce can
  /// start on a parameter as soon as its gradient is ready.
  @discardableResult
  public func registerPostAccumulateGradHook(_ hook: @escaping (Tensor) -> Void)
    -> RemovableHandle
  {
    guard isLeaf else {
      opFailure(
        "register_post_accumulate_grad_hook",
        "post accumulate grad hooks cannot be registered on non-leaf tensors (shape \(shapeText(shape)), made by \(gradFn!.name))"
      )
    }
    let node = hookedNode(op: "register_post_accumulate_grad_hook")
    let id = HookKeys.next()
    node.madeHooks.postAccumulate.append(PostAccumulateHook(id: id, body: hook))
    return RemovableHandle { [weak node] in
      node?.hooks?.postAccumulate.removeAll { $0.id == id }
    }
  }

  /// Keeps this non-leaf tensor's gradient in `grad` after backward (`retain_grad`); on a leaf
  /// it does nothing, since leaves keep theirs already. Repeated backward passes accumulate.
  public func retainGrad() {
    guard requiresGradFlag else {
      opFailure(
        "retain_grad",
        "can't retain_grad on Tensor that has requires_grad=False (shape \(shapeText(shape)))")
    }
    guard !isLeaf, let node = gradFn else { return }
    // Weak: the tensor owns its node; the graph may outlive the tensor.
    node.madeHooks.retainingTensor = self
  }

  /// True when backward keeps this tensor's gradient in `grad` (`retains_grad`): a non-leaf
  /// after `retainGrad()`.
  public var retainsGrad: Bool { gradFn?.hooks?.retainingTensor === self }
}

/// The backward pass running now, which collects callbacks to run when it ends.
final class BackwardRun: @unchecked Sendable {
  /// The node whose backward function runs now: with `createGraph`, saved outputs are
  /// returned attached to it.
  unowned(unsafe) var currentNode: Node?
  var callbacks: [() -> Void] = []

  /// Runs the callbacks in order; a callback may queue more, which run after it.
  func finish() {
    var index = 0
    while index < callbacks.count {
      callbacks[index]()
      index += 1
    }
    callbacks.removeAll()
  }
}

/// Queues `callback` to run once when the backward pass that is running now has finished
/// (PyTorch's `Variable._execution_engine.queue_callback`). Stops outside a backward pass.
public func queueBackwardCallback(_ callback: @escaping () -> Void) {
  guard let run = GradMode.state.backwardRun else {
    opFailure(
      "queue_callback", "Final callbacks can only be installed during the backward pass.")
  }
  run.callbacks.append(callback)
}
