/// `einsum`: Einstein summation over labelled dimensions (`torch.einsum`), parsed here and
/// lowered (Einsum+Contraction.swift) to diagonals, sums, permutes, reshapes and batched
/// products, all differentiable ops. Implicit and explicit outputs, `...` for broadcast
/// dimensions, repeated subscripts (traces, diagonals) and size-1 broadcasting are supported;
/// a bad equation stops with PyTorch's message, the equation and the operands' shapes.

/// Sums products of the operands' elements over the subscripts that the output omits
/// (`torch.einsum`): `einsum("ij,jk->ik", a, b)` is a matrix product, `"ii->i"` a diagonal,
/// `"ii"` a trace, `"bhqd,bhkd->bhqk"` attention scores, `"...ij,...jk"` a broadcast batched
/// product. Without `->`, the output holds the broadcast (`...`) dimensions, then the
/// subscripts that appear once, in alphabetical order (upper case first).
public func einsum(_ equation: String, _ operands: [Tensor]) -> Tensor {
  Tensor.op(operands) { () throws(OpError) in
    let parsed = try EinsumEquation(equation, operands)
    return parsed.evaluate(operands)
  }
}

/// `einsum` with the operands as arguments: `einsum("ij,jk->ik", a, b)`.
public func einsum(_ equation: String, _ operands: Tensor...) -> Tensor {
  einsum(equation, operands)
}

/// A checked equation: each operand's dimensions as label ids, and the output's. Letters map
/// to 0..<52 (A–Z, then a–z, PyTorch's order for implicit outputs); the dimensions an
/// ellipsis covers get ids from 52 up, aligned to the right across operands.
struct EinsumEquation {
  /// One label id per dimension of each operand.
  var operandLabels: [[Int]]
  /// The output's label ids, in order.
  var outputLabels: [Int]
  /// The size of each label (broadcast: the largest seen).
  var sizes: [Int: Int]

  static let ellipsisBase = 52

