import Foundation
import Testing

@testable import Descent

/// Reads CSV text as the file "t.csv".
func csvTable(_ text: String, delimiter: Character = ",", missing: MissingValuePolicy = .error)
  throws -> CSVTable
{
  try CSVReader.read(
    string: text, name: "t.csv", delimiter: delimiter.asciiValue!, missing: missing)
}

/// The bits of each value, so that -0.0 and 0.0 (and NaN payloads) count as different.
func csvBits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

/// A small seeded generator, so that a failing random case can be run again.
struct CSVTestRandom: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("CSV: parsing")
struct CSVParsingTests {
  @Test func readsHeaderAndRows() throws {
    let table = try csvTable("a,b,c\n1,2,3\n4,5,6\n")
    #expect(table.columns == ["a", "b", "c"])
    #expect(table.rowCount == 2)
    #expect(try table.column("b") == [2, 5])
    #expect(table.numericColumns == ["a", "b", "c"])
    #expect(table.file == "t.csv")
  }

  @Test func quotedFieldsAndEscapedQuotes() throws {
    let table = try csvTable(
      "\"x\",\"name, full\",y\n\"1.5\",\"say \"\"hi\"\"\",2\n3,\"a,b\",\"4\"\n5,\"\",6\n")
    #expect(table.columns == ["x", "name, full", "y"])
    #expect(try table.column("x") == [1.5, 3, 5])
    #expect(try table.column("y") == [2, 4, 6])
    #expect(try table.strings("name, full") == ["say \"hi\"", "a,b", ""])
    #expect(try table.isNumeric("name, full") == false)
  }

  @Test func quotedLineBreaksAreDataAndMoveTheLineCount() throws {
    let table = try csvTable("id,note\n1,\"two\nlines\"\n2,\"three\r\nlines\rhere\"\n3,plain\n")
    #expect(try table.strings("note") == ["two\nlines", "three\r\nlines\rhere", "plain"])
    #expect(table.rowCount == 3)
    #expect([0, 1, 2].map(table.line(ofRow:)) == [2, 4, 7])
    // An error after the quoted lines names the physical line.
    #expect(throws: CSVError.self) { try csvTable("id,note\n1,\"a\nb\"\n2,x,y\n") }
    do {
      _ = try csvTable("id,note\n1,\"a\nb\"\n2,x,y\n")
    } catch let error as CSVError {
      #expect(error.kind == .raggedRow)
      #expect(error.line == 4)
    }
  }

  @Test func lineEndingsBOMAndBlankLines() throws {
    let expected: [Double] = [1, 3]
    for text in [
      "a,b\r\n1,2\r\n3,4\r\n", "a,b\r1,2\r3,4\r", "a,b\n1,2\n3,4", "\u{FEFF}a,b\n1,2\n3,4\n",
      "a,b\n\n1,2\n\r\n3,4\n\n\n", "\n\na,b\n1,2\n3,4\n",
    ] {
      let table = try csvTable(text)
      #expect(table.columns == ["a", "b"], "\(text.debugDescription)")
      #expect(try table.column("a") == expected, "\(text.debugDescription)")
    }
    // Blank lines are skipped, but rows still know their physical lines.
    let table = try csvTable("a,b\n\n1,2\n\n\n3,4\n")
    #expect([0, 1].map(table.line(ofRow:)) == [3, 6])
    #expect(try csvTable("a\n1\n2\n").line(ofRow: 1) == 3)
  }

  @Test func blanksAroundNumbersAreIgnoredButTextIsKept() throws {
    let table = try csvTable("a,b,c\n 1.5 ,\t-2\t, x \n3,4, y\n")
    #expect(try table.column("a") == [1.5, 3])
    #expect(try table.column("b") == [-2, 4])
    #expect(try table.strings("c") == [" x ", " y"])
    // A tab is data in a tab-separated file: the empty field between two tabs is missing.
    let tsv = try csvTable("a\tb\n1\t\n 2 \t3\n", delimiter: "\t", missing: .fill(-1))
    #expect(try tsv.column("a") == [1, 2])
    #expect(try tsv.column("b") == [-1, 3])
  }

