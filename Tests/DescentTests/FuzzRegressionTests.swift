import Foundation
import Testing

@testable import Descent

/// An input kept from fuzzing the readers with libFuzzer (`Fuzz/`, see `Fuzz/README.md`).
struct FuzzInput: Sendable, CustomTestStringConvertible {
  /// What the input exercises.
  let name: String
  let base64: String
  var bytes: Data { Data(base64Encoded: base64)! }
  var testDescription: String { name }

  init(_ name: String, _ base64: String) {
    self.name = name
    self.base64 = base64
  }
}

/// Inputs the fuzzers produced (small corpus entries that reached deep code, some minimised while
/// keeping their outcome) replayed with the fuzz targets' invariants: a reader either succeeds or
/// throws its typed error, never anything else, and what it returns is consistent. Last, the
/// bugs found while writing the targets, now fixed.
@Suite struct FuzzRegressionTests {
  // MARK: Safetensors

  static let safetensorsInputs: [FuzzInput] = [
    .init(
      "an empty header between tabs and line breaks",
      "HAAAAAAAAAAJCQkJCQkJCQkJCQkJe30JCQkKCgkJCQkJCQoN"),
    .init(
      "F16 widened to float32: infinity, NaN payloads, negative zero, metadata",
      "cAAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiI9dCIsImVwb2NoIjoiMTIifSwid2VpZ2h0Ijp7ImR0eXBlIjoiRjE2Iiwic2hhcGUiOlsyLDZdLCJkYXRhX29mZnNldHMiOlswLDI0XSAgIH0gIH0gAACAPwAAIH8AAIDAAADAfwAAAAAAAACA"
    ),
    .init(
      "fourteen tensors of every readable dtype, one F64 turned I64",
      "KAMAAAAAAAB7Imk2NCI6eyJkdHlwZSI6Ikk2NCIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzAsMTZdfSwiZjY0Ijp7ImR0eXBlIjoiVTY0Iiwic2hhcGUiOltdLCJkYXRhX29mZnNldHMiOlsxNiwyNF19LCIwNjQiOnsiZHR5cGUiOiJVNjQiLCJzaGFwZSI6WzFdLCJkYXRhX29mZnNldHMiOlsyNCwzMl19LCJmMzIiOnsiZHR5cGUiOiJJMzIiLCJzaGFwZSI6WzEsMV0sImRhdGFfb2Zmc2V0cyI6WzMyLDM2XX0sImkzMiI6eyJkdHlwZSI6IkkzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzM2LDQ0XX0sInUzMiI6eyJkdHlwZSI6IlUzMiIsInNoYXBlIjpbMV0sImRhdGFfb2Zmc2V0cyI6WzQ0LDQ4XX0sImYxNiI6eyJkdHlwZSI6IkYxNiIsInNoYXBlIjpbNF0sImRhdGFfb2Zmc2V0cyI6WzQ4LDU2XX0sImJmMTYiOnsiZHR5cGUiOiJCRjE2Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNTYsNjBdfSwiaTE2Ijp7ImR0eXBlIjoiSTE2Iiwic2hhcGUiOlsxXSwiZGF0YV9vZmZzZXRzIjpbNjAsNjJdfSwidTE2Ijp7ImR0eXBlIjoiVTE2Iiwic2hhcGUiOlsxXSwiZGF0YV9vZmZzZXRzIjpbNjIsNjRdfSwiYm9vbCI6eyJkdHlwZSI6IkJPT0wiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOls2NCw2N119LCJ1MCI6eyJkdHlwZSI6IlU4Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNjcsNjldfSwiaTgiOnsiZHR5cGUiOiJJOCIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzY5LDcxXX0sImVtcHR5Ijp7ImR0eXBlIjoiRjE2Iiwic2hhcGUiOlswLDNdLCJkYXRhX29mZnNldHMiOls3MSw3MV19fSAgICAg//////////8AAAAAAAAAQBgtRFT7IQlABwAAAAAAAAAAAMA/+f9kXHVkZTAwXG4iIDogeyJleHRyYToAAAAAAAAAAQD/gH8="
    ),
    .init(
      "invalid UTF-8 after escapes and a surrogate pair in a key",
      "OgAAAAAAAAB7ICJfX21ldGFkXCJ4XCLhOjo6Ojo6Ojo6Ojo6OjqXOjo6Ojo6OiBcdWQ4M2RcdWRlMDBcbiIgOiAF"),
    .init(
      "a shape element with an exponent",
      "cAAAAAAAAAB7ImEiOnsiZHR5cGUiOiJVOCIsInNoYXBlIjpbOTIyMTAzNTIzODZlNDdKNTgwOGZcdSJkYXT/////////////////////////AIBPYmplY3QAgH8AAMB//////////+j///////////////////8A"
    ),
    .init("minimised: trailing bytes after an empty header", "AgAAAAAAAAB7fQk="),
    .init(
      "minimised: a repeated tensor name",
      "RAAAAAAAAAB7ImYzMiI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMSwxXSwiZGF0YV9vZmZzZXRzIjpbMiwzMl19LCJmMzIiOjJwOg=="
    ),
    .init("minimised: a header that is a string of invalid UTF-8", "BAAAAAAAAAAi4SIg"),
    .init(
      "an out-of-range value among fourteen tensors",
      "KAMAAAAAAAB7Imk2NCI6eyJkdHlwZSI6Ikk2NCIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzAsMTZdfSwiZjY0Ijp7ImR0eXBlIjoiRjY0Iiwic2hhcGUiOltdLCJkYXRhX29mZnNldHMiOlsxNiwyNF19LCJ1NjQiOnsiZHR5cGUiOiJVNjQiLCJzaGFwZSI6WzFdLCJkYXRhX29mZnNldHMiOlsyNCwzMl19LCJmMzIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzEsMV0sImRhdGFfb2Zmc2V0cyI6WzMyLDM2XX0sImkzMiI6eyJkdHlwZSI6IkkzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzM2LDQ0XX0sInUzMiI6eyJkdHlwZSI6IlUzMiIsInNoYXBlIjpbMV0sImRhdGFfb2Zmc2V0cyI6WzQ0LDQ4XX0sImY2MSI6eyJkdHlwZSI6IkYxNiIsInNoYXBlIjpbNF0sImRhdGFfb2Zmc2V0cyI6WzQ4LDU2XX0sImJmMTYiOnsiZHR5cGUiOiJCRjE2Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNTYsNjBdfSwiaTE2Ijp7ImR0eXBlIjoiSTE2Iiwic2hhcGUiOlsxXSwiZGF0YV9vZmZzZXRzIjpbNjAsNjJdfSwidTE2Ijp7ImR0eXBlIjoiVTE2Iiwic2hhcGUiOlsxXSwiZGF0YV9vZmZzZXRzIjpbNjIsNjRdfSwiYm9vbCI6eyJkdHlwZSI6IkJPT0wiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOls2NCw2N119LCJ1OCI6eyJkdHlwZSI6IlU4Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNjcsNjldfSwiaTgiOnsiZHR5cGUiOiJJOCIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzY5LDcxXX0sImVtcHR5Ijp7ImR0eXBlIjoiRjY0Iiwic2hhcGUiOlswLDNdLCJkYXRhX29mZnNldHMiOls3MSw3MV19fSAgICAg//////////8AAAAAAAAAQBgtRFT7IQlABwAAAAAAAAAAAMA/+f///////0Nsb3NlDwAAAAAAAAAsImVtcID//xgAAQD/gH8="
    ),
    .init(
      "overlapping byte ranges among fourteen tensors",
      "KAMAAAAAAAB7Imk2NCI6eyJkdHlwZSI6Ikk2NCIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzAsMTZdfSwiZjY0Ijp7ImR0eXBlIjoiRjY0Iiwic2hhcGUiOltdLCJkYXRhX29mZnNldHMiOlsxNiwyNF19LCJ1NjQiOnsiZHR5cGUiOiJVNjQiLCJzaGFwZSI6WzFdLCJkYXRhX29mZnNldHMiOlsyNCwzMl19LCJmMzIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzEsMV0sImRhdGFfb2Zmc2V0cyI6WzMyLDM2XX0sImkzMiI6eyJkdHlwZSI6IkkzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzM2LDQ0XX0sInUzMiI6eyJkdHlwZSI6IlUzMiIsInNoYXBlIjpbMV0sImRhdGFfb2Zmc2V0cyI6WzQ0LDQ4XX0sImYxNiI6eyJkdHlwZSI6IkYxNiIsInNoYXBlIjpbNF0sImRhdGFfb2Zmc2V0cyI6WzQ4LDU2XX0sImJmMTYiOnsiZHR5cGUiOiJCRjE2Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNTYsNjBdfSwiaTE2Ijp7ImR0eXBlIjoiSTE2Iiwic2hhcGUiOlsxXSwiZGF0YV9vZmZzZXRzIjpbNjAsNjJdfSwidTE2Ijp7ImR0eXBlIjoiVTE2Iiwic2hhcGUiOlsxXSwiZGF0YV9vZmZzZXRzIjpbNjIsNjRdfSwiYm9vbCI6eyJkdHlwZSI6IkJPT0wiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOls2NCw2N119LCJ1OCI6eyJkdHlwZSI6IlU4Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNjcsNjldfSwiaTgiOnsiZHR5cGUiOiJJOCIsInNoYXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6WzY0LDY3XX0sImVtcHR4Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlswLDNdLCJkYXRhX29mZnNldHMiOls3MSw3MV19fSAgICAg//////////8AAAAAAAAAQBgtRFT7IQlABwAAAAAAAAAAAMA/+f///////3//////ADwAfAF+AQCAP4H/AID//wBkAQD/gH8="
    ),
    .init(
      "a gap in the data among fourteen tensors",
      "OgAAAAAAAAB7IjY0Ijp7ImR0eXBlIjoiSTgiLCJzaGFwZSI6WzAsM10sImRhdGFfb2Zmc2V0cyI6WzcxLDcxXX19ICBmc3MAZmZzcwBmQ2gA/19vZmZhcmFjdGX/X3MBAGZmc3MAZmZzAAAAAAD/X29mZnNDaGFyYWN0Zf9fcwEAZmZzcwBmZnM="
    ),
  ]

