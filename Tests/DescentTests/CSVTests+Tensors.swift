import Foundation
import Testing

@testable import Descent

/// The expected error from `body`, or a test failure.
func csvError(_ body: () throws -> Any) -> CSVError? {
  do {
    _ = try body()
    Issue.record("expected a CSVError, got a result")
  } catch let error as CSVError {
    return error
  } catch {
    Issue.record("expected a CSVError, got \(error)")
  }
  return nil
}

@Suite("CSV: missing values and tensors")
struct CSVTensorTests {
  static let gappy = "a,b,c,label\n1,2,3,0\n4,,6,1\n7,8,NA,2\n10,11,12,1\n"

  @Test func errorPolicyNamesTheFirstMissingValue() throws {
    let table = try csvTable(Self.gappy)
    let error = try #require(csvError { try table.tensor(columns: ["c", "b"]) })
    #expect(error.kind == .missingValue)
    #expect(error.line == 3 && error.column == "b" && error.file == "t.csv")
    #expect(
      error.description.hasPrefix(
        "CSV \"t.csv\", line 3, column \"b\": missing value (an empty field)"))
    let na = try #require(csvError { try table.column("c") })
    #expect(na.line == 4 && na.column == "c" && na.text == "NA")
    #expect(na.description.contains("\"NA\""))
    // Columns without gaps are fine under the same policy.
    #expect(try table.tensor(columns: ["a", "label"]).toDoubles() == [1, 0, 4, 1, 7, 2, 10, 1])
  }

  @Test func skipRowDropsRowsMissingASelectedValue() throws {
    let table = try csvTable(Self.gappy, missing: .skipRow)
    #expect(try table.tensor(columns: ["a", "b"]).toDoubles() == [1, 2, 7, 8, 10, 11])
    #expect(try table.tensor(columns: ["a", "b", "c"]).shape == [2, 3])
    #expect(try table.tensor(columns: ["a"]).shape == [4, 1])  // a has no gaps: every row stays
    let (x, y, names) = try table.trainingTensors(target: "label", targetDType: .int64)
    #expect(names == ["a", "b", "c"])
    #expect(x.toDoubles() == [1, 2, 3, 10, 11, 12])
    #expect(y.toArray(as: Int64.self) == [0, 1])
  }

  @Test func fillPolicies() throws {
    let table = try csvTable(Self.gappy)
    #expect(try table.column("b", missing: .fill(-1)) == [2, -1, 8, 11])
    #expect(try table.column("b", missing: .fillMean) == [2, 7, 8, 11])
    #expect(
      try table.tensor(columns: ["b", "c"], missing: .fillMean).toDoubles() == [
        2, 3, 7, 6, 8, 7, 11, 12,
      ])
    let empty = try csvTable("a,b\n1,\n2,NA\n")
    let error = try #require(csvError { try empty.column("b", missing: .fillMean) })
    #expect(error.kind == .missingValue && error.column == "b")
    #expect(try empty.column("b", missing: .fill(0)) == [0, 0])
  }

  @Test func dtypes() throws {
    let table = try csvTable("x,y,z\n0.1,1,2.5\n-0.0,2,3\n")
    let single = try table.tensor(columns: ["x"])
    #expect(single.dtype == .float32 && single.toFloats() == [0.1, -0.0])
    #expect(try table.tensor(columns: ["x"], dtype: .float64).toDoubles() == [0.1, 0])
    let y = try table.tensor(column: "y", dtype: .int64)
    #expect(y.shape == [2] && y.toArray(as: Int64.self) == [1, 2])
    let error = try #require(csvError { try table.tensor(column: "z", dtype: .int64) })
    #expect(error.kind == .notInteger && error.line == 2 && error.column == "z")
    #expect(csvError { try table.tensor(columns: ["x"], dtype: .bool) }?.kind == .unsupportedDType)
    let gap = try csvTable("y\n1\n\"\"\n", missing: .fill(0.5))
    #expect(csvError { try gap.tensor(column: "y", dtype: .int64) }?.kind == .notInteger)
  }

  @Test func onlySelectedColumnsMustBeNumeric() throws {
    let table = try csvTable("name,x,y\nann,1,2\nbob,3,\n")
    #expect(try table.column("x") == [1, 3])
    let error = try #require(csvError { try table.tensor(columns: ["x", "name"]) })
    #expect(error.kind == .nonNumeric)
    #expect(
      error.description
        == "CSV \"t.csv\", line 2, column \"name\": \"ann\" is not a number, so the column cannot be read as numbers (a missing value is written as an empty field or NA)"
    )
    let everyOther = try #require(
      csvError { try table.trainingTensors(target: "x", missing: .skipRow) })
    #expect(everyOther.kind == .nonNumeric && everyOther.column == "name")
    let (features, target, names) = try table.trainingTensors(
      features: ["y"], target: "x", missing: .skipRow)
    #expect(names == ["y"] && features.shape == [1, 1] && target.toDoubles() == [1])
  }

  @Test func trainingNeedsRowsAndNoLeak() throws {
    let headerOnly = try csvTable("a,b\n")
    #expect(headerOnly.rowCount == 0)
    #expect(try headerOnly.tensor(columns: ["a", "b"]).shape == [0, 2])
    let none = try #require(csvError { try headerOnly.trainingTensors(target: "b") })
    #expect(none.kind == .noRows && none.description.contains("no data rows"))
    let allGaps = try csvTable("a,b\n1,\n,2\n", missing: .skipRow)
    #expect(csvError { try allGaps.trainingTensors(target: "b") }?.kind == .noRows)
    let leak = try #require(
      csvError { try csvTable("a,b\n1,2\n").trainingTensors(features: ["a", "b"], target: "b") })
    #expect(leak.column == "b")
  }

  @Test func loadCSVFromAFile() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "descent-csv-\(UUID().uuidString).csv")
    try Data("f1,f2,t\n1,2,0\n3,4,1\n".utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let (x, y, names) = try loadCSV(url, features: ["f2", "f1"], target: "t", targetDType: .int64)
    #expect(names == ["f2", "f1"] && x.shape == [2, 2] && x.toDoubles() == [2, 1, 4, 3])
    #expect(y.dtype == .int64 && y.toArray(as: Int64.self) == [0, 1])
  }
}

