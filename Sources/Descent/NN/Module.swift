/// The base of layers and models, like `torch.nn.Module`.
///
/// A model is a short subclass with its layers and parameters as stored properties:
///
/// ```swift
/// final class Simple: Module {
///   let fc1 = Linear(1, 4)
///   let fc2 = Linear(4, 1)
///   override func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
/// }
/// ```
///
/// Children (stored `Module`s, arrays of them) and parameters (stored tensors that require
/// grad) are found by reflection once, at first use, and cached: the training path never
/// reflects. Assigning a different layer to a property after that needs `rediscover()`.
open class Module: CustomStringConvertible {
  /// True in training mode (dropout active, batch statistics), false after `eval()`.
  public private(set) var training = true

  private var discovered: (children: [(String, Module)], parameters: [(String, Tensor)])?
  private var registeredBuffers: [(String, Tensor)] = []

  /// Creates a module; subclasses declare their layers and parameters as stored properties.
  public init() {}

  /// The computation of the module. Subclasses override it.
  open func forward(_ input: Tensor) -> Tensor {
    fatalError("\(typeName): Module.forward(_:) is not implemented; override it in the subclass")
  }

  /// The module's hooks (`ModuleHooks.swift`), made at the first registration.
  var moduleHooks: ModuleHooks?

  /// Calls `forward`, so that `model(x)` reads as in PyTorch; runs the module's hooks around
  /// it when it has any.
  public func callAsFunction(_ input: Tensor) -> Tensor {
    guard let moduleHooks else { return forward(input) }
    return moduleHooks.call(self, input)
  }

  // MARK: Discovery

  /// Children and own parameters in declaration order. Found once by reflection; subclasses
  /// with children in a collection (Sequential) override `ownChildren`.
  private func discover() -> (children: [(String, Module)], parameters: [(String, Tensor)]) {
    if let discovered { return discovered }
    var children = ownChildren()
    var parameters: [(String, Tensor)] = []
    var mirrors: [Mirror] = []
    var mirror: Mirror? = Mirror(reflecting: self)
    while let current = mirror, current.subjectType != Module.self {
      mirrors.append(current)
      mirror = current.superclassMirror
    }
    // Superclass properties first, as PyTorch registers a base class's layers first.
    for current in mirrors.reversed() {
      for case (let label?, let value) in current.children {
        let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
        switch unwrapOptional(value) {
        case let tensor as Tensor where tensor.requiresGrad:
          parameters.append((name, tensor))
        case is Module where !reflectsChildren, is [Module] where !reflectsChildren:
          break
        case let module as Module:
          children.append((name, module))
        case let modules as [Module]:
          for (index, module) in modules.enumerated() {
            children.append(("\(name).\(index)", module))
          }
        default:
          break
        }
      }
    }
    discovered = (children, parameters)
    return (children, parameters)
  }

  /// Children the subclass lists itself (Sequential's "0", "1", …).
  open func ownChildren() -> [(String, Module)] { [] }

  /// False for containers that list their children in `ownChildren`, so that reflection does
  /// not find them a second time under the stored property's name.
  open var reflectsChildren: Bool { true }

  /// Forgets what reflection found, so that the next use looks again (after a stored layer or
  /// parameter was replaced by another object).
  public func rediscover() { discovered = nil }

  /// Registers a tensor that is part of the state but not trained (BatchNorm's running mean).
  public func registerBuffer(_ name: String, _ tensor: Tensor) {
    registeredBuffers.removeAll { $0.0 == name }
    registeredBuffers.append((name, tensor))
  }

  /// The direct children with their attribute names (`named_children()`).
  public func namedChildren() -> [(String, Module)] { discover().children }

  /// The direct children.
  public func children() -> [Module] { namedChildren().map { $0.1 } }

  /// This module and every module below it, depth first, with dotted names (`named_modules()`).
  public func namedModules(prefix: String = "") -> [(String, Module)] {
    var result: [(String, Module)] = [(prefix, self)]
    var seen: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
    for (name, child) in namedChildren() where seen.insert(ObjectIdentifier(child)).inserted {
      result += child.namedModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
    }
    return result
  }

  /// This module and every module below it (`modules()`).
  public func modules() -> [Module] { namedModules().map { $0.1 } }

  /// Trainable tensors with PyTorch's dotted names, each once (`named_parameters()`).
  public func namedParameters() -> [(String, Tensor)] {
    var result: [(String, Tensor)] = []
    var seen = Set<ObjectIdentifier>()
    for (prefix, module) in namedModules() {
      for (name, tensor) in module.discover().parameters
      where seen.insert(ObjectIdentifier(tensor)).inserted {
        result.append((prefix.isEmpty ? name : "\(prefix).\(name)", tensor))
      }
    }
    return result
  }

