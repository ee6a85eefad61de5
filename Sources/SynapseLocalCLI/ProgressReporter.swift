import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// Progress on stderr: one line per item updated in place on a terminal, a plain line when each
/// item ends otherwise (logs stay readable), nothing with `--quiet`.
final class ProgressReporter: @unchecked Sendable {
  private let lock = NSLock()
  private let quiet: Bool
  private let terminal = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
  private var current: String?
  private var lastDraw = Date.distantPast
  private var started = Date()
  private var startBytes: UInt64 = 0

  init(quiet: Bool) {
    self.quiet = quiet
  }

  /// Bytes done of a total for one named item.
  func update(_ item: String, done: UInt64, total: UInt64) {
    guard !quiet else { return }
    lock.withLock {
      let finished = done >= total
      if item != current {
        current = item
        lastDraw = .distantPast
        started = Date()
        startBytes = done  // a resumed file's rate counts only what this run moves
      }
      let elapsed = Date().timeIntervalSince(started)
      let rate = elapsed > 0 ? Double(done - min(done, startBytes)) / elapsed : 0
      guard terminal else {
        if finished { write("\(item): \(ByteCount.format(total))\(rate > 0 ? " at \(ByteCount.format(UInt64(rate)))/s" : "")\n") }
        return
      }
      guard finished || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
      lastDraw = Date()
      let percent = total > 0 ? Int(Double(done) / Double(total) * 100) : 100
      var line = "\(item): \(ByteCount.format(done)) of \(ByteCount.format(total)) (\(percent)%)"
      if rate > 0 {
        line += ", \(ByteCount.format(UInt64(rate)))/s"
        if !finished { line += ", \(Self.duration(Double(total - min(total, done)) / rate)) left" }
      }
      write("\r\u{1B}[2K" + line + (finished ? "\n" : ""))
    }
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded(.up))
    return s >= 3600 ? "\(s / 3600) h \(s % 3600 / 60) min" : s >= 60 ? "\(s / 60) min \(s % 60) s" : "\(s) s"
  }

  private func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