  init(_ equation: String, _ operands: [Tensor]) throws(OpError) {
    let context =
      " (equation '\(equation)', operand shapes "
      + operands.map { shapeText($0.shape) }.joined(separator: " and ") + ")"
    func fail(_ message: String) -> OpError { OpError("einsum", "einsum(): " + message + context) }
    guard !operands.isEmpty else {
      throw fail("must specify the equation string and at least one operand")
    }
    let characters = Array(equation.utf8)
    var arrow: Int?
    for i in 0..<Swift.max(characters.count - 1, 0)
    where characters[i] == UInt8(ascii: "-") && characters[i + 1] == UInt8(ascii: ">") {
      arrow = i
      break
    }
    let left = characters[..<(arrow ?? characters.count)]

    // Subscripts of each operand: label ids, and nil for an ellipsis.
    var terms: [[Int?]] = [[]]
    var i = left.startIndex
    while i < left.endIndex {
      let c = left[i]
      let operand = terms.count - 1
      if c == UInt8(ascii: " ") {
      } else if c == UInt8(ascii: ".") {
        guard !terms[operand].contains(where: { $0 == nil }) else {
          throw fail("found '.' for operand \(operand) for which an ellipsis was already found")
        }
        guard i + 2 < left.endIndex, left[i + 1] == c, left[i + 2] == c else {
          throw fail("found '.' for operand \(operand) that is not part of any ellipsis")
        }
        terms[operand].append(nil)
        i += 2
      } else if c == UInt8(ascii: ",") {
        guard terms.count < operands.count else {
          throw fail("fewer operands were provided than specified in the equation")
        }
        terms.append([])
      } else if let label = EinsumEquation.label(c) {
        terms[operand].append(label)
      } else {
        throw fail(
          "invalid subscript given at index \(i) in the equation string, subscripts must be in [a-zA-Z]"
        )
      }
      i += 1
    }
    guard terms.count == operands.count else {
      throw fail("more operands were provided than specified in the equation")
    }

    // Dimensions, ellipsis coverage and label counts.
    var ellipsisRank = 0
    var counts = [Int](repeating: 0, count: EinsumEquation.ellipsisBase)
    for (index, (term, operand)) in zip(terms, operands).enumerated() {
      let named = term.filter { $0 != nil }.count
      let hasEllipsis = named < term.count
      if hasEllipsis {
        guard named <= operand.rank else {
          throw fail(
            "the number of subscripts in the equation (\(named)) is more than the number of dimensions (\(operand.rank)) for operand \(index)"
          )
        }
        ellipsisRank = Swift.max(ellipsisRank, operand.rank - named)
      } else {
        guard named == operand.rank else {
          throw fail(
            "the number of subscripts in the equation (\(named)) does not match the number of dimensions (\(operand.rank)) for operand \(index) and no ellipsis was given"
          )
        }
      }
      for case let label? in term { counts[label] += 1 }
    }
    let ellipsisIds = (0..<ellipsisRank).map { EinsumEquation.ellipsisBase + $0 }

    // Each operand's dimensions as ids, with sizes checked.
    operandLabels = []
    sizes = [:]
    for (index, (term, operand)) in zip(terms, operands).enumerated() {
      var ids: [Int] = []
      let covered = operand.rank - term.filter { $0 != nil }.count
      for entry in term {
        if let label = entry { ids.append(label) } else { ids += ellipsisIds.suffix(covered) }
      }
      var own: [Int: Int] = [:]
      for (axis, id) in ids.enumerated() {
        let size = operand.shape[axis]
        if id < EinsumEquation.ellipsisBase, let seen = own[id], seen != size {
          throw fail(
            "subscript \(EinsumEquation.letter(id)) is repeated for operand \(index) but the sizes don't match, \(size) != \(seen)"
          )
        }
        own[id] = size
        if let seen = sizes[id], seen != size, seen != 1, size != 1 {
          throw fail(
            id < EinsumEquation.ellipsisBase
              ? "subscript \(EinsumEquation.letter(id)) has size \(size) for operand \(index) which does not broadcast with previously seen size \(seen)"
              : "dimension \(id - EinsumEquation.ellipsisBase) covered by ellipsis in operand \(index)has size \(size) which does not broadcast with previously seen ellipsis with size \(seen) for the respective dimension"
          )
        }
        sizes[id] = Swift.max(sizes[id] ?? size, size)
      }
      operandLabels.append(ids)
    }

    if let first = operands.first, let other = operands.first(where: { $0.dtype != first.dtype }) {
      throw OpError(
        "einsum",
        "expected scalar type \(first.dtype.scalarTypeName) but found \(other.dtype.scalarTypeName)\(context)"
      )
    }

    // The output.
    guard let arrow else {
      outputLabels = ellipsisIds + (0..<EinsumEquation.ellipsisBase).filter { counts[$0] == 1 }
      return
    }
    outputLabels = []
    var sawEllipsis = false
    var j = arrow + 2
    while j < characters.count {
      let c = characters[j]
      if c == UInt8(ascii: " ") {
      } else if c == UInt8(ascii: ".") {
        guard !sawEllipsis else {
          throw fail("found '.' for output but an ellipsis (...) was already found")
        }
        guard j + 2 < characters.count, characters[j + 1] == c, characters[j + 2] == c else {
          throw fail("found '.' for output that is not part of any ellipsis (...)")
        }
        sawEllipsis = true
        outputLabels += ellipsisIds
        j += 2
      } else if let label = EinsumEquation.label(c) {
        guard counts[label] > 0, !outputLabels.contains(label) else {
          let problem =
            outputLabels.contains(label)
            ? "appears more than once in the output"
            : "does not appear in the equation for any input operand"
          throw fail("output subscript \(EinsumEquation.letter(label)) \(problem)")
        }
        outputLabels.append(label)
      } else {
        throw fail(
          "invalid subscript given at index \(j) in the equation string, subscripts must be in [a-zA-Z]"
        )
      }
      j += 1
    }
  }

  /// The label id of an ASCII letter: A–Z are 0..<26, a–z 26..<52.
  static func label(_ c: UInt8) -> Int? {
    if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") { return Int(c - UInt8(ascii: "A")) }
    if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") { return 26 + Int(c - UInt8(ascii: "a")) }
    return nil
  }

  static func letter(_ id: Int) -> String {
    let base = id < 26 ? UInt8(ascii: "A") + UInt8(id) : UInt8(ascii: "a") + UInt8(id - 26)
    return String(UnicodeScalar(base))
  }
}
