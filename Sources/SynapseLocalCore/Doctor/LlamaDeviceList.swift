import Foundation
import SynapseLocalSystem

/// What `llama-server --list-devices` says: the devices its build can offload to. Current builds
/// print "Available devices:" and one line per non-CPU device, e.g.
/// `  CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23000 MiB free)`, then exit 0; a CPU-only build
/// lists none. A build from before the flag prints no such header.
public struct LlamaDeviceList: Sendable, Equatable {
  /// Device name ("CUDA0", "ROCm0", "Vulkan0", "Metal") and its description.
  public var devices: [(name: String, description: String)]
  /// The line saying why the CUDA backend did not load, when the output has one.
  public var cudaFailure: String?

  public static func == (a: Self, b: Self) -> Bool {
    a.devices.map(\.name) == b.devices.map(\.name) && a.devices.map(\.description) == b.devices.map(\.description)
      && a.cudaFailure == b.cudaFailure
  }

  /// Devices that are not GPUs: the CPU, and CPU-side accelerators and remote backends.
  static let notGPU = ["CPU", "BLAS", "AMX", "RPC"]

  /// Messages of a CUDA backend that cannot run: its libraries missing, or a driver too old.
  static let cudaFailures = [
    "libcudart", "libcublas", "libcuda.so", "cuda driver version is insufficient", "failed to initialize cuda",
    "no cuda-capable device", "forward compatibility was attempted",
  ]

  public var gpus: [(name: String, description: String)] {
    devices.filter { device in !Self.notGPU.contains { device.name.uppercased().hasPrefix($0) } }
  }

  /// nil when `stdout` is not a device list (a build without `--list-devices`) and `stderr` names
  /// no CUDA failure. Devices are read from stdout only: the backends log to stderr.
  public static func parse(stdout: String, stderr: String) -> LlamaDeviceList? {
    let lines = stdout.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    let logged = (stderr + "\n" + stdout).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    let failure = logged.first { line in cudaFailures.contains { line.lowercased().contains($0) } }
    guard let header = lines.firstIndex(where: { $0.hasPrefix("Available devices") }) else {
      return failure.map { LlamaDeviceList(devices: [], cudaFailure: $0) }
    }
    var devices: [(name: String, description: String)] = []
    for line in lines[(header + 1)...] {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = String(line[..<colon])
      guard !name.isEmpty, !name.contains(" ") else { continue }
      devices.append((name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    return LlamaDeviceList(devices: devices, cudaFailure: failure)
  }
}