  @Test(arguments: safetensorsInputs)
  func safetensorsDecodeSucceedsOrThrowsItsErrorAndRoundTrips(_ input: FuzzInput) throws {
    let bytes = input.bytes
    let decoded: (tensors: StateDict, metadata: [String: String])
    do {
      decoded = try Safetensors.decode(bytes)
    } catch let error as SafetensorsError {
      #expect(error.byteOffset.map { (0...bytes.count).contains($0) } ?? true, "\(error)")
      #expect(error.path == nil)
      let again = #expect(throws: SafetensorsError.self) {
        try bytes.withUnsafeBytes { try Safetensors.decode($0) }
      }
      #expect(again == error)
      return
    } catch {
      Issue.record("decode threw \(type(of: error)), not SafetensorsError: \(error)")
      return
    }
    // Memory for at most one element per input byte.
    #expect(decoded.tensors.reduce(0) { $0 + $1.value.count } <= bytes.count)
    let encoded = try Safetensors.encode(decoded.tensors, metadata: decoded.metadata)
    let again = try Safetensors.decode(encoded)
    #expect(again.metadata == decoded.metadata)
    #expect(Set(again.tensors.keys) == Set(decoded.tensors.keys))
    for (name, x) in decoded.tensors {
      let y = try #require(again.tensors[name])
      #expect(x.dtype == y.dtype && x.shape == y.shape, "\(name)")
      #expect(Self.bits(x) == Self.bits(y), "\(name)")
    }
    #expect(try Safetensors.encode(again.tensors, metadata: again.metadata) == encoded)
  }

  /// A tensor's values as bit patterns, every NaN alike.
  static func bits(_ tensor: Tensor) -> [UInt64] {
    switch tensor.dtype {
    case .float32:
      return tensor.toArray(as: Float.self).map { $0.isNaN ? 1 << 63 : UInt64($0.bitPattern) }
    case .float64: return tensor.toArray(as: Double.self).map { $0.isNaN ? 1 << 63 : $0.bitPattern }
    case .int64: return tensor.toArray(as: Int64.self).map { UInt64(bitPattern: $0) }
    case .bool: return tensor.toArray(as: Bool.self).map { $0 ? 1 : 0 }
    }
  }

  // MARK: CSV

  static let csvInputs: [FuzzInput] = [
    .init("a 19-digit number above Int64.max (slow path)", "awo5ODEzNDU2Nzg5MDEyNTY3NTg5"),
    .init("a 17-digit number (Float80 path)", "TnFOCjEwMTA3MTk3MTk5MjU0NzQw"),
    .init("unnamed columns, exponents past the exact powers", "LAoyZTQwLDFlOTY="),
    .init("a zero mantissa with a huge exponent", "LgouMDBlMzI0MA=="),
    .init(
      "BOM, escaped quotes, an empty quoted field, gaps",
      "77u/aWQsIm5lIixlCjEsIiIsMwoyLCIiLAoxLCJzIiIiLAozLCIiLA=="),
    .init("a quote inside a header name, an escaped quote across lines", "aSIsCjIsIiIiCiI="),
    .init("tabs as padding or as delimiter, a lone CR", "CQ0J"),
    .init("a UTF-8 header, CRLF, the #N/A spelling", "Q3POh04NCiNOL0E="),
    .init(
      "eighteen tab-separated columns, ragged with commas",
      "YQliLwkJCQkJCQkJCTAJCQkJCQkJCgkJCQkJCQljCQkJCQkJCQktCQkyCgpkCfRpCQkJ/wkJCQn3CccJ9gn2LHkkCQllLf/WrObmCQkJ5ubm5uYJ5tYwLAo="
    ),
    .init("an unnamed column, -Infinity", "LAosLUluZmluaXR5"),
    .init("three numeric columns, one with a gap", "Ciw4MywNDTEsMiwzDTQsNSwNNCw1LDYN"),
    .init("a column turning to text after blank lines (second pass)", "MQo4CgoKCgpB"),
  ]

  @Test(arguments: csvInputs)
  func csvReadSucceedsOrThrowsItsErrorAndSelectionsAgree(_ input: FuzzInput) throws {
    for delimiter in [UInt8(ascii: ","), UInt8(ascii: "\t")] {
      let table: CSVTable
      do {
        table = try CSVReader.read(data: input.bytes, name: "fuzz.csv", delimiter: delimiter)
      } catch let error as CSVError {
        #expect(error.file == "fuzz.csv")
        #expect(error.line.map { $0 >= 1 } ?? true)
        continue
      } catch {
        Issue.record("read threw \(type(of: error)), not CSVError: \(error)")
        continue
      }
      try Self.checkTable(table)
    }
  }

  /// The consistency the fuzz target checks, short of its reference parser.
  static func checkTable(_ table: CSVTable) throws {
    let rows = table.rowCount
    #expect(!table.columns.isEmpty && Set(table.columns).count == table.columns.count)
    for row in 0..<rows where row > 0 {
      #expect(table.line(ofRow: row) > table.line(ofRow: row - 1))
    }
    for column in table.columns {
      #expect(try table.strings(column).count == rows)
      if try !table.isNumeric(column) {
        let error = #expect(throws: CSVError.self) { try table.tensor(column: column) }
        #expect(error?.kind == .nonNumeric)
      }
    }
    let numeric = table.numericColumns
    guard !numeric.isEmpty else { return }
    let filled = try table.tensor(columns: numeric, dtype: .float64, missing: .fill(0))
    #expect(filled.shape == [rows, numeric.count])
    #expect(!filled.toArray(as: Double.self).contains { $0.isNaN })
    let skipped = try table.tensor(columns: numeric, dtype: .float32, missing: .skipRow)
    #expect(skipped.shape[0] <= rows && skipped.shape[1] == numeric.count)
    #expect(!skipped.toArray(as: Float.self).contains { $0.isNaN })
    if skipped.shape[0] < rows {
      let error = #expect(throws: CSVError.self) {
        try table.tensor(columns: numeric, missing: .error)
      }
      #expect(error?.kind == .missingValue)
    } else {
      #expect(try table.tensor(columns: numeric, missing: .error).shape == [rows, numeric.count])
    }
    do {
      #expect(
        try table.tensor(columns: numeric, dtype: .int64, missing: .fill(0)).shape == [
          rows, numeric.count,
        ])
    } catch let error as CSVError {
      #expect(error.kind == .notInteger)
    }
  }

  // MARK: Bugs found while writing the fuzz targets, now fixed

  /// A shape with a zero dimension has no elements, so `SafetensorsLayout.validate` accepts it
  /// (its element count is 0, and 0 bytes match the offsets), but `Tensor(uninitializedShape:)`
  /// then computed row-major strides with `Tensor.contiguousStrides`, whose running product of
  /// the dimensions right of the zero overflowed `Int`: "Swift runtime failure: arithmetic
  /// overflow" in Tensor.swift, a trap from a file the reader promises to refuse with an error.
  /// Found by review while writing the fuzz target, which trapped on this input; the fuzzer
  /// itself did not reach it in 30 million runs:
  /// `{"a":{"dtype":"F32","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}}`.
  ///
  /// The contract is the format's: the shape's element count (0) matches its 0 bytes, so the
  /// file is valid and reads as an empty tensor of that shape, as the reference `safetensors`
  /// reader reads it (its checked product of the dimensions is 0, no overflow).
  static let hugeEmptyFile: Data = {
    let header = Array(
      #"{"a":{"dtype":"F32","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}}"#.utf8)
    return Data(withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header)
  }()

  @Test func zeroSizedTensorWithHugeDimensionsIsRead() throws {
    let (tensors, _) = try Safetensors.decode(Self.hugeEmptyFile)
    #expect(Array(tensors.keys) == ["a"])
    let tensor = try #require(tensors["a"])
    #expect(tensor.shape == [0, 4_611_686_018_427_387_904, 4])
    #expect(tensor.dtype == .float32)
    #expect(tensor.count == 0)
  }

  /// The same file, used after it is read: the fix above makes `Tensor.contiguousStrides` wrap,
  /// so decoding succeeded, but `Tensor.isContiguous` (Tensor.swift) still multiplied the same
  /// dimensions with a trapping `*=`, and `dense()` calls it, so `Safetensors.encode`,
  /// `toArray` and most ops trapped on the tensor decoded ("arithmetic overflow" in
  /// `Tensor.isContiguous`). The safetensors fuzz target's round trip trapped on this input.
  /// Contract: it encodes, decodes again to the same shape, and reads as no values.
  @Test func zeroSizedTensorWithHugeDimensionsRoundTrips() throws {
    let decoded = try Safetensors.decode(Self.hugeEmptyFile).tensors
    let again = try Safetensors.decode(try Safetensors.encode(decoded)).tensors
    #expect(Array(again.keys) == ["a"])
    #expect(again["a"]?.shape == [0, 4_611_686_018_427_387_904, 4])
    #expect(again["a"]?.toArray(as: Float.self) == [])
  }

  /// `CSVError.text` is documented as "shortened to ``CSVError/maxQuotedLength`` characters",
  /// but `CSVParser.readHeader` puts a repeated column name in it whole (and in the message), so
  /// a file with two 30 kB names gives a 30 kB `text` and a 30 kB message. Found by review while
  /// writing the CSV fuzz target, whose check that an error quotes at most 4096 bytes stops on
  /// this input (the fuzzer itself did not build two identical names that long).
  @Test func repeatedLongColumnNameIsQuotedShortened() throws {
    let name = String(repeating: "a", count: 5000)
    let error = #expect(throws: CSVError.self) {
      try CSVReader.read(string: name + "," + name + "\n1,2\n")
    }
    #expect(error?.kind == .duplicateColumn)
    #expect((error?.text?.count ?? 0) <= CSVError.maxQuotedLength + 40)
    #expect((error?.message.count ?? 0) < 1000)
  }
}
