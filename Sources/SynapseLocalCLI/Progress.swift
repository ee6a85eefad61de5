import Foundation
import SynapseLocalCore

/// Progress on stderr: one line per item updated in place on a terminal, a plain line when each
/// item ends otherwise (logs stay readable), nothing with `--quiet`.
final class ProgressReporter: @unchecked Sendable {
  private let lock = NSLock()
  private let quiet: Bool
  private let terminal = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
  private var current: String?
  private var lastDraw = Date.distantPast

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
      }
      guard terminal else {
        if finished { write("\(item): \(ByteCount.format(total))\n") }
        return
      }
      guard finished || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
      lastDraw = Date()
      let percent = total > 0 ? Int(Double(done) / Double(total) * 100) : 100
      write("\r\u{1B}[2K\(item): \(ByteCount.format(done)) of \(ByteCount.format(total)) (\(percent)%)" + (finished ? "\n" : ""))
    }
  }

  func note(_ text: String) {
    guard !quiet else { return }
    lock.withLock { write(text + "\n") }
  }

  private func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
