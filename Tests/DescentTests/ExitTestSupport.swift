import Testing

/// Checks what a stopped child process printed: `Fatal error: <op>: ` and every fragment.
///
/// Programmer errors stop the process (like an out-of-range array index), so their messages are
/// tested with exit tests: the mistake runs in a child process and this reads its standard error.
func expectStopMessage(
  _ result: ExitTest.Result?, op: String, _ fragments: [String],
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let result else {
    Issue.record("the exit test did not run", sourceLocation: sourceLocation)
    return
  }
  let text = String(decoding: result.standardErrorContent, as: UTF8.self)
  #expect(text.contains("Fatal error: \(op): "), "\(text)", sourceLocation: sourceLocation)
  for fragment in fragments {
    #expect(
      text.contains(fragment), "missing \"\(fragment)\" in: \(text)", sourceLocation: sourceLocation
    )
  }
}