  @Test func otherDelimiters() throws {
    let table = try csvTable("a;b\n1,5;2\n", delimiter: ";")
    #expect(try table.strings("a") == ["1,5"])  // a decimal comma is text
    #expect(try table.column("b") == [2])
  }

  @Test(arguments: [
    "0", "-0", "+0", "1e-3", "1E+3", ".5", "5.", "+3", "-.25", "007", "00.000", "0.1", "3.14159",
    "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308", "1e400", "-1e400", "1e-400",
    "123456789012345678901234567890", "0.000000000000000000000000000001234", "9007199254740993",
    "18014398509481985", "1e22", "1e23", "8.98846567431158e307", "12345678901234567890e-10",
    "1.00000000000000011102230246251565404236316680908203125", "0e999999999999",
  ])
  func numbersMatchSwiftsParsing(text: String) throws {
    let table = try csvTable("v\n\(text)\n")
    let expected = try #require(Double(text))
    #expect(csvBits(try table.column("v")) == csvBits([expected]))
  }

  @Test func infinityAsPandasSpellsIt() throws {
    let table = try csvTable("v\ninf\n-inf\n+inf\nInf\nINFINITY\n-Infinity\n")
    #expect(
      try table.column("v") == [.infinity, -.infinity, .infinity, .infinity, .infinity, -.infinity])
  }

  @Test func textThatLooksAlmostNumeric() throws {
    for text in [
      "1e", "1e+", "-", ".", "1.2.3", "0x10", "1_000", "1,5", "12abc", "NAN", "infinit", "1 2",
      "nan0",
    ] {
      let table = try csvTable("v\n\"\(text)\"\n")
      #expect(try table.isNumeric("v") == false, "\(text)")
    }
  }

  @Test func missingSpellingsArePandasDefaults() throws {
    let spellings = [
      "", "NA", "NaN", "nan", "-nan", "null", "NULL", "None", "N/A", "n/a", "#N/A", "<NA>", " NA ",
    ]
    let text = "v,w\n" + spellings.map { "\"\($0)\",1" }.joined(separator: "\n") + "\n7,1\n"
    let table = try csvTable(text)
    #expect(try table.missingCount("v") == spellings.count)
    #expect(try table.column("v", missing: .skipRow) == [7])
  }

  @Test func lateTextColumnKeepsEveryFieldAsWritten() throws {
    // Numeric for three rows, then text: the earlier fields must come back as written.
    let table = try csvTable("id,x\n001,1\n1.50,2\n,3\nA17,4\n\"q\"\"\",5\n")
    #expect(try table.isNumeric("id") == false)
    #expect(try table.strings("id") == ["001", "1.50", "", "A17", "q\""])
    #expect(try table.column("x") == [1, 2, 3, 4, 5])
    // A numeric column's text is Swift's form of each number.
    #expect(try table.strings("x") == ["1.0", "2.0", "3.0", "4.0", "5.0"])
  }

  @Test func emptyHeaderNamesBecomeUnnamed() throws {
    let table = try csvTable(",a,\n0,1,2\n")
    #expect(table.columns == ["Unnamed: 0", "a", "Unnamed: 2"])
  }

  @Test func longLinesAndWideRows() throws {
    let width = 20_000
    let header = (0..<width).map { "c\($0)" }.joined(separator: ",")
    let row = (0..<width).map { String($0) }.joined(separator: ",")
    let table = try csvTable(header + "\n" + row + "\n" + row)
    #expect(table.rowCount == 2)
    #expect(try table.column("c19999") == [19999, 19999])
    let long = String(repeating: "abc ", count: 500_000)
    let text = try csvTable("a,b\n\"\(long)\",1\n")
    #expect(try text.strings("a")[0].utf8.count == long.utf8.count)
  }
}

