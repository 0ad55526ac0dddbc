/// Decimal text to `Double`, straight from a CSV file's bytes.
///
/// Converting numbers is most of the work of reading a numeric CSV, and `Double(String)` needs a
/// `String` per field. This parser reads the bytes in place and gives the very value
/// `Double(String)` gives (the correctly rounded one): one IEEE operation on exact operands
/// where the decimal is short enough (Clinger's fast path, then a Float80 step for up to 19
/// digits), otherwise `Double(String)` itself.
enum CSVNumber {
  /// Powers of ten that `Double` holds exactly (10^22 is the last: 5^22 < 2^53).
  private static let exactPowers: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  ]

  #if (arch(i386) || arch(x86_64)) && !(os(Windows) || os(Android))
    /// Powers of ten that `Float80` holds exactly (5^27 < 2^64). Each product is exact.
    private static let extendedPowers: [Float80] = {
      var powers: [Float80] = [1]
      for _ in 1...27 { powers.append(powers[powers.count - 1] * 10) }
      return powers
    }()
  #endif

  /// Parses the longest plain decimal at the start of `start..<end`, that is
  /// `[+-]digits[.digits][(e|E)[+-]digits]` with at least one digit in the mantissa (`5.`, `.5`
  /// and `+3` are numbers, as for `strtod`).
  ///
  /// Returns the value and the first byte after the number, or nil when no number starts there.
  /// The caller checks what follows: `12abc` yields 12 and a pointer at `a`. Infinity and the
  /// missing spellings are left to ``parseField(_:delimiter:)``; hexadecimal is not a number here.
  @inline(__always)
  static func parsePrefix(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>)
    -> (value: Double, next: UnsafePointer<UInt8>)?
  {
    var p = start
    var negative = false
    if p < end && (p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+")) {
      negative = p.pointee == UInt8(ascii: "-")
      p += 1
    }
    // Leading zeros add nothing to the mantissa; skipping them keeps `0.000123` short.
    let integerStart = p
    while p < end && p.pointee == UInt8(ascii: "0") { p += 1 }
    var mantissa: UInt64 = 0
    let significantStart = p
    readDigits(&p, end, &mantissa)
    var significantDigits = p - significantStart
    var sawDigit = p > integerStart
    var exponent = 0
    if p < end && p.pointee == UInt8(ascii: ".") {
      p += 1
      let fractionStart = p
      if significantDigits == 0 {
        while p < end && p.pointee == UInt8(ascii: "0") { p += 1 }
      }
      let fractionSignificant = p
      readDigits(&p, end, &mantissa)
      significantDigits += p - fractionSignificant
      sawDigit = sawDigit || p > fractionStart
      exponent = fractionStart - p
    }
    guard sawDigit else { return nil }
    if p < end && p.pointee | 0x20 == UInt8(ascii: "e") {
      var q = p + 1
      var exponentNegative = false
      if q < end && (q.pointee == UInt8(ascii: "-") || q.pointee == UInt8(ascii: "+")) {
        exponentNegative = q.pointee == UInt8(ascii: "-")
        q += 1
      }
      let digitsStart = q
      var written = 0
      while q < end {
        let digit = q.pointee &- UInt8(ascii: "0")
        if digit > 9 { break }
        // Past any double's range the value is 0 or infinity already; the cap stops overflow.
        if written < 100_000_000 { written = written * 10 + Int(digit) }
        q += 1
      }
      // `1e` and `1e+` are not numbers: pandas and `Double(String)` reject them too.
      guard q > digitsStart else { return nil }
      exponent += exponentNegative ? -written : written
      p = q
    }
    if significantDigits == 0 { return (negative ? -0.0 : 0.0, p) }
    if significantDigits <= 19 {
      if let value = exactValue(mantissa, exponent) { return (negative ? -value : value, p) }
    }
    return (slowValue(start, p), p)
  }

  /// 10^k for the digit counts of one 8-byte step.
  private static let digitScales: [UInt64] = [
    1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000,
  ]

  /// Appends the run of decimal digits at `p` to `mantissa` (wrapping past 19 digits: the
  /// caller counts them and takes the slow path then), leaving `p` after the run.
  ///
  /// Eight bytes at a time where the input allows (SWAR, as in fast_float): the loop branches
  /// once per run instead of once per digit, and a number's length is hard to predict.
  @inline(__always)
  private static func readDigits(
    _ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ mantissa: inout UInt64
  ) {
    while end - p >= 8 {
      let bytes = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
      // Each byte's digit value; a byte below "0" borrows from the next, but only bytes after
      // the first non-digit are disturbed, and those are not used.
      let values = bytes &- 0x3030_3030_3030_3030
      let nonDigits = (values | (values &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
      let count = nonDigits.trailingZeroBitCount >> 3  // 8 when all are digits
      if count == 0 { return }
      // The run's digits to the high bytes, zeros (leading zeros) below, then combine pairs,
      // quads and octets with three multiplications.
      let mask: UInt64 = 0x0000_00FF_0000_00FF
      let scaleLow: UInt64 = 100 + (1_000_000 << 32)
      let scaleHigh: UInt64 = 1 + (10_000 << 32)
      var v = count == 8 ? values : values << UInt64(64 - 8 * count)
      v = v &* 10 &+ (v >> 8)
      let low = (v & mask) &* scaleLow
      let high = ((v >> 16) & mask) &* scaleHigh
      v = (low &+ high) >> 32
      mantissa = mantissa &* digitScales[count] &+ v
      p += count
      if count < 8 { return }
    }
    while p < end {
      let digit = p.pointee &- UInt8(ascii: "0")
      if digit > 9 { return }
      mantissa = mantissa &* 10 &+ UInt64(digit)
      p += 1
    }
  }

  /// `mantissa × 10^exponent` correctly rounded, when that can be had from one rounding.
  @inline(__always)
  private static func exactValue(_ mantissa: UInt64, _ exponent: Int) -> Double? {
    // Clinger's fast path: both operands exact, so the one IEEE operation rounds correctly.
    if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
      let m = Double(mantissa)
      return exponent >= 0 ? m * exactPowers[exponent] : m / exactPowers[-exponent]
    }
    #if (arch(i386) || arch(x86_64)) && !(os(Windows) || os(Android))
      // Up to 19 digits: one rounding to Float80's 64-bit significand, then one to Double's 53.
      // The second can only go wrong when the first landed exactly on a halfway point between
      // two doubles (any such point is a Float80 value, so it would have been the nearest):
      // those rare cases go to the slow path.
      if exponent >= -27 && exponent <= 27 && mantissa <= UInt64(Int64.max) {
        let m = Float80(Int64(mantissa))
        let y = exponent >= 0 ? m * extendedPowers[exponent] : m / extendedPowers[-exponent]
        if y.significandBitPattern & 0x7FF != 0x400 { return Double(y) }
      }
    #endif
    return nil
  }

  /// `Double(String)` on the bytes, which are a syntactically valid decimal by now.
  @inline(never)
  private static func slowValue(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>)
    -> Double
  {
    let text = String(
      decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
    return Double(text) ?? .nan  // cannot fail: the syntax was checked above
  }

  /// The meaning of a whole field, surrounding blanks ignored.
  enum Field: Equatable {
    case number(Double)
    /// Empty, or one of pandas' default missing-value spellings.
    case missing
    /// Anything else.
    case text
  }

  /// Classifies a whole field: a number (also `inf`/`infinity` in any case, signed, as pandas
  /// reads them), a missing value, or text. Spaces and tabs around it are padding, except the
  /// delimiter (a tab is data in a tab-separated file).
  static func parseField(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Field {
    guard var lo = bytes.baseAddress, !bytes.isEmpty else { return .missing }
    var hi = lo + bytes.count
    func blank(_ byte: UInt8) -> Bool { (byte == 0x20 || byte == 0x09) && byte != delimiter }
    while lo < hi && blank(lo.pointee) { lo += 1 }
    while hi > lo && blank((hi - 1).pointee) { hi -= 1 }
    if lo == hi { return .missing }
    if hi - lo <= 9 {
      let word = UnsafeBufferPointer(start: lo, count: hi - lo)
      if missingTokens.contains(where: { $0.elementsEqual(word) }) { return .missing }
      if let infinity = infinityValue(word) { return .number(infinity) }
    }
    if let (value, next) = parsePrefix(lo, hi), next == hi { return .number(value) }
    return .text
  }

  /// pandas' default `na_values`, which read as missing (NaN) in `pandas.read_csv`.
  static let missingTokens: [[UInt8]] = [
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
    "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
  ].map { Array($0.utf8) }

  /// ±infinity for `inf`, `+inf`, `-inf`, `infinity`… in any letter case (pandas' spellings).
  private static func infinityValue(_ word: UnsafeBufferPointer<UInt8>) -> Double? {
    var letters = word[...]
    var sign = 1.0
    if let first = letters.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
      sign = first == UInt8(ascii: "-") ? -1 : 1
      letters = letters.dropFirst()
    }
    let lower = letters.map { $0 | 0x20 }
    guard lower.elementsEqual("inf".utf8) || lower.elementsEqual("infinity".utf8) else {
      return nil
    }
    return sign * .infinity
  }
}
