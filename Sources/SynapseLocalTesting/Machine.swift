import SynapseLocalCore
import SynapseLocalSystem

/// Hardware descriptions for decision tests, in the units people quote machines in.
public enum Machine {
  public static let gib: UInt64 = 1 << 30
  public static let mib: UInt64 = 1 << 20

  public static func cpu(
    memoryGiB: Double, cores: Int = 8, limitGiB: Double? = nil, quota: Double? = nil, gpus: [GPUReport] = [],
    cuda: String? = nil
  ) -> HardwareReport {
    let total = UInt64(memoryGiB * Double(gib))
    let limit = limitGiB.map { UInt64($0 * Double(gib)) }
    return HardwareReport(
      os: "linux",
      memory: MemoryReport(totalBytes: total, availableBytes: total, limitBytes: limit),
      cpu: CPUReport(
        model: "test CPU", logicalCores: cores * 2, physicalCores: cores, quotaCores: quota, cpusetCores: nil, arch: "x86_64",
        features: ["avx2"]),
      disk: nil, gpus: gpus, cudaVersion: cuda, warnings: [])
  }

  public static func gpu(
    _ name: String, totalMiB: UInt64, freeMiB: UInt64? = nil, capability: String?, index: Int = 0, driver: String = "550.54.14"
  ) -> GPUReport {
    GPUReport(
      index: index, name: name, memoryTotalBytes: totalMiB * mib, memoryFreeBytes: (freeMiB ?? totalMiB) * mib,
      computeCapability: capability, computeCapabilitySource: capability == nil ? nil : "nvidia-smi", driverVersion: driver)
  }
}
