import Foundation
import SynapseLocalSystem

/// Puts the probes together into one `HardwareReport`.
public enum HardwareDetector {
  public static func detect(_ context: Context) async throws(HardwareError) -> HardwareReport {
    #if os(macOS)
      return await detectDarwin(context)
    #else
      return try await detectLinux(context)
    #endif
  }

  static func detectLinux(_ context: Context) async throws(HardwareError) -> HardwareReport {
    let system = context.system
    guard let meminfoText = system.readText("/proc/meminfo") else {
      throw .unreadable(file: "/proc/meminfo", reason: "the file is missing")
    }
    guard let cpuinfoText = system.readText("/proc/cpuinfo") else {
      throw .unreadable(file: "/proc/cpuinfo", reason: "the file is missing")
    }
    let meminfo = try MemInfo.parse(meminfoText)
    let cpuinfo = try CPUInfo.parse(cpuinfoText)
    let cgroup = CgroupLimits.read(from: system)
    var warnings: [String] = []

    // A limit at or above the machine's memory does not bind; report it as no limit.
    let limit = cgroup.memoryLimitBytes.flatMap { $0 < meminfo.totalBytes ? $0 : nil }
    var available = meminfo.availableBytes
    if let limit {
      let used = cgroup.memoryUsageBytes ?? 0
      available = min(available, limit > used ? limit - used : 0)
    }
    let memory = MemoryReport(
      totalBytes: meminfo.totalBytes, availableBytes: available, limitBytes: limit,
      limitSource: limit == nil ? nil : cgroup.memorySource)

    let quota = cgroup.cpuQuotaCores.flatMap { $0 < Double(cpuinfo.logicalCores) ? $0 : nil }
    let cpuset = cgroup.cpusetCores.flatMap { $0 < cpuinfo.logicalCores ? $0 : nil }
    let cpu = CPUReport(
      model: cpuinfo.model, logicalCores: cpuinfo.logicalCores, physicalCores: cpuinfo.physicalCores,
      quotaCores: quota, cpusetCores: cpuset, arch: cpuinfo.arch ?? compiledArchitecture,
      features: cpuinfo.features)
    if let quota, quota < 1 {
      warnings.append(String(format: "the container's CPU quota is %.2f cores; inference will be slow", quota))
    }

    let storePath = HubCacheLocation.path(environment: context.environment)
    let disk = DiskReport(path: storePath, freeBytes: context.files.freeBytes(at: storePath))

    let nvidia = await NvidiaSMI.probe(context)
    warnings += nvidia.warnings
    let amd = AMDGPUs.probe(system)
    warnings += amd.warnings
    return HardwareReport(
      os: "linux", memory: memory, cpu: cpu, disk: disk, gpus: nvidia.gpus + amd.gpus,
      cudaVersion: nvidia.cudaVersion, warnings: warnings, rocmVisible: amd.rocmVisible)
  }

  static var compiledArchitecture: String {
    #if arch(x86_64)
      "x86_64"
    #elseif arch(arm64)
      "aarch64"
    #else
      "unknown"
    #endif
  }

  #if os(macOS)
    static func detectDarwin(_ context: Context) async -> HardwareReport {
      let total = sysctlInteger("hw.memsize") ?? 0
      let appleSilicon = (sysctlInteger("hw.optional.arm64") ?? 0) == 1
      let logical = Int(sysctlInteger("hw.logicalcpu") ?? 1)
      let physical = Int(sysctlInteger("hw.physicalcpu") ?? UInt64(logical))
      let pageSize = UInt64(getpagesize())
      let free = (sysctlInteger("vm.page_free_count") ?? 0) * pageSize
      let memory = MemoryReport(
        totalBytes: total, availableBytes: max(free, total / 2), limitBytes: nil, unified: appleSilicon)
      let cpu = CPUReport(
        model: sysctlString("machdep.cpu.brand_string") ?? "Apple", logicalCores: logical,
        physicalCores: physical, quotaCores: nil, cpusetCores: nil, arch: appleSilicon ? "arm64" : "x86_64",
        features: appleSilicon ? ["neon", "dotprod"] : [])
      let storePath = HubCacheLocation.path(environment: context.environment)
      return HardwareReport(
        os: "macos", memory: memory, cpu: cpu,
        disk: DiskReport(path: storePath, freeBytes: context.files.freeBytes(at: storePath)), gpus: [],
        cudaVersion: nil, warnings: [])
    }

    static func sysctlInteger(_ name: String) -> UInt64? {
      var value: UInt64 = 0
      var size = MemoryLayout<UInt64>.size
      guard sysctlbyname(name, &value, &size, nil, 0) == 0 else { return nil }
      return size == 4 ? value & 0xFFFF_FFFF : value
    }

    static func sysctlString(_ name: String) -> String? {
      var size = 0
      guard sysctlbyname(name, nil, &size, nil, 0) == 0, size > 0 else { return nil }
      var buffer = [CChar](repeating: 0, count: size)
      guard sysctlbyname(name, &buffer, &size, nil, 0) == 0 else { return nil }
      return String(cString: buffer)
    }
  #endif
}
