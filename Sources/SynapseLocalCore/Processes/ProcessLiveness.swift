import Foundation

/// Whether a process is running; a zombie (exited, not yet reaped) counts as gone.
public enum ProcessLiveness {
  public static func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(after: close)...].drop { $0 == " " }.first != "Z"
  }
}
