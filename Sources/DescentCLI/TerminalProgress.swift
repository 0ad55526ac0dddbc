import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The terminal on standard output, when there is one.
enum Terminal {
  /// True when standard output is a terminal, where progress and charts make sense; a pipe or
  /// a file gets plain lines instead.
  static var isInteractive: Bool { isatty(STDOUT_FILENO) == 1 }

  /// The terminal's width in columns (80 when it does not say).
  static var width: Int {
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
      return Int(size.ws_col)
    }
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
      return columns
    }
    return 80
  }

  /// Writes `text` to standard output at once (no line buffering in between).
  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }
}

/// A one-line progress bar for training, redrawn in place:
///
///     epoch  420/1000 ▕██████████▌              ▏ 42%  loss 0.0613  acc 0.973  0:03 left
///
/// Redrawn at most ten times a second, so that a run of fast epochs is not slowed by drawing.
final class TerminalProgress {
  private let total: Int
  /// The first epoch of this run (later than 1 when resumed), for the time left.
  private let first: Int
  private let width: Int
  private let start = ContinuousClock.now
  private var lastDraw: ContinuousClock.Instant?
  private var visible = false

  init(epochs: Int, first: Int = 1) {
    total = epochs
    self.first = first
    width = Terminal.width
  }

  /// Shows the state after `epoch` (1-based).
  func update(epoch: Int, record: EpochRecord) {
    let now = ContinuousClock.now
    if let lastDraw, epoch < total, now - lastDraw < .milliseconds(100) { return }
    lastDraw = now
    let elapsed = seconds(now - start)
    let left = elapsed / Double(epoch - first + 1) * Double(total - epoch)
    let digits = String(total).count
    let head =
      "epoch \(String(repeating: " ", count: digits - String(epoch).count))\(epoch)/\(total) "
    var tail = String(format: " %3d%%  loss %.4g", 100 * epoch / total, record.loss)
    if let accuracy = record.accuracy { tail += String(format: "  acc %.3f", accuracy) }
    tail += "  \(duration(left)) left"
    let barWidth = min(40, width - 1 - head.count - tail.count - 2)
    let line =
      barWidth >= 10 ? head + bar(Double(epoch) / Double(total), barWidth) + tail : head + tail
    Terminal.write("\r" + String(line.prefix(width - 1)) + "\u{1B}[K")
    visible = true
  }

  /// Removes the bar, leaving the cursor at the start of an empty line.
  func clear() {
    guard visible else { return }
    Terminal.write("\r\u{1B}[K")
    visible = false
  }

  /// `▕████▌    ▏`: eighths of a cell for a smooth bar.
  private func bar(_ fraction: Double, _ cells: Int) -> String {
    let eighths = Int((fraction * Double(cells * 8)).rounded(.down))
    let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
    let full = String(repeating: "█", count: eighths / 8)
    let used = eighths / 8 + (partial.isEmpty ? 0 : 1)
    return "▕" + full + partial + String(repeating: " ", count: max(0, cells - used)) + "▏"
  }
}

/// `0:07`, `12:34`, `1:02:03`.
func duration(_ seconds: Double) -> String {
  guard seconds.isFinite else { return "-:--" }
  let total = Int(seconds.rounded(.up))
  let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
  return hours > 0
    ? String(format: "%d:%02d:%02d", hours, minutes, secs)
    : String(format: "%d:%02d", minutes, secs)
}

/// A duration in seconds.
func seconds(_ duration: Duration) -> Double {
  let (whole, fraction) = duration.components
  return Double(whole) + Double(fraction) * 1e-18
}
