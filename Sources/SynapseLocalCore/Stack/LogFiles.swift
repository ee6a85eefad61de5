import Foundation

/// Per-service log files in the state folder: read back by `logs` and for error messages.
public enum LogFiles {
  /// The last `lines` lines (reads at most the last 256 KiB).
  public static func tail(_ path: String, lines: Int) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { return "(no log at \(path))" }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    let start = size > 256 << 10 ? size - (256 << 10) : 0
    try? handle.seek(toOffset: start)
    let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1).joined(separator: "\n")
      .trimmingCharacters(in: .newlines)
  }
}
