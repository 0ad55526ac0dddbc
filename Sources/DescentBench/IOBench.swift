import Descent
import Foundation

/// I/O throughput: safetensors save and load of a 100 MB state dict, and CSV parsing of a
/// ~100 MB numeric file (1,000,000 rows × 12 columns written like NumPy's `%.6f`).
@MainActor
func runIOBenchmarks() {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "descent-bench-\(getpid())")
  try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }

  func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = now()
    try body()
    return now() - start
  }

  // safetensors: 25 float32 tensors of 4 MB.
  var dict = StateDict()
  let generator = Generator(seed: 0)
  for index in 0..<25 {
    dict["layer\(index).weight"] = Tensor.randn([1000, 1000], generator: generator)
  }
  let url = directory.appendingPathComponent("bench.safetensors")
  do {
    var saves: [Double] = []
    var loads: [Double] = []
    for _ in 0..<7 {
      try? FileManager.default.removeItem(at: url)
      saves.append(try seconds { try Safetensors.save(dict, to: url) })
      loads.append(try seconds { _ = try Safetensors.load(from: url) })
    }
    result("safetensors_save_gb_per_s", 0.1 / median(saves), "GB/s", format: "%.2f")
    result("safetensors_load_gb_per_s", 0.1 / median(loads), "GB/s", format: "%.2f")
  } catch {
    print("safetensors benchmark failed: \(error)")
  }

  // CSV: deterministic pseudo-random values, formatted with six decimals.
  let csv = directory.appendingPathComponent("bench.csv")
  var text = (0..<12).map { "c\($0)" }.joined(separator: ",") + "\n"
  text.reserveCapacity(120_000_000)
  var state: UInt64 = 0x9E37_79B9_7F4A_7C15
  for _ in 0..<1_000_000 {
    for column in 0..<12 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let value = Double(Int64(bitPattern: state >> 11) % 20_000_000) / 1e6 - 10
      text += String(format: "%.6f", value)
      text += column == 11 ? "\n" : ","
    }
  }
  do {
    try text.write(to: csv, atomically: true, encoding: .utf8)
    let megabytes = Double(text.utf8.count) / 1e6
    var times: [Double] = []
    for _ in 0..<5 {
      times.append(
        try seconds {
          let table = try CSVReader.read(csv)
          _ = try table.tensor(columns: table.numericColumns)
        })
    }
    result("csv_mb_per_s", megabytes / median(times), "MB/s", format: "%.0f")
  } catch {
    print("CSV benchmark failed: \(error)")
  }
}
