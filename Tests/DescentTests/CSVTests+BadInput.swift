import Foundation
import Testing

@testable import Descent

/// The error reading `bytes` as "t.csv" throws.
func csvReadError(_ bytes: [UInt8]) -> CSVError? {
  csvError { try CSVReader.read(data: Data(bytes), name: "t.csv") }
}

func csvReadError(_ text: String) -> CSVError? { csvReadError(Array(text.utf8)) }

@Suite("CSV: bad input gives a clear error")
struct CSVBadInputTests {
  @Test func missingFileNamesThePath() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "no-such-\(UUID().uuidString).csv"
    ).path
    let error = try #require(csvError { try CSVReader.read(URL(fileURLWithPath: path)) })
    #expect(error.kind == .fileNotFound && error.file == path)
    #expect(error.description.contains(path) && error.description.contains("no such file"))
    let directory = try #require(
      csvError { try CSVReader.read(FileManager.default.temporaryDirectory) })
    #expect(directory.kind == .io && directory.description.contains("directory"))
    let remote = try #require(
      csvError { try CSVReader.read(URL(string: "https://example.com/a.csv")!) })
    #expect(remote.kind == .io && remote.file == "https://example.com/a.csv")
  }

  @Test func emptyFiles() throws {
    for bytes: [UInt8] in [[], [0xEF, 0xBB, 0xBF], Array("\n\r\n\n".utf8)] {
      let error = try #require(csvReadError(bytes))
      #expect(error.kind == .emptyFile && error.description.contains("\"t.csv\""))
    }
  }

  @Test func raggedRows() throws {
    let more = try #require(csvReadError("a,b\n1,2\n3,4,5,6\n7,8\n"))
    #expect(more.kind == .raggedRow && more.line == 3)
    #expect(more.description.contains("the row has 4 fields but the header has 2"))
    let fewer = try #require(csvReadError("a,b,c\n1,2,3\n\n4,5\n"))
    #expect(fewer.kind == .raggedRow && fewer.line == 4)
    #expect(fewer.description.contains("the row has 2 fields but the header has 3"))
    let lastLine = try #require(csvReadError("a,b\n1,2\n3"))
    #expect(lastLine.line == 3 && lastLine.message.hasPrefix("the row has 1 field but"))
  }

  @Test func nonNumericFieldIsNamedAndLongTextShortened() throws {
    let table = try csvTable("x,y\n1,2\n3,oops\n")
    let error = try #require(csvError { try table.column("y") })
    #expect(
      error.kind == .nonNumeric && error.line == 3 && error.column == "y" && error.text == "oops")
    let huge = String(repeating: "z", count: 1_000_000)
    let long = try csvTable("x\n\(huge)\n")
    let longError = try #require(csvError { try long.column("x") })
    #expect(
      longError.text == String(repeating: "z", count: CSVError.maxQuotedLength)
        + "… (1000000 bytes)")
    #expect(longError.description.count < 400)
  }

  @Test func unknownColumnListsTheNames() throws {
    let table = try csvTable("alpha, beta,gamma\n1,2,3\n")
    let error = try #require(csvError { try table.column("delta") })
    #expect(error.kind == .unknownColumn && error.column == "delta")
    #expect(error.description.contains("The columns are: \"alpha\", \" beta\", \"gamma\""))
    let near = try #require(csvError { try table.tensor(columns: ["alpha", "Beta"]) })
    #expect(near.description.contains("did you mean \" beta\"?"))
  }

  @Test func duplicateHeaderNames() throws {
    let error = try #require(csvReadError("a,b,a\n1,2,3\n"))
    #expect(error.kind == .duplicateColumn && error.line == 1)
    #expect(error.description.contains("columns 1 and 3 are both named \"a\""))
  }

  @Test func unterminatedQuoteNamesTheLineItStarted() throws {
    let error = try #require(csvReadError("a,b\n1,2\n3,\"open\n4,5\n6,7\n"))
    #expect(error.kind == .unterminatedQuote && error.line == 3 && error.column == "b")
    let header = try #require(csvReadError("\"a,b\n1,2\n"))
    #expect(header.kind == .unterminatedQuote && header.line == 1)
    let after = try #require(csvReadError("a,b\n\"1\"x,2\n"))
    #expect(after.kind == .textAfterQuote && after.line == 2 && after.description.contains("x"))
  }

  @Test func invalidUTF8AndWideEncodings() throws {
    let header = try #require(csvReadError([0x61, 0x2C, 0xC3, 0x28, 0x0A, 0x31, 0x2C, 0x32]))
    #expect(header.kind == .invalidUTF8 && header.line == 1)
    #expect(header.description.contains("column 2 is not valid UTF-8"))
    let utf16 = Array("a,b\n1,2\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    #expect(csvReadError([0xFF, 0xFE] + utf16)?.kind == .invalidUTF8)
    let noMark = try #require(csvReadError(utf16))
    #expect(noMark.kind == .nulByte && noMark.description.contains("UTF-16"))
    // Invalid UTF-8 in a text field is kept, shown as U+FFFD.
    let table = try CSVReader.read(data: Data([0x61, 0x0A, 0xFF, 0x0A]), name: "t.csv")
    #expect(try table.strings("a") == ["\u{FFFD}"])
  }

  @Test func nulBytes() throws {
    for text in ["a,b\n1,2\n3,4\0\n", "a,b\n1,2\n3,\"4\0\"\n", "a,b\n1,2\n3,x\0\n"] {
      let error = try #require(csvReadError(text))
      #expect(
        error.kind == .nulByte && error.line == 3 && error.column == "b", "\(text.debugDescription)"
      )
    }
  }

  /// Random damage to a valid file gives a table or a CSVError: never a crash or a hang.
  @Test func mutatedFilesNeverCrash() throws {
    let valid = Array("id,x,\"y \"\"q\"\"\"\r\n1,2.5,\"a,b\"\n2,-3e4,\"c\nd\"\n3,NA,e\n".utf8)
    let alphabet: [UInt8] = Array(",\"\n\r0123456789.e-+ aN\t".utf8) + [0, 0xFF, 0xC3]
    var generator = CSVTestRandom(state: 7)
    for _ in 0..<3000 {
      var bytes = valid
      for _ in 0..<Int.random(in: 1...4, using: &generator) {
        let position = Int.random(in: 0...bytes.count, using: &generator)
        switch generator.next() % 3 {
        case 0: bytes.insert(alphabet.randomElement(using: &generator)!, at: position)
        case 1: if position < bytes.count { bytes.remove(at: position) }
        default:
          if position < bytes.count { bytes[position] = alphabet.randomElement(using: &generator)! }
        }
      }
      do {
        let table = try CSVReader.read(data: Data(bytes), name: "fuzz.csv")
        for name in table.columns {
          _ = try? table.column(name, missing: .fillMean)
          _ = try table.strings(name)
        }
      } catch let error as CSVError {
        #expect(error.file == "fuzz.csv")
      }
    }
  }
}
