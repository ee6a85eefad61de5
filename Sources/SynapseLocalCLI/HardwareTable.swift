import Foundation
import SynapseLocalCore
import SynapseLocalSystem

enum HardwareTable {
  static func print(_ report: HardwareReport, to output: any OutputSink) {
    let memory = report.memory
    output.print("Memory")
    output.table([
      ("total", ByteCount.format(memory.totalBytes) + (memory.unified ? " (unified, shared with the GPU)" : "")),
      ("available", ByteCount.format(memory.availableBytes)),
      ("container limit", memory.limitBytes.map { "\(ByteCount.format($0)) (\(memory.limitSource ?? "cgroup"))" } ?? "none"),
      ("effective", "\(ByteCount.format(memory.effectiveBytes))  (used for decisions)"),
    ])
    let cpu = report.cpu
    output.print("CPU")
    output.table([
      ("model", cpu.model),
      ("cores", "\(cpu.logicalCores) logical, \(cpu.physicalCores) physical"),
      ("container quota", cpu.quotaCores.map { String(format: "%.2f cores", $0) } ?? "none"),
      ("cpuset", cpu.cpusetCores.map { "\($0) CPUs" } ?? "all"),
      ("effective", "\(cpu.effectiveCores) cores  (used for decisions)"),
      ("architecture", cpu.arch),
      ("SIMD features", cpu.features.isEmpty ? "none that llama.cpp uses" : cpu.features.joined(separator: " ")),
    ])
    if let disk = report.disk {
      output.print("Disk")
      output.table([("model store", "\(disk.path) (\(disk.freeBytes.map { ByteCount.format($0) + " free" } ?? "free space unknown"))")])
    }
    output.print("NVIDIA GPUs")
    if report.nvidiaGPUs.isEmpty {
      output.print("  none")
    } else {
      for gpu in report.nvidiaGPUs {
        let capability =
          gpu.computeCapability.map {
            "compute \($0)\(gpu.computeCapabilitySource == "known-gpu table" ? " (from the known-GPU table)" : "")"
          } ?? "compute capability unknown"
        output.table([
          (
            "\(gpu.index)",
            "\(gpu.name): \(ByteCount.format(gpu.memoryTotalBytes)) VRAM, \(ByteCount.format(gpu.memoryFreeBytes)) free, \(capability), driver \(gpu.driverVersion)"
          )
        ])
      }
      output.table([("CUDA", report.cudaVersion.map { "\($0) (the newest the driver supports)" } ?? "unknown")])
    }
    output.print("AMD GPUs")
    if report.amdGPUs.isEmpty {
      output.print("  none")
    } else {
      for gpu in report.amdGPUs {
        output.table([
          (
            "\(gpu.index)",
            "\(gpu.name): \(ByteCount.format(gpu.memoryTotalBytes)) VRAM, \(ByteCount.format(gpu.memoryFreeBytes)) free"
          )
        ])
      }
      output.table([("ROCm", report.rocmVisible ? "visible (/dev/kfd or /opt/rocm)" : "not visible (no /dev/kfd, no /opt/rocm)")])
    }
    output.print("Speed calibration")
    if let calibration = report.calibration {
      let bandwidth = calibration.bandwidth.map { "\($0.threads): \(String(format: "%.1f", $0.bytesPerSecond / 1e9))" }
      var rows = [
        ("taken", "\(calibration.takenAt) on \(calibration.machine.summary)"),
        ("bandwidth GB/s", bandwidth.joined(separator: ", ") + "  (by threads)"),
      ]
      if let run = calibration.engineRun {
        rows.append(("engine", "\(run.engine.rawValue) \(run.version), \(run.model), \(run.threads) threads"))
        rows.append(
          (
            "measured",
            "\(SpeedEstimate.format(run.promptTokensPerSecond)) prompt, \(SpeedEstimate.format(run.generationTokensPerSecond)) generation"
          ))
        rows.append(
          (
            "derived",
            String(
              format: "%.1f ms per-token overhead, %.0f GFLOP/s prompt compute", run.perTokenOverheadSeconds * 1000,
              run.computeOperationsPerSecond / 1e9)
          ))
      } else {
        rows.append(("engine", "not run (no engine or no model at hand)"))
      }
      output.table(rows)
    } else {
      output.print("  none: predictions use the per-architecture estimate; `synapse-local detect --calibrate` measures this machine")
    }
    for warning in report.warnings { output.warning(warning) }
  }
}
