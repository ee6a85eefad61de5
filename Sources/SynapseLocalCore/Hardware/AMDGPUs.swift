import Foundation
import SynapseLocalSystem

/// AMD GPUs as the amdgpu kernel driver shows them under `/sys/class/drm/card*/device`. Read through
/// the context's rooted file system, so fixture machines work; nothing here runs a program.
public enum AMDGPUs {
  public struct Result: Sendable, Equatable {
    public var gpus: [GPUReport] = []
    /// `/dev/kfd` (ROCm's kernel interface) or `/opt/rocm` exists.
    public var rocmVisible = false
    public var warnings: [String] = []
  }

  static let vendorID = "0x1002"

  public static func probe(_ system: any FileSystem) -> Result {
    var result = Result()
    let cards = (system.list("/sys/class/drm") ?? []).compactMap(cardNumber).sorted()
    for number in cards {
      let device = "/sys/class/drm/card\(number)/device"
      guard read(system, device + "/vendor")?.lowercased() == vendorID else { continue }
      let deviceID = read(system, device + "/device")?.lowercased()
      guard let total = read(system, device + "/mem_info_vram_total").flatMap({ UInt64($0) }) else {
        result.warnings.append(
          "card\(number) is an AMD GPU without mem_info_vram_total (not driven by amdgpu?); it is not counted")
        continue
      }
      let used = read(system, device + "/mem_info_vram_used").flatMap { UInt64($0) }
      let name = read(system, device + "/product_name").flatMap { $0.isEmpty ? nil : $0 } ?? "AMD GPU \(deviceID ?? "(unknown device)")"
      result.gpus.append(
        GPUReport(
          index: result.gpus.count, name: name, memoryTotalBytes: total,
          memoryFreeBytes: used.map { $0 < total ? total - $0 : 0 } ?? total, computeCapability: nil,
          computeCapabilitySource: nil, driverVersion: read(system, "/sys/module/amdgpu/version") ?? "unknown",
          vendor: .amd, pciDeviceID: deviceID))
    }
    result.rocmVisible = system.exists("/dev/kfd") || system.exists("/opt/rocm")
    return result
  }

  /// "card0" → 0; connectors such as "card0-DP-1" and render nodes are not cards.
  static func cardNumber(_ entry: String) -> Int? {
    guard entry.hasPrefix("card") else { return nil }
    return Int(entry.dropFirst(4))
  }

  static func read(_ system: any FileSystem, _ path: String) -> String? {
    system.readText(path)?.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
