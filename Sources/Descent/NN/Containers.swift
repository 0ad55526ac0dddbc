/// `Sequential` and `ModuleList`: modules kept in order, named "0", "1", … as in PyTorch.

/// Modules applied one after another (`nn.Sequential`); `stateDict` keys are `0.weight`,
/// `2.bias`, …
public final class Sequential: Module {
  /// The modules, in order.
  public private(set) var layers: [Module]

  /// A sequence of layers applied in order; children are named `0`, `1`, … as in PyTorch.
  public init(_ layers: [Module]) {
    self.layers = layers
    super.init()
  }

  /// A sequence of the given layers (`Sequential(Linear(4, 8), ReLU(), Linear(8, 1))`).
  public convenience init(_ layers: Module...) { self.init(layers) }

  /// False: the children are the layers in order, not the stored properties.
  public override var reflectsChildren: Bool { false }

  /// The layers, named by their position.
  public override func ownChildren() -> [(String, Module)] {
    layers.enumerated().map { (String($0.offset), $0.element) }
  }

  /// Applies each layer to the output of the one before.
  public override func forward(_ input: Tensor) -> Tensor {
    layers.reduce(input) { x, layer in layer(x) }
  }

  /// The layer at `index` (negative counts from the end).
  public subscript(index: Int) -> Module { layers[index < 0 ? index + layers.count : index] }

  /// The number of layers.
  public var count: Int { layers.count }

  /// Adds a layer at the end (`append`).
  public func append(_ layer: Module) {
    layers.append(layer)
    rediscover()
  }
}

/// Modules held in a list, not applied by themselves (`nn.ModuleList`).
public final class ModuleList: Module, Sequence {
  /// The modules, in order.
  public private(set) var modules_: [Module]

  /// A list of modules, registered as children `0`, `1`, ….
  public init(_ modules: [Module] = []) {
    self.modules_ = modules
    super.init()
  }

  /// False: the children are the listed modules.
  public override var reflectsChildren: Bool { false }

  /// The modules, named by their position.
  public override func ownChildren() -> [(String, Module)] {
    modules_.enumerated().map { (String($0.offset), $0.element) }
  }

  /// The module at `index`; a negative index counts from the end.
  public subscript(index: Int) -> Module { modules_[index < 0 ? index + modules_.count : index] }
  /// The number of modules.
  public var count: Int { modules_.count }
  /// Iterates the modules in order.
  public func makeIterator() -> IndexingIterator<[Module]> { modules_.makeIterator() }

  /// Adds a module at the end (`append`).
  public func append(_ module: Module) {
    modules_.append(module)
    rediscover()
  }

  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    fatalError("ModuleList: a ModuleList is not callable; iterate over it in forward(_:)")
  }

  /// PyTorch's `repr`: a run of consecutive modules that print alike prints once, as
  /// `(0-1): 2 x Linear(…)`.
  public override var description: String {
    let texts = modules_.map(\.description)
    guard !texts.isEmpty else { return "\(typeName)()" }
    var lines: [String] = []
    var start = 0
    while start < texts.count {
      var end = start
      while end + 1 < texts.count && texts[end + 1] == texts[start] { end += 1 }
      let label = start == end ? "(\(start)): " : "(\(start)-\(end)): \(end - start + 1) x "
      lines.append(
        (label + texts[start]).split(separator: "\n", omittingEmptySubsequences: false)
          .map { "  " + $0 }.joined(separator: "\n"))
      start = end + 1
    }
    return "\(typeName)(\n" + lines.joined(separator: "\n") + "\n)"
  }
}

/// Passes its input through (`nn.Identity`).
public final class Identity: Module {
  /// Creates the layer; it has no parameters.
  public override init() { super.init() }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor { input }
}

/// Flattens dimensions `startDim…endDim` (`nn.Flatten`, from dimension 1 by default).
public final class Flatten: Module {
  /// The first dimension flattened.
  public let startDim: Int
  /// The last dimension flattened (negative counts from the end).
  public let endDim: Int
  /// A layer that flattens dimensions `startDim...endDim` into one.
  public init(startDim: Int = 1, endDim: Int = -1) {
    self.startDim = startDim
    self.endDim = endDim
    super.init()
  }
  /// Applies the layer to `input`.
  public override func forward(_ input: Tensor) -> Tensor {
    input.flatten(startDim: startDim, endDim: endDim)
  }
  /// The arguments PyTorch shows between the parentheses of the layer's printed form.
  public override var extraRepr: String { "start_dim=\(startDim), end_dim=\(endDim)" }
}
