/// The arguments of convolutions and pooling that PyTorch takes as an int or a tuple: a kernel
/// size, a stride, a padding, a dilation. In Swift they are an `Int` for every spatial dimension
/// or a list with one value per dimension, and a convolution's padding may also be a rule.
///
/// ```swift
/// Conv2d(1, 6, kernelSize: 5)
/// Conv2d(3, 8, kernelSize: [3, 5], stride: 2, padding: .same)
/// ```

/// A kernel size, stride, padding or dilation: one `Int` for every spatial dimension
/// (`kernelSize: 3`) or a list with one value per dimension (`kernelSize: [3, 5]`).
public protocol SpatialArgument: Sendable {
  /// The values as given: one, or one per spatial dimension.
  var spatialValues: [Int] { get }
  /// The value as Python prints it in a module's repr: `3` for an int, `[3, 5]` for a list.
  var pythonDescription: String { get }
}

extension Int: SpatialArgument {
  public var spatialValues: [Int] { [self] }
  public var pythonDescription: String { String(self) }
}

extension Array: SpatialArgument where Element == Int {
  public var spatialValues: [Int] { self }
  public var pythonDescription: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}

/// A convolution's `padding`: an `Int`, a list `[1, 2]`, or one of the rules `.same` (the output
/// has the input's size; stride 1 only) and `.valid` (no padding).
public protocol ConvPadding: Sendable {
  /// The padding as a rule or as explicit values.
  var paddingRule: PaddingRule { get }
}

/// PyTorch's string paddings `'same'` and `'valid'`, or explicit values.
public struct PaddingRule: ConvPadding, Equatable, Sendable {
  enum Kind: Equatable, Sendable {
    case explicit([Int])
    case same
    case valid
  }
  let kind: Kind

  /// Pads so that the output has the input's size (stride 1 only); an even total is split
  /// evenly, an odd one puts the extra element after, as PyTorch does.
  public static let same = PaddingRule(kind: .same)
  /// No padding.
  public static let valid = PaddingRule(kind: .valid)

  public var paddingRule: PaddingRule { self }
}

extension ConvPadding where Self == PaddingRule {
  /// The output keeps the input's size (`padding='same'`).
  public static var same: PaddingRule { PaddingRule(kind: .same) }
  /// No padding (`padding='valid'`).
  public static var valid: PaddingRule { PaddingRule(kind: .valid) }
}

extension Int: ConvPadding {
  public var paddingRule: PaddingRule { PaddingRule(kind: .explicit([self])) }
}

extension Array: ConvPadding where Element == Int {
  public var paddingRule: PaddingRule { PaddingRule(kind: .explicit(self)) }
}

/// The padding modes of a convolution layer (`padding_mode`); zeros is PyTorch's default.
public enum PaddingMode: String, Sendable {
  /// Pads with zeros.
  case zeros
}

/// `values` for `count` spatial dimensions: one value repeated, or exactly `count` values, as
/// PyTorch's `_pair`/`_single` expand them; otherwise PyTorch's message.
func spatialValues(_ values: [Int], count: Int, name: String, op: String) throws(OpError) -> [Int] {
  if values.count == 1 { return [Int](repeating: values[0], count: count) }
  guard values.count == count else {
    throw OpError(
      op,
      "expected \(name) to be a single integer value or a list of \(count) values to match the convolution dimensions, but got \(name)=\(shapeText(values))"
    )
  }
  return values
}

/// `(5, 5)` or `(5,)`: a tuple as Python prints it.
func tupleText(_ values: [Int]) -> String {
  values.count == 1
    ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
}
