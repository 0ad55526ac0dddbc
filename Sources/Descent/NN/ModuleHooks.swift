/// Hooks on a module's calls, as PyTorch's `register_forward_pre_hook`,
/// `register_forward_hook` and `register_full_backward_hook`: to look at or replace what goes
/// into and out of a layer, and the gradients with respect to its input and output.
extension Module {
  /// Registers `hook(module, input)` to run before `forward`; a returned tensor replaces the
  /// input.
  @discardableResult
  public func registerForwardPreHook(_ hook: @escaping (Module, Tensor) -> Tensor?)
    -> RemovableHandle
  {
    let id = HookKeys.next()
    madeModuleHooks.forwardPre.append((id, hook))
    return RemovableHandle { [weak self] in
      self?.moduleHooks?.forwardPre.removeAll { $0.id == id }
    }
  }

  /// Registers `hook(module, input, output)` to run after `forward`; a returned tensor
  /// replaces the output.
  @discardableResult
  public func registerForwardHook(_ hook: @escaping (Module, Tensor, Tensor) -> Tensor?)
    -> RemovableHandle
  {
    let id = HookKeys.next()
    madeModuleHooks.forward.append((id, hook))
    return RemovableHandle { [weak self] in self?.moduleHooks?.forward.removeAll { $0.id == id } }
  }

  /// Registers `hook(module, gradInput, gradOutput)` to run when backward has computed the
  /// gradient with respect to the module's input (nil when the input needs none), given the
  /// gradient with respect to its output. A returned array replaces the input's gradient.
  @discardableResult
  public func registerFullBackwardHook(
    _ hook: @escaping (Module, [Tensor?], [Tensor?]) -> [Tensor?]?
  ) -> RemovableHandle {
    let id = HookKeys.next()
    madeModuleHooks.backward.append((id, hook))
    return RemovableHandle { [weak self] in self?.moduleHooks?.backward.removeAll { $0.id == id } }
  }

  private var madeModuleHooks: ModuleHooks {
    if let moduleHooks { return moduleHooks }
    let made = ModuleHooks()
    moduleHooks = made
    return made
  }
}

/// A module's hooks and the call that runs them.
final class ModuleHooks {
  var forwardPre: [(id: Int, body: (Module, Tensor) -> Tensor?)] = []
  var forward: [(id: Int, body: (Module, Tensor, Tensor) -> Tensor?)] = []
  var backward: [(id: Int, body: (Module, [Tensor?], [Tensor?]) -> [Tensor?]?)] = []

  /// `module(input)` with the hooks: pre-hooks, forward, forward hooks; with backward hooks,
  /// the input and output pass through identity nodes (PyTorch's
  /// `BackwardHookFunctionBackward`) that catch the gradients on their way back.
  func call(_ module: Module, _ input: Tensor) -> Tensor {
    var x = input
    for hook in forwardPre { x = hook.body(module, x) ?? x }
    let recording = !backward.isEmpty && GradMode.isEnabled
    let gradients = BackwardHookGradients()
    if recording && x.requiresGrad {
      x = identity(x) { [module] g in
        var gradInput: [Tensor?] = [g]
        for hook in self.backward {
          if let replaced = hook.body(module, gradInput, gradients.output) { gradInput = replaced }
        }
        return gradInput.first ?? nil
      }
    }
    var y = module.forward(x)
    for hook in forward { y = hook.body(module, x, y) ?? y }
    guard recording && y.requiresGrad else { return y }
    let inputNeedsGradient = x.requiresGrad
    return identity(y) { [module] g in
      gradients.output = [g]
      // An input without a gradient never reaches its identity node: the hooks run here.
      if !inputNeedsGradient { for hook in self.backward { _ = hook.body(module, [nil], [g]) } }
      return g
    }
  }

  /// The same data, recorded through a node whose backward is `pass`.
  private func identity(_ tensor: Tensor, _ pass: @escaping (Tensor) -> Tensor?) -> Tensor {
    let out = Tensor(
      storage: tensor.storage, shape: tensor.shape, strides: tensor.strides,
      offset: tensor.storageOffset, dtype: tensor.dtype)
    out.viewBase = tensor.viewBase ?? tensor
    out.gradFn = Node(
      name: "BackwardHookFunctionBackward", edge: tensor.gradientEdge, backward: pass)
    out.requiresGradFlag = true
    return out
  }
}

/// The output's gradient, caught on its way back for the input's hook.
private final class BackwardHookGradients {
  var output: [Tensor?] = []
}
