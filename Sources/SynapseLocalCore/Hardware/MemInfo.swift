import Foundation
import SynapseLocalSystem

/// `/proc/meminfo`: the machine's total and available memory.
public struct MemInfo: Sendable, Equatable {
  public var totalBytes: UInt64
  public var availableBytes: UInt64

  /// Parses the kernel's `Key:   12345 kB` lines. Kernels before 3.14 have no MemAvailable;
  /// free + buffers + cached stands in for it there.
  public static func parse(_ text: String) throws(HardwareError) -> MemInfo {
    var values: [String: UInt64] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2 else { continue }
      let fields = parts[1].split(separator: " ")
      guard let number = fields.first.flatMap({ UInt64($0) }) else { continue }
      let unit: UInt64 = fields.count > 1 && fields[1].lowercased() == "kb" ? 1024 : 1
      let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
      // Beyond 2^56 bytes (64 PiB) a figure is damage, not memory.
      guard !overflow, bytes < 1 << 56 else {
        throw .unreadable(
          file: "/proc/meminfo", reason: "\(parts[0]) is implausibly large (\(number) \(fields.count > 1 ? fields[1] : ""))")
      }
      values[String(parts[0])] = bytes
    }
    guard let total = values["MemTotal"] else {
      throw .unreadable(file: "/proc/meminfo", reason: "it has no MemTotal line")
    }
    let available =
      values["MemAvailable"]
      ?? (values["MemFree"] ?? 0) + (values["Buffers"] ?? 0) + (values["Cached"] ?? 0)
    return MemInfo(totalBytes: total, availableBytes: min(available, total))
  }
}
