import Foundation

/// A service's pid file: its pid and the process's start time (from /proc), so a later `up` kills
/// only that very process, never one that reused the pid.
public enum ProcessRecord {
  public static func startTime(_ pid: pid_t, table: ProcessTable) -> UInt64? {
    table.startTime(pid)
  }

  /// The line a pid file holds for `pid`.
  public static func line(_ pid: pid_t, table: ProcessTable) -> String {
    "\(pid) \(table.startTime(pid) ?? 0)\n"
  }

  /// The pid a file names, when that process is still the one it was written for.
  public static func live(_ file: String, files: any FileSystem, table: ProcessTable) -> pid_t? {
    guard let text = files.readText(file) else { return nil }
    let parts = text.split(whereSeparator: \.isWhitespace)
    guard let pid = parts.first.flatMap({ pid_t($0) }), pid > 1, table.isAlive(pid) else { return nil }
    if parts.count > 1, let recorded = UInt64(parts[1]), recorded != 0, table.startTime(pid) != recorded { return nil }
    return pid
  }
}
