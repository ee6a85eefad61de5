import ArgumentParser
import Foundation
import SynapseLocalCore

struct DetectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "detect",
    abstract: "Report this machine's memory, CPU, disk and NVIDIA GPUs as the recommendation sees them.",
    discussion: """
      Memory and CPU figures honour container limits (cgroup v2 memory.max and cpu.max, or v1 \
      memory.limit_in_bytes and cpu.cfs_quota_us): the "effective" figures are the smallest of \
      what the machine has and what the container allows, and are what every decision uses.

      GPUs come from nvidia-smi on PATH. A failing nvidia-smi (no driver loaded) means no GPU and \
      a warning; an old driver that cannot report the compute capability gets it from a table of \
      known GPUs, or "unknown".

      Save the JSON to plan for another machine: `synapse-local detect --json > server.json` there, \
      then `synapse-local recommend --hardware server.json` here.

      SYNAPSE_LOCAL_SYSROOT reads /proc and /sys under another root folder (for tests and fixtures).
      """)

  @Flag(name: .long, help: "Print the report as JSON (the documented contract in docs/detection.md).")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let report = try await HardwareDetector.detect(.live())
      if json {
        try Output.json(report)
      } else {
        HardwareTable.print(report)
      }
    }
  }
}

enum HardwareTable {
  static func print(_ report: HardwareReport) {
    let memory = report.memory
    Output.line("Memory")
    Output.table([
      ("total", ByteCount.format(memory.totalBytes) + (memory.unified ? " (unified, shared with the GPU)" : "")),
      ("available", ByteCount.format(memory.availableBytes)),
      ("container limit", memory.limitBytes.map { "\(ByteCount.format($0)) (\(memory.limitSource ?? "cgroup"))" } ?? "none"),
      ("effective", "\(ByteCount.format(memory.effectiveBytes))  (used for decisions)"),
    ])
    let cpu = report.cpu
    Output.line("CPU")
    Output.table([
      ("model", cpu.model),
      ("cores", "\(cpu.logicalCores) logical, \(cpu.physicalCores) physical"),
      ("container quota", cpu.quotaCores.map { String(format: "%.2f cores", $0) } ?? "none"),
      ("cpuset", cpu.cpusetCores.map { "\($0) CPUs" } ?? "all"),
      ("effective", "\(cpu.effectiveCores) cores  (used for decisions)"),
      ("architecture", cpu.arch),
      ("SIMD features", cpu.features.isEmpty ? "none that llama.cpp uses" : cpu.features.joined(separator: " ")),
    ])
    if let disk = report.disk {
      Output.line("Disk")
      Output.table([("model store", "\(disk.path) (\(disk.freeBytes.map { ByteCount.format($0) + " free" } ?? "free space unknown"))")])
    }
    Output.line("NVIDIA GPUs")
    if report.gpus.isEmpty {
      Output.line("  none")
    } else {
      for gpu in report.gpus {
        let capability =
          gpu.computeCapability.map {
            "compute \($0)\(gpu.computeCapabilitySource == "known-gpu table" ? " (from the known-GPU table)" : "")"
          } ?? "compute capability unknown"
        Output.table([
          (
            "\(gpu.index)",
            "\(gpu.name): \(ByteCount.format(gpu.memoryTotalBytes)) VRAM, \(ByteCount.format(gpu.memoryFreeBytes)) free, \(capability), driver \(gpu.driverVersion)"
          )
        ])
      }
      Output.table([("CUDA", report.cudaVersion.map { "\($0) (the newest the driver supports)" } ?? "unknown")])
    }
    for warning in report.warnings { Output.warning(warning) }
  }
}