@Suite("CSV: numbers round-trip exactly")
struct CSVRoundTripTests {
  /// A double drawn from the whole range: every magnitude, subnormals, integers, zeros.
  static func randomDouble(_ generator: inout CSVTestRandom) -> Double {
    switch generator.next() % 8 {
    case 0:
      return Double(
        bitPattern: generator.next() & ~(0x7FF << 52)
          | (UInt64.random(in: 0...0x7FE, using: &generator) << 52))
    case 1: return Double(Int64.random(in: -1_000_000...1_000_000, using: &generator))
    case 2: return Double.random(in: -1...1, using: &generator)
    case 3: return Double(bitPattern: generator.next() % (1 << 52))  // subnormal
    case 4:
      return [0.0, -0.0, 1, -1, .greatestFiniteMagnitude, .leastNonzeroMagnitude][
        Int(generator.next() % 6)]
    case 5: return (Double.random(in: -1000...1000, using: &generator) * 1000).rounded() / 1000
    default:
      return Double.random(in: -1e6...1e6, using: &generator)
        * pow(10, Double(Int.random(in: -30...30, using: &generator)))
    }
  }

  @Test(arguments: [1, 2, 3, 4])
  func randomTablesWrittenBySwiftReadBackExactly(seed: UInt64) throws {
    var generator = CSVTestRandom(state: seed)
    let columns = Int.random(in: 1...6, using: &generator)
    let rows = 2000
    var truth = [[Double]](repeating: [], count: columns)
    var lines = [(0..<columns).map { "c\($0)" }.joined(separator: ",")]
    for _ in 0..<rows {
      var fields = [String]()
      for j in 0..<columns {
        let value = Self.randomDouble(&generator)
        truth[j].append(value)
        // Swift's shortest round-trip form, sometimes quoted or padded, as other writers do.
        switch generator.next() % 6 {
        case 0: fields.append("\"\(value)\"")
        case 1: fields.append(" \(value) ")
        default: fields.append("\(value)")
        }
      }
      lines.append(fields.joined(separator: ","))
    }
    let table = try csvTable(lines.joined(separator: generator.next() % 2 == 0 ? "\n" : "\r\n"))
    for j in 0..<columns {
      #expect(csvBits(try table.column("c\(j)")) == csvBits(truth[j]))
    }
    let matrix = try table.tensor(columns: table.columns, dtype: .float64)
    #expect(matrix.shape == [rows, columns])
    #expect(
      csvBits(matrix.toDoubles())
        == csvBits((0..<rows).flatMap { r in (0..<columns).map { truth[$0][r] } }))
  }

  /// Random decimal spellings (many digits, far exponents) parse to the same bits as
  /// `Double(String)`: the fast paths never give a differently rounded value.
  @Test func randomDecimalsMatchDoubleOfString() throws {
    var generator = CSVTestRandom(state: 42)
    var texts = [String]()
    for _ in 0..<60_000 {
      let digitCount = Int.random(in: 1...24, using: &generator)
      var digits = String(
        (0..<digitCount).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
      if generator.next() % 2 == 0 {
        let point = Int.random(in: 0...digitCount, using: &generator)
        digits.insert(".", at: digits.index(digits.startIndex, offsetBy: point))
        if digits == "." { digits = "0." }
      }
      if generator.next() % 3 == 0 { digits += "e\(Int.random(in: -330...310, using: &generator))" }
      if generator.next() % 4 == 0 { digits = "-" + digits }
      texts.append(digits)
    }
    // Exact midpoints between neighbouring doubles in [2^53, 2^64), and their neighbours: the
    // cases a double rounding would get wrong.
    for _ in 0..<5000 {
      let value = Double(UInt64.random(in: 1 << 53...UInt64(Int64.max) / 2, using: &generator))
      let midpoint = UInt64(value) + UInt64(value.ulp) / 2
      texts += [String(midpoint), String(midpoint - 1), String(midpoint + 1)]
      texts += ["\(midpoint)e-5", "\(midpoint / 10).\(midpoint % 10)"]
    }
    let table = try csvTable("v\n" + texts.joined(separator: "\n") + "\n")
    let parsed = try table.column("v")
    var mismatches = [String]()
    for (text, value) in zip(texts, parsed) where Double(text)!.bitPattern != value.bitPattern {
      mismatches.append("\(text): \(value) vs \(Double(text)!)")
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
  }
}
