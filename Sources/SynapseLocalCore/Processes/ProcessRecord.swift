import CProcessShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A service's pid file: its pid and the process's start time (from /proc), so a later `up` kills
/// only that very process, never one that reused the pid.
public enum ProcessRecord {
  /// Field 22 of /proc/PID/stat: clock ticks since boot when the process started.
  public static func startTime(_ pid: pid_t) -> UInt64? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command: state is field 3, so start time (22) is the 20th from here.
    return fields.count > 19 ? UInt64(fields[19]) : nil
  }

  /// The pid a file names, when that process is still the one it was written for.
  public static func live(_ file: String) -> pid_t? {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
    let parts = text.split(whereSeparator: \.isWhitespace)
    guard let pid = parts.first.flatMap({ pid_t($0) }), pid > 1, ProcessLiveness.isAlive(pid) else { return nil }
    if parts.count > 1, let recorded = UInt64(parts[1]), recorded != 0, startTime(pid) != recorded { return nil }
    return pid
  }
}