@Suite("CSV: the shared data sets")
struct CSVSharedDataTests {
  /// One of the real data sets the repository ships (Tests/Fixtures/data).
  static func url(_ name: String) throws -> URL {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/data/\(name)")
    try #require(FileManager.default.fileExists(atPath: url.path), "missing \(url.path)")
    return url
  }

  @Test func iris() throws {
    let (x, y, names) = try loadCSV(
      try Self.url("iris.csv"), target: "species", targetDType: .int64)
    #expect(names == ["sepal_length", "sepal_width", "petal_length", "petal_width"])
    #expect(x.shape == [150, 4] && y.shape == [150])
    #expect(Array(x.toFloats().prefix(4)) == [5.1, 3.5, 1.4, 0.2])
    let labels = y.toArray(as: Int64.self)
    #expect(Set(labels) == [0, 1, 2] && labels.filter { $0 == 2 }.count == 50)
  }

  @Test func diabetes() throws {
    let table = try CSVReader.read(try Self.url("diabetes.csv"))
    #expect(table.rowCount == 442 && table.columns.count == 11)
    let (x, y, names) = try table.trainingTensors(target: "progression", dtype: .float64)
    #expect(names.first == "age" && names.count == 10 && x.shape == [442, 10])
    #expect(Array(x.toDoubles().prefix(10)) == [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87])
    #expect(y.toDoubles().first == 151)
  }

  @Test func digits() throws {
    let (x, y, names) = try loadCSV(
      try Self.url("digits.csv"), target: "digit", targetDType: .int64)
    #expect(x.shape == [1797, 64] && names.first == "px0" && names.last == "px63")
    #expect(x.toFloats().allSatisfy { $0 >= 0 && $0 <= 16 })
    #expect(Set(y.toArray(as: Int64.self)) == Set(0...9))
  }
}
