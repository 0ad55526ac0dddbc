/// Named tensors in a fixed order, like PyTorch's `OrderedDict` from `state_dict()`: keys are
/// PyTorch's (`fc1.weight`, `0.bias`), so files and fixtures line up with PyTorch's.
public struct StateDict: Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
  /// The keys in insertion order.
  public var keys: [String] { storage.keys }
  private var storage = OrderedTable<Tensor>()

  /// An empty state dict.
  public init() {}

  /// From key-value pairs, keeping their order (a later duplicate key replaces the value).
  public init(_ pairs: [(String, Tensor)]) {
    for (key, value) in pairs { self[key] = value }
  }

  /// A state dict from key–tensor pairs, in order (`["w": w, "b": b]`).
  public init(dictionaryLiteral elements: (String, Tensor)...) { self.init(elements) }

  /// The tensor under `key`; setting nil removes it.
  public subscript(key: String) -> Tensor? {
    get { storage[key] }
    set { storage[key] = newValue }
  }

  /// The number of entries.
  public var count: Int { keys.count }

  /// Iterates the entries in order.
  public func makeIterator() -> AnyIterator<(key: String, value: Tensor)> {
    var index = 0
    return AnyIterator {
      guard index < keys.count else { return nil }
      defer { index += 1 }
      return (keys[index], storage[keys[index]]!)
    }
  }

  /// A readable description, as `print` shows it.
  public var description: String {
    "StateDict(" + keys.map { "\($0): \(shapeText(storage[$0]!.shape))" }.joined(separator: ", ")
      + ")"
  }
}

/// Why `loadStateDict` refused a state dict. Nothing is changed when it throws.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
  /// Keys the module has but the dict lacks.
  public let missingKeys: [String]
  /// Keys the dict has but the module lacks.
  public let unexpectedKeys: [String]
  /// Keys whose shapes differ: (key, the module's shape, the dict's shape).
  public let shapeMismatches: [ShapeMismatch]

  /// A key whose tensor has another shape than the module's.
  public struct ShapeMismatch: Equatable, Sendable {
    /// The state-dict key.
    public let key: String
    /// The module's shape.
    public let expected: [Int]
    /// The shape in the loaded dict.
    public let found: [Int]
  }

  /// A readable description, as `print` shows it.
  public var description: String {
    var parts: [String] = []
    if !missingKeys.isEmpty {
      parts.append(
        "Missing key(s) in state_dict: " + missingKeys.map { "\"\($0)\"" }.joined(separator: ", ")
          + ".")
    }
    if !unexpectedKeys.isEmpty {
      parts.append(
        "Unexpected key(s) in state_dict: "
          + unexpectedKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".")
    }
    for mismatch in shapeMismatches {
      parts.append(
        "size mismatch for \(mismatch.key): copying a param with shape \(shapeText(mismatch.found)) from checkpoint, the shape in current model is \(shapeText(mismatch.expected))."
      )
    }
    return "Error(s) in loading state_dict: " + parts.joined(separator: " ")
  }
}
