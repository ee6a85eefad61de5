import Foundation
import SynapseLocalSystem

/// Per-service log files in the state folder: read back by `logs` and for error messages.
public enum LogFiles {
  /// The last `lines` lines (reads at most the last 256 KiB).
  public static func tail(_ path: String, lines: Int, files: any FileSystem) -> String {
    guard let file = try? files.open(path, .read) else { return "(no log at \(path))" }
    defer { file.close() }
    let size = (try? file.length()) ?? 0
    let start = size > 256 << 10 ? size - (256 << 10) : 0
    let text = String(decoding: rest(of: file, from: start), as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1).joined(separator: "\n")
      .trimmingCharacters(in: .newlines)
  }

  /// What was appended to a log since it was `offset` bytes long (at most its last `limit` bytes):
  /// one run's lines, without the earlier runs' before them.
  public static func appended(_ path: String, since offset: UInt64, limit: UInt64 = 256 << 10, files: any FileSystem) -> String {
    guard let file = try? files.open(path, .read) else { return "" }
    defer { file.close() }
    let size = (try? file.length()) ?? 0
    // Rotated meanwhile: all of it is this run's.
    let start = max(size < offset ? 0 : offset, size > limit ? size - limit : 0)
    return String(decoding: rest(of: file, from: start), as: UTF8.self)
  }

  /// The bytes of an open file from `offset` to its end; what was read before an error.
  static func rest(of file: any OpenFile, from offset: UInt64) -> Data {
    var data = Data()
    guard (try? file.seek(to: offset)) != nil else { return data }
    while let block = try? file.read(upTo: 64 << 10), !block.isEmpty { data.append(block) }
    return data
  }

  /// The size of a file now (0 when there is none).
  public static func size(_ path: String, files: any FileSystem) -> UInt64 {
    files.entry(path)?.size ?? 0
  }

  /// Copy-and-truncate past `limit`: the service keeps appending to the same open file, the
  /// previous content moves to `.1` (one generation is kept).
  public static func rotate(_ path: String, limit: UInt64, files: any FileSystem) {
    guard let size = files.entry(path)?.size, size > limit else { return }
    let previous = path + ".1"
    try? files.remove(previous)
    guard (try? files.copy(path, to: previous)) != nil else { return }
    try? files.setPermissions(0o600, of: previous)
    guard let file = try? files.open(path, .update) else { return }
    defer { file.close() }
    try? file.truncate(to: 0)
  }
}
