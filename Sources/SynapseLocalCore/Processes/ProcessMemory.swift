import Foundation

/// Resident memory of a process, from /proc.
enum ProcessMemory {
  static func rss(_ pid: Int32) -> UInt64? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return nil }
    let kilobytes = line.split(separator: " ").compactMap { UInt64($0) }.first
    return kilobytes.map { $0 * 1024 }
  }
}
