import Foundation
import SynapseLocalSystem

/// The hardware a calibration or a measurement was taken on: figures apply only where it matches.
public struct MachineFingerprint: Codable, Sendable, Equatable, Hashable {
  public var cpuModel: String
  public var arch: String
  public var effectiveCores: Int
  /// Rounded to whole GiB, so a few MiB of firmware reservation do not make a new machine.
  public var memoryGiB: Int
  public var gpus: [String]

  public init(_ hardware: HardwareReport) {
    cpuModel = hardware.cpu.model
    arch = hardware.cpu.arch
    effectiveCores = hardware.cpu.effectiveCores
    memoryGiB = Int((Double(hardware.memory.totalBytes) / Double(ByteCount.gibibyte)).rounded())
    gpus = hardware.gpus.map(\.name)
  }

  enum CodingKeys: String, CodingKey {
    case arch, gpus
    case cpuModel = "cpu_model"
    case effectiveCores = "effective_cores"
    case memoryGiB = "memory_gib"
  }

  public var summary: String {
    "\(cpuModel), \(effectiveCores) cores, \(memoryGiB) GiB" + (gpus.isEmpty ? "" : ", " + gpus.joined(separator: ", "))
  }
}
