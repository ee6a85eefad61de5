import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// `status --watch` on the process's own terminal: the alternate screen, redrawn in place with the
/// cursor hidden, and keys read one by one (no Enter, no echo; Ctrl-C arrives as a key, so the
/// terminal is always given back as it was). On a stream that is no terminal, each new frame is
/// printed after the last.
final class TerminalScreen: StatusScreen, @unchecked Sendable {
  let inPlace: Bool
  private var saved: termios?
  private let lock = NSLock()

  init() {
    inPlace = isatty(1) == 1
  }

  var width: Int {
    var size = winsize()
    if inPlace, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
  }

  func draw(_ lines: [String]) {
    lock.withLock {
      // Home, each line then "clear to its end", then clear what is below.
      let text =
        inPlace ? "\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J" : lines.joined(separator: "\n") + "\n\n"
      FileHandle.standardOutput.write(Data(text.utf8))
    }
  }

  /// Takes the terminal (alternate screen, no cursor, raw keys) until `restore`.
  func begin() {
    guard inPlace else { return }
    if isatty(0) == 1 {
      var raw = termios()
      if tcgetattr(0, &raw) == 0 {
        saved = raw
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
          cc[Int(VMIN)] = 1
          cc[Int(VTIME)] = 0
        }
        tcsetattr(0, TCSANOW, &raw)
      }
    }
    FileHandle.standardOutput.write(Data("\u{1B}[?1049h\u{1B}[?25l".utf8))
  }

  func restore() {
    guard inPlace else { return }
    if var saved { tcsetattr(0, TCSANOW, &saved) }
    FileHandle.standardOutput.write(Data("\u{1B}[?25h\u{1B}[?1049l".utf8))
  }

  /// The keys pressed, from a thread of its own (a read that blocks); Ctrl-C also as a signal
  /// where the input is no terminal. The stream ends with `.quit` at the input's end.
  func keys() -> (AsyncStream<WatchKey>, SignalWatcher) {
    let (stream, continuation) = AsyncStream<WatchKey>.makeStream()
    let interrupt = SignalWatcher([SIGINT, SIGTERM]) { continuation.yield(.quit) }
    guard isatty(0) == 1 else { return (stream, interrupt) }
    Thread.detachNewThread {
      var byte: UInt8 = 0
      while read(0, &byte, 1) == 1 {
        switch byte {
        case UInt8(ascii: "q"), UInt8(ascii: "Q"), 3, 4: continuation.yield(.quit)
        default: continuation.yield(.other)
        }
      }
      continuation.yield(.quit)
    }
    return (stream, interrupt)
  }
}
