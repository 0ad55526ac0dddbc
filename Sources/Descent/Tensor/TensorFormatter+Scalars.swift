// Python's `format(x, ".4f")` and `format(x, ".4e")` for one Double.
//
// Both Python and the C library round the exact binary value correctly (ties to even), so C's
// printf gives the same digits; only nan and inf differ (C prints "-nan" for a negative NaN,
// Python always "nan"), so those are spelled here. printf follows LC_NUMERIC, which Swift
// programs leave at "C" unless they call setlocale themselves.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// `format(x, ".{digits}f")` as Python spells it: `-0.0000`, `nan`, `-inf`.
func pythonFormatFixed(_ x: Double, digits: Int) -> String {
  if let special = nonFiniteText(x) { return special }
  return cFormat("%.*f", digits, x)
}

/// `format(x, ".{digits}e")` as Python spells it: `1.0000e-05`, `4.9407e-324`, `nan`.
func pythonFormatScientific(_ x: Double, digits: Int) -> String {
  if let special = nonFiniteText(x) { return special }
  return cFormat("%.*e", digits, x)
}

private func nonFiniteText(_ x: Double) -> String? {
  if x.isNaN { return "nan" }
  if x.isInfinite { return x < 0 ? "-inf" : "inf" }
  return nil
}

private func cFormat(_ format: String, _ digits: Int, _ x: Double) -> String {
  // Sized for the longest finite case: `%.4f` of Double.greatestFiniteMagnitude is 315 chars.
  var buffer = [CChar](repeating: 0, count: 352 + digits)
  let written = withVaList([Int32(digits), x]) { arguments in
    buffer.withUnsafeMutableBufferPointer { out in
      vsnprintf(out.baseAddress, out.count, format, arguments)
    }
  }
  precondition(written >= 0 && Int(written) < buffer.count, "cFormat: output truncated")
  return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
