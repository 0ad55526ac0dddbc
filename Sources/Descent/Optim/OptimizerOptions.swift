/// An optimizer's hyper-parameters as a Swift struct whose fields carry PyTorch's names.
///
/// `fields` is the one place where a name is written: the defaults a group is filled from,
/// the typed values a step reads, the state dict and checkpoints all go through it. A group
/// holds its values by name (`HyperParameters`), as PyTorch's `param_group` dict does, and a
/// step decodes them into this struct (once, until a group changes).
protocol OptimizerOptions: Sendable {
  /// Every field under its PyTorch name, in PyTorch's order.
  static var fields: [OptionField<Self>] { get }
  /// PyTorch's `ValueError` message for a value it refuses ("Invalid learning rate: -1.0"),
  /// or nil.
  func validate() -> String?
}

/// One field of an optimizer's options under its PyTorch name: how to read it from a
/// `HyperValue` and write it back.
struct OptionField<Options> {
  /// PyTorch's name (`"weight_decay"`).
  let name: String
  /// The field's value, as a group holds it.
  let value: (Options) -> HyperValue
  /// Sets the field from a group's value; false when the value is of another kind.
  let assign: (inout Options, HyperValue) -> Bool

  /// A number field (`lr`).
  static func number(_ name: String, _ key: WritableKeyPath<Options, Double>) -> Self {
    Self(name: name, value: { .number($0[keyPath: key]) }) { options, value in
      guard let number = value.number else { return false }
      options[keyPath: key] = number
      return true
    }
  }

  /// A flag field (`nesterov`).
  static func flag(_ name: String, _ key: WritableKeyPath<Options, Bool>) -> Self {
    Self(name: name, value: { .flag($0[keyPath: key]) }) { options, value in
      guard let flag = value.flag else { return false }
      options[keyPath: key] = flag
      return true
    }
  }

  /// A pair of numbers (`betas`), held as a list of two.
  static func pair(_ name: String, _ key: WritableKeyPath<Options, (Double, Double)>) -> Self {
    Self(name: name, value: { .numbers([$0[keyPath: key].0, $0[keyPath: key].1]) }) {
      options, value in
      guard let numbers = value.numbers, numbers.count == 2 else { return false }
      options[keyPath: key] = (numbers[0], numbers[1])
      return true
    }
  }
}

extension OptimizerOptions {
  /// These values under PyTorch's names, in `fields` order: an optimizer's `defaults`.
  var hyperParameters: HyperParameters {
    var out = HyperParameters()
    for field in Self.fields { out[field.name] = field.value(self) }
    return out
  }

  /// These options with every field read from `group`; throws a message naming the first
  /// field `group` lacks or holds as another kind of value.
  func reading(_ group: HyperParameters) throws(OptionsProblem) -> Self {
    var out = self
    for field in Self.fields {
      guard let value = group[field.name] else {
        throw OptionsProblem(
          "no value for '\(field.name)'; set it (it was set to nil after the group was added)")
      }
      guard field.assign(&out, value) else {
        throw OptionsProblem(
          "'\(field.name)' is \(value), which is not a \(field.value(self).kind)")
      }
    }
    return out
  }
}

/// Why a group's values cannot be read as an optimizer's options.
struct OptionsProblem: Error {
  let message: String
  init(_ message: String) { self.message = message }
}

extension HyperValue {
  /// The kind of value, as messages name it.
  var kind: String {
    switch self {
    case .number: "number"
    case .flag: "flag (true or false)"
    case .numbers(let x): "list of \(x.count) numbers"
    }
  }
}

/// PyTorch's `ValueError` for the first value below zero (or NaN): "Invalid learning rate:
/// -1.0"; nil when all are valid. Checked in the order given, as PyTorch checks them.
func firstNegative(_ checks: KeyValuePairs<String, Double>) -> String? {
  for (what, value) in checks where !(value >= 0) { return "Invalid \(what): \(value)" }
  return nil
}
