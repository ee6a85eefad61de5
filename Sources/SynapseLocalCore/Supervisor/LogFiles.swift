import Foundation
import SynapseLocalSystem

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

  /// What was appended to a log since it was `offset` bytes long (at most its last `limit` bytes):
  /// one run's lines, without the earlier runs' before them.
  public static func appended(_ path: String, since offset: UInt64, limit: UInt64 = 256 << 10) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    // Rotated meanwhile: all of it is this run's.
    let start = max(size < offset ? 0 : offset, size > limit ? size - limit : 0)
    try? handle.seek(toOffset: start)
    return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
  }

  /// The size of a file now (0 when there is none).
  public static func size(_ path: String) -> UInt64 {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
  }

  /// Copy-and-truncate past `limit`: the service keeps appending to the same open file, the
  /// previous content moves to `.1` (one generation is kept).
  public static func rotate(_ path: String, limit: UInt64) {
    guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64, size > limit else { return }
    let previous = path + ".1"
    unlink(previous)
    guard (try? FileManager.default.copyItem(atPath: path, toPath: previous)) != nil else { return }
    _ = chmod(previous, 0o600)
    _ = truncate(path, 0)
  }
}