  /// Trainable tensors in PyTorch's order (`parameters()`).
  public func parameters() -> [Tensor] { namedParameters().map { $0.1 } }

  /// Registered buffers with dotted names (`named_buffers()`).
  public func namedBuffers() -> [(String, Tensor)] {
    namedModules().flatMap { prefix, module in
      module.registeredBuffers.map { (prefix.isEmpty ? $0.0 : "\(prefix).\($0.0)", $0.1) }
    }
  }

  // MARK: State

  /// Parameters and buffers by PyTorch's keys, each module's parameters before its buffers
  /// (`state_dict()`). The tensors are detached and share storage with the module's.
  public func stateDict() -> StateDict {
    var dict = StateDict()
    for (prefix, module) in namedModules() {
      let join = { (name: String) in prefix.isEmpty ? name : "\(prefix).\(name)" }
      for (name, tensor) in module.discover().parameters { dict[join(name)] = tensor.detach() }
      for (name, tensor) in module.registeredBuffers { dict[join(name)] = tensor.detach() }
    }
    return dict
  }

  /// Copies values from `dict` into this module's parameters and buffers
  /// (`load_state_dict`). Checks everything first and changes nothing when it throws: missing
  /// and unexpected keys (ignored when `strict` is false) and mismatched shapes.
  public func loadStateDict(_ dict: StateDict, strict: Bool = true) throws {
    try checkStateDict(dict, strict: strict)
    let own = stateDict()
    noGrad {
      for (key, target) in own { if let incoming = dict[key] { target.copy_(incoming) } }
    }
  }

  /// Throws what `loadStateDict` would refuse, without changing anything: checkpoints check
  /// every part of a file before they load any.
  public func checkStateDict(_ dict: StateDict, strict: Bool = true) throws {
    let own = stateDict()
    let missing = own.keys.filter { dict[$0] == nil }
    let unexpected = dict.keys.filter { own[$0] == nil }
    let mismatched = own.keys.compactMap { key -> StateDictError.ShapeMismatch? in
      guard let incoming = dict[key], let target = own[key], incoming.shape != target.shape else {
        return nil
      }
      return .init(key: key, expected: target.shape, found: incoming.shape)
    }
    if !mismatched.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
      throw StateDictError(
        missingKeys: strict ? missing : [], unexpectedKeys: strict ? unexpected : [],
        shapeMismatches: mismatched)
    }
  }

  // MARK: Modes and gradients

  /// Sets training mode on this module and every module below (`train()`).
  @discardableResult
  public func train(_ mode: Bool = true) -> Self {
    for module in modules() { module.training = mode }
    return self
  }

  /// Sets evaluation mode (`eval()`).
  @discardableResult
  public func eval() -> Self { train(false) }

  /// Clears the gradients of every parameter: to nil by default, as PyTorch does, or to zeros.
  public func zeroGrad(setToNil: Bool = true) {
    for parameter in parameters() {
      if setToNil { parameter.grad = nil } else { parameter.grad?.zero_() }
    }
  }

  // MARK: Printing

  /// The name shown when printing: the class name.
  open var typeName: String {
    let full = String(describing: type(of: self))
    return full.split(separator: ".").last.map(String.init) ?? full
  }

  /// The text inside the parentheses, like PyTorch's `extra_repr()`.
  open var extraRepr: String { "" }

  /// PyTorch's `repr(module)`: children indented, one per line.
  public var description: String {
    let children = namedChildren()
    if children.isEmpty { return "\(typeName)(\(extraRepr))" }
    var lines = ["\(typeName)("]
    if !extraRepr.isEmpty { lines.append("  " + extraRepr) }
    for (name, child) in children {
      let text = child.description.split(separator: "\n", omittingEmptySubsequences: false)
        .enumerated().map { $0.offset == 0 ? String($0.element) : "  " + $0.element }
        .joined(separator: "\n")
      lines.append("  (\(name)): \(text)")
    }
    lines.append(")")
    return lines.joined(separator: "\n")
  }
}

/// The wrapped value of an `Optional` seen through `Any`, or the value itself.
private func unwrapOptional(_ value: Any) -> Any? {
  let mirror = Mirror(reflecting: value)
  guard mirror.displayStyle == .optional else { return value }
  return mirror.children.first?.value
}
