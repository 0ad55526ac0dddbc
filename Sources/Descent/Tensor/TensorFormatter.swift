// PyTorch's tensor printing (torch/_tensor_str.py) with default print options, re-implemented
// as a pure function of the values so that it can be tested without a Tensor.

/// Values of a tensor in row-major order, already contiguous.
///
/// float32 tensors pass their elements widened to `Double`; the widening is exact, and PyTorch
/// formats float32 elements through the same widening (`Tensor.item()` yields a Python float).
enum FormatterValues: Sendable {
  case floating([Double])
  case integer([Int64])
  case boolean([Bool])

  /// The number of elements.
  var count: Int {
    switch self {
    case .floating(let v): return v.count
    case .integer(let v): return v.count
    case .boolean(let v): return v.count
    }
  }
}

/// PyTorch's default print options (`torch.set_printoptions(profile="default")`, `sci_mode=None`).
enum TensorPrintOptions {
  /// Digits after the decimal point.
  static let precision = 4
  /// Tensors with more elements than this are summarised with `...`.
  static let threshold = 1000
  /// Elements kept at each end of a summarised dimension.
  static let edgeItems = 3
  /// The width rows wrap at.
  static let lineWidth = 80
}

/// The text PyTorch prints for a tensor: `tensor([...], suffixes)`, exactly as `repr(t)`.
///
/// - Parameters:
///   - values: the elements in row-major order; `values.count` must equal the product of `shape`.
///   - shape: the size of each dimension; `[]` for a 0-d tensor.
///   - dtype: the tensor's element type. The formatter itself adds `size=` for empty tensors that
///     are not 1-d and `dtype=` where PyTorch does: for non-empty tensors only for float64
///     (float32, int64 and bool are "default" dtypes), for empty ones for every dtype but float32.
///   - suffixes: the caller's further suffixes in PyTorch's order, e.g.
///     `["grad_fn=<AddBackward0>"]` or `["requires_grad=True"]`; they follow `size=` and `dtype=`.
/// - Returns: the repr, possibly spanning several lines.
func formatTensor(
  _ values: FormatterValues, shape: [Int], dtype: DType, suffixes: [String]
) -> String {
  let count = shape.reduce(1, *)
  precondition(values.count == count, "formatTensor: \(values.count) values for shape \(shape)")
  let prefix = "tensor("
  var allSuffixes: [String] = []
  let body: String
  if count == 0 {
    // NumPy-like: the shape is only implied by `[]` when the tensor is 1-d.
    if shape.count != 1 { allSuffixes.append("size=" + pythonTuple(shape)) }
    // No element can reveal the type, so anything but the default float dtype is spelled out.
    if dtype != .float32 { allSuffixes.append("dtype=\(dtype)") }
    body = "[]"
  } else {
    if dtype == .float64 { allSuffixes.append("dtype=\(dtype)") }
    body = TensorPrinter(values: values, shape: shape).render(indent: prefix.count)
  }
  return joinSuffixes(prefix + body, allSuffixes + suffixes, indent: prefix.count)
}

/// `str(tuple(shape))` in Python: `(0, 3)`, and `(0,)` for one element.
private func pythonTuple(_ shape: [Int]) -> String {
  if shape.count == 1 { return "(\(shape[0]),)" }
  return "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// Appends suffixes like `_add_suffixes`: on the current line while it stays within the line
/// width, otherwise on a new line indented under the first element.
private func joinSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
  let bytes = Array(text.utf8)
  // PyTorch measures the last line as `len(s) - s.rfind("\n") + 1`, two more than its length;
  // kept because it decides where suffixes wrap.
  let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1
  var lastLineLength = bytes.count - lastNewline + 1
  var result = text
  for suffix in suffixes {
    let length = suffix.utf8.count
    if lastLineLength + length + 2 > TensorPrintOptions.lineWidth {
      result += ",\n" + String(repeating: " ", count: indent) + suffix
      lastLineLength = indent + length
    } else {
      result += ", " + suffix
      lastLineLength += length + 2
    }
  }
  return result + ")"
}

/// Renders the bracketed body of a non-empty tensor (`_tensor_str`).
private struct TensorPrinter {
  let values: FormatterValues
  let shape: [Int]
  let strides: [Int]
  /// Above the threshold every dimension longer than `2 * edgeItems` shows only its ends.
  let summarize: Bool

  init(values: FormatterValues, shape: [Int]) {
    self.values = values
    self.shape = shape
    var strides = [Int](repeating: 1, count: shape.count)
    for d in stride(from: shape.count - 2, through: 0, by: -1) {
      strides[d] = strides[d + 1] * shape[d + 1]
    }
    self.strides = strides
    self.summarize = values.count > TensorPrintOptions.threshold
  }

  /// The positions shown along `dim`, and whether `...` goes between the two ends.
  private func shown(_ dim: Int) -> (positions: [Int], elided: Bool) {
    let n = shape[dim]
    let edge = TensorPrintOptions.edgeItems
    guard summarize && n > 2 * edge else { return (Array(0..<n), false) }
    return (Array(0..<edge) + Array((n - edge)..<n), true)
  }

