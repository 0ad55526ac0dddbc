/// Stops the program with a message in PyTorch's style: the op, what was wrong, how to fix it.
///
/// Math errors are programmer errors (like an out-of-range array index in Swift), so they trap
/// rather than throw; the message names the op and the shapes involved.
@inline(never)
func opFailure(_ op: String, _ message: String, file: StaticString = #file, line: UInt = #line)
  -> Never
{
  fatalError("\(op): \(message)", file: file, line: line)
}

/// Shape as PyTorch prints it in messages: `[3, 4]`.
func shapeText(_ shape: [Int]) -> String {
  "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
