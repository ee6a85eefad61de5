import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Detection on fixture machines: `/proc` and `/sys` captures under a sysroot, and fake
/// `nvidia-smi` scripts that answer as the real tool does on each machine. Expected values are
/// read off the fixture files by hand.
@Suite("Detection on fixture machines")
struct FixtureMachineTests {
  let gib: UInt64 = 1 << 30
  let mib: UInt64 = 1 << 20

  func detect(_ name: String) async throws -> HardwareReport {
    try await HardwareDetector.detect(Fixtures.machineContext(name))
  }

  @Test func laptopWithoutLimitsOrGPU() async throws {
    let report = try await detect("laptop-v2")
    #expect(report.memory.totalBytes == 16_303_428 * 1024)
    #expect(report.memory.availableBytes == 11_534_336 * 1024)
    #expect(report.memory.limitBytes == nil)
    #expect(report.memory.effectiveBytes == 11_534_336 * 1024)
    #expect(report.cpu.logicalCores == 8)
    #expect(report.cpu.physicalCores == 4)
    #expect(report.cpu.quotaCores == nil)
    #expect(report.cpu.cpusetCores == nil)
    #expect(report.cpu.effectiveCores == 4)
    #expect(report.cpu.arch == "x86_64")
    #expect(report.cpu.features.contains("avx512f") && report.cpu.features.contains("avx2") && report.cpu.features.contains("sse3"))
    #expect(report.gpus.isEmpty)
    #expect(report.cudaVersion == nil)
    #expect(report.warnings.isEmpty)
  }

  @Test func cgroupV2LimitInAParentAndFractionalQuota() async throws {
    let report = try await detect("container-v2-limited")
    #expect(report.memory.limitBytes == 8 * gib)
    // available = limit − (memory.current − inactive_file) of the limiting cgroup
    //           = 8 GiB − (1 GiB − 256 MiB): reclaimable page cache is not "used".
    #expect(report.memory.availableBytes == 7 * gib + 256 * mib)
    #expect(report.memory.effectiveBytes == 7 * gib + 256 * mib)
    #expect(report.memory.limitSource?.contains("pod1234/memory.max") == true)
    #expect(report.cpu.logicalCores == 16)
    #expect(report.cpu.physicalCores == 8)
    #expect(report.cpu.quotaCores == 1.5)
    #expect(report.cpu.effectiveCores == 1)
    #expect(report.cpu.model == "AMD EPYC 7763 64-Core Processor")
  }

  @Test func cgroupV1LimitsAndFailingNvidiaSMI() async throws {
    let report = try await detect("container-v1-limited")
    #expect(report.memory.limitBytes == 4 * gib)
    // usage_in_bytes 512 MiB − total_inactive_file 128 MiB = 384 MiB in use.
    #expect(report.memory.availableBytes == 4 * gib - 384 * mib)
    #expect(report.memory.effectiveBytes == 4 * gib - 384 * mib)
    #expect(report.cpu.logicalCores == 32)
    #expect(report.cpu.quotaCores == 2.0)
    #expect(report.cpu.effectiveCores == 2)
    #expect(report.gpus.isEmpty)
    #expect(report.warnings.count == 1)
    #expect(report.warnings.first?.contains("couldn't communicate with the NVIDIA driver") == true)
  }

  @Test func workstationWithCurrentDriver() async throws {
    let report = try await detect("gpu-workstation")
    #expect(report.gpus.count == 1)
    let gpu = try #require(report.gpus.first)
    #expect(gpu.name == "NVIDIA GeForce RTX 4090")
    #expect(gpu.memoryTotalBytes == 24564 * 1_048_576)
    #expect(gpu.memoryFreeBytes == 23592 * 1_048_576)
    #expect(gpu.computeCapability == "8.9")
    #expect(gpu.computeCapabilitySource == "nvidia-smi")
    #expect(gpu.driverVersion == "550.54.14")
    #expect(report.cudaVersion == "12.4")
    #expect(report.cpu.effectiveCores == 16)
  }

  @Test func oldDriverFallsBackToTheGPUTable() async throws {
    let report = try await detect("old-driver-server")
    #expect(report.gpus.map(\.name) == ["Tesla T4", "NVIDIA Mystery Accelerator X1"], "\(report.warnings)")
    try #require(report.gpus.count == 2)
    #expect(report.gpus[0].computeCapability == "7.5")
    #expect(report.gpus[0].computeCapabilitySource == "known-gpu table")
    #expect(report.gpus[1].computeCapability == nil)
    #expect(report.gpus[1].driverVersion == "470.82.01")
    #expect(report.cudaVersion == "11.4")
    #expect(report.warnings.contains { $0.contains("Mystery") && $0.contains("unknown") })
    // v1 "no limit" sentinel and a -1 quota mean no limits.
    #expect(report.memory.limitBytes == nil)
    #expect(report.cpu.quotaCores == nil)
  }