  /// Flat offsets of the shown elements: the only ones that choose the number format, so the
  /// hidden middle of a summarised tensor never widens the columns.
  private func shownOffsets() -> [Int] {
    var offsets = [0]
    for dim in shape.indices {
      let step = strides[dim]
      let positions = shown(dim).positions
      offsets = offsets.flatMap { base in positions.map { base + $0 * step } }
    }
    return offsets
  }

  func render(indent: Int) -> String {
    let formatter = ElementFormatter(values: values, sample: summarize ? shownOffsets() : nil)
    return render(dim: 0, offset: 0, indent: indent, formatter)
  }

  private func render(dim: Int, offset: Int, indent: Int, _ formatter: ElementFormatter) -> String {
    if dim == shape.count { return formatter.format(offset) }
    let (positions, elided) = shown(dim)
    let edge = TensorPrintOptions.edgeItems
    if dim == shape.count - 1 {
      var items = positions.map { formatter.format(offset + $0) }
      if elided { items.insert(" ...", at: edge) }
      // Every element (and the ` ...` marker) counts as `width + 2` including ", ".
      let perLine = max(1, (TensorPrintOptions.lineWidth - indent) / (formatter.width + 2))
      var lines: [String] = []
      var start = 0
      while start < items.count {
        let end = min(start + perLine, items.count)
        lines.append(items[start..<end].joined(separator: ", "))
        start = end
      }
      return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
    }
    var slices = positions.map {
      render(dim: dim + 1, offset: offset + $0 * strides[dim], indent: indent + 1, formatter)
    }
    if elided { slices.insert("...", at: edge) }
    // One blank line per dimension below the rows: a 3-d tensor separates its matrices by one.
    let remaining = shape.count - dim
    let separator =
      "," + String(repeating: "\n", count: remaining - 1)
      + String(repeating: " ", count: indent + 1)
    return "[" + slices.joined(separator: separator) + "]"
  }
}

/// Formats single elements with one shared width (`_Formatter`).
private struct ElementFormatter {
  private enum Style {
    case plain  // integers and booleans: Python's str()
    case integral  // floats that are all whole numbers: `3.`
    case fixed  // `%.4f`
    case scientific  // `%.4e`
  }

  private let values: FormatterValues
  private let style: Style
  /// The widest element's text; shorter texts are right-aligned to it.
  let width: Int

  /// - Parameter sample: the offsets that decide the style and width; nil for all elements.
  init(values: FormatterValues, sample: [Int]?) {
    self.values = values
    let offsets = sample ?? Array(0..<values.count)
    var width = 1
    switch values {
    case .integer(let v):
      style = .plain
      for i in offsets { width = max(width, String(v[i]).utf8.count) }
    case .boolean(let v):
      style = .plain
      for i in offsets { width = max(width, v[i] ? 4 : 5) }
    case .floating(let v):
      // Only nonzero finite values decide: zeros, nan and inf print in whatever style results,
      // and do not count towards the width (so `-0.0000` or `-inf` may overhang the column).
      let decisive = offsets.lazy.map { v[$0] }.filter { $0.isFinite && $0 != 0 }
      var minAbs = Double.infinity
      var maxAbs = 0.0
      var integral = true
      for x in decisive {
        minAbs = min(minAbs, x.magnitude)
        maxAbs = max(maxAbs, x.magnitude)
        if x != x.rounded(.up) { integral = false }
      }
      if maxAbs == 0 {
        style = .integral
      } else {
        let scientific = maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4
        style = scientific ? .scientific : integral ? .integral : .fixed
        for x in decisive {
          // The trailing "." of the integral style is counted as well.
          let extra = style == .integral ? 1 : 0
          width = max(width, ElementFormatter.text(x, style).utf8.count + extra)
        }
      }
    }
    self.width = width
  }

  /// The element at `offset`, right-aligned to `width`.
  func format(_ offset: Int) -> String {
    let text: String
    switch values {
    case .integer(let v): text = String(v[offset])
    case .boolean(let v): text = v[offset] ? "True" : "False"
    case .floating(let v):
      let x = v[offset]
      // The "." marks whole numbers as floating point; nan and inf need no mark.
      text = ElementFormatter.text(x, style) + (style == .integral && x.isFinite ? "." : "")
    }
    let pad = width - text.utf8.count
    return pad > 0 ? String(repeating: " ", count: pad) + text : text
  }

  private static func text(_ x: Double, _ style: Style) -> String {
    switch style {
    case .plain, .integral: return pythonFormatFixed(x, digits: 0)
    case .fixed: return pythonFormatFixed(x, digits: TensorPrintOptions.precision)
    case .scientific: return pythonFormatScientific(x, digits: TensorPrintOptions.precision)
    }
  }
}
