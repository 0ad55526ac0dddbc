/// Values under string keys in the order the keys were first set, like Python's `dict`: what
/// `StateDict` (tensors) and `HyperParameters` (a parameter group's options) keep. Setting a
/// key again replaces its value in place; setting nil removes the key.
struct OrderedTable<Value> {
  /// The keys in insertion order.
  private(set) var keys: [String] = []
  private var values: [String: Value] = [:]

  /// The value under `key`; setting nil removes it.
  subscript(key: String) -> Value? {
    get { values[key] }
    set {
      if let newValue {
        if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
      } else if values.removeValue(forKey: key) != nil {
        keys.removeAll { $0 == key }
      }
    }
  }
}

extension OrderedTable: Equatable where Value: Equatable {}
extension OrderedTable: Sendable where Value: Sendable {}
