import Foundation

/// Human-readable byte counts in binary units ("7.4 GiB"), the units memory is sold and shown in.
public enum ByteCount {
  public static func format(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: value >= 100 ? "%.0f %@" : "%.1f %@", value, units[unit])
  }

  public static let mebibyte: UInt64 = 1 << 20
  public static let gibibyte: UInt64 = 1 << 30
}