  @Test func severalGPUsOfDifferentKinds() async throws {
    let report = try await detect("multi-gpu-server")
    #expect(report.gpus.count == 3)
    #expect(report.gpus.map(\.computeCapability) == ["8.0", "8.0", "7.5"])
    #expect(report.gpus[1].memoryFreeBytes == 40960 * 1_048_576)
    #expect(report.cudaVersion == "12.2")
    #expect(report.cpu.logicalCores == 8)
    #expect(report.cpu.physicalCores == 8)
  }

  /// AMD GPUs from `/sys/class/drm`: the vendor file picks them, VRAM comes from mem_info_vram_*,
  /// the name from product_name or else the PCI device id; the Intel card and the connector are skipped.
  @Test func amdGPUsFromSysfs() async throws {
    let report = try await detect("amd-rocm-workstation")
    #expect(report.gpus.map(\.name) == ["AMD GPU 0x744c", "AMD Instinct MI210"], "\(report.warnings)")
    try #require(report.gpus.count == 2)
    #expect(report.gpus.allSatisfy { $0.vendor == .amd && $0.computeCapability == nil })
    #expect(report.gpus.map(\.index) == [0, 1])
    #expect(report.gpus[0].pciDeviceID == "0x744c")
    #expect(report.gpus[0].memoryTotalBytes == 25_753_026_560)
    #expect(report.gpus[0].memoryFreeBytes == 25_753_026_560 - 734_003_200)
    #expect(report.gpus[1].memoryTotalBytes == 68_702_699_520)
    #expect(report.gpus[1].memoryFreeBytes == 68_702_699_520 - 11_206_656)
    #expect(report.rocmVisible)
    #expect(report.cudaVersion == nil)
    #expect(report.nvidiaGPUs.isEmpty)
    #expect(report.warnings.isEmpty)
    // NVIDIA machines have no AMD GPUs and no ROCm.
    let nvidia = try await detect("gpu-workstation")
    #expect(nvidia.gpus.map(\.vendor) == [.nvidia])
    #expect(!nvidia.rocmVisible)
  }

  /// A report written before AMD detection reads as NVIDIA GPUs and no ROCm; an AMD GPU's fields
  /// survive the round trip, and an NVIDIA GPU gains only `vendor`.
  @Test func vendorFieldsAreBackwardCompatible() async throws {
    let old = Data(
      #"{"memory":{"total_bytes":1073741824},"cpu":{"logical_cores":2},"gpus":[{"name":"Tesla T4","memory_total_bytes":1}]}"#.utf8)
    let decoded = try JSONDecoder().decode(HardwareReport.self, from: old)
    #expect(decoded.gpus.first?.vendor == .nvidia)
    #expect(decoded.rocmVisible == false)
    let amd = try await detect("amd-rocm-workstation")
    #expect(try JSONDecoder().decode(HardwareReport.self, from: JSONEncoder().encode(amd)) == amd)
    let nvidia = try await detect("gpu-workstation")
    let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(nvidia.gpus[0])) as? [String: Any]
    #expect(
      object.map { Set($0.keys) }
        == [
          "index", "name", "memory_total_bytes", "memory_free_bytes", "compute_capability", "compute_capability_source",
          "driver_version", "vendor",
        ])
  }

  @Test func arm64ServerFeatures() async throws {
    let report = try await detect("arm64-graviton")
    #expect(report.cpu.arch == "aarch64")
    #expect(report.cpu.model == "ARM CPU part 0xd40")
    #expect(report.cpu.features == ["neon", "fp16_va", "dotprod", "i8mm", "sve"])
    #expect(report.cpu.logicalCores == 4)
    #expect(report.cpu.cpusetCores == nil)
  }

  @Test func missingProcFilesAreAClearError() async throws {
    let context = Context.testing(
      system: MemoryFileSystem(roots: ["/proc", "/sys"]), environment: ["PATH": ""],
      processes: StubProcessRunner(), files: MemoryFileSystem(roots: []))
    await #expect(throws: HardwareError.unreadable(file: "/proc/meminfo", reason: "the file is missing")) {
      try await HardwareDetector.detect(context)
    }
  }

  @Test func damagedProcFilesAreErrorsNotTraps() throws {
    #expect(throws: HardwareError.self) { try MemInfo.parse("MemTotal: 18014398509481984 kB\n") }
    #expect(throws: HardwareError.self) { try MemInfo.parse("MemFree: 1 kB\n") }
    #expect(throws: HardwareError.self) { try CPUInfo.parse(":\n:\nflags : avx2\n") }
    #expect(try CPUInfo.parse("processor : 0\n:\nflags : lm avx512vbmi\n").features == ["avx512_vbmi"])
  }

  @Test func reportRoundTripsThroughJSON() async throws {
    let report = try await detect("multi-gpu-server")
    let data = try JSONEncoder().encode(report)
    #expect(try JSONDecoder().decode(HardwareReport.self, from: data) == report)
  }
}
