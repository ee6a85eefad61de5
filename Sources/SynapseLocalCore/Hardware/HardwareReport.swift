import Foundation
import SynapseLocalSystem

/// What `detect` found: the input of every recommendation. Its JSON form (`detect --json`, and the
/// `--hardware FILE` that `recommend` reads) is a documented contract; see docs/detection.md.
public struct HardwareReport: Codable, Sendable, Equatable {
  public var os: String
  public var memory: MemoryReport
  public var cpu: CPUReport
  public var disk: DiskReport?
  public var gpus: [GPUReport]
  /// The highest CUDA version the NVIDIA driver supports, e.g. "12.4".
  public var cudaVersion: String?
  public var warnings: [String]
  /// ROCm's kernel driver (`/dev/kfd`) or its install (`/opt/rocm`) is present; false in reports
  /// written before AMD GPUs were detected.
  public var rocmVisible: Bool
  /// This machine's speed calibration (`detect --calibrate`), when one was taken on it.
  public var calibration: Calibration?

  public init(
    os: String, memory: MemoryReport, cpu: CPUReport, disk: DiskReport?, gpus: [GPUReport],
    cudaVersion: String?, warnings: [String], rocmVisible: Bool = false
  ) {
    self.os = os
    self.memory = memory
    self.cpu = cpu
    self.disk = disk
    self.gpus = gpus
    self.cudaVersion = cudaVersion
    self.warnings = warnings
    self.rocmVisible = rocmVisible
  }

  public var nvidiaGPUs: [GPUReport] { gpus.filter(\.isNVIDIA) }
  public var amdGPUs: [GPUReport] { gpus.filter { $0.vendor == .amd } }

  enum CodingKeys: String, CodingKey {
    case os, memory, cpu, disk, gpus, warnings, calibration
    case cudaVersion = "cuda_version"
    case rocmVisible = "rocm_visible"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    os = try c.decodeIfPresent(String.self, forKey: .os) ?? "linux"
    memory = try c.decode(MemoryReport.self, forKey: .memory)
    cpu = try c.decode(CPUReport.self, forKey: .cpu)
    disk = try c.decodeIfPresent(DiskReport.self, forKey: .disk)
    gpus = try c.decodeIfPresent([GPUReport].self, forKey: .gpus) ?? []
    cudaVersion = try c.decodeIfPresent(String.self, forKey: .cudaVersion)
    warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
    calibration = try c.decodeIfPresent(Calibration.self, forKey: .calibration)
    rocmVisible = try c.decodeIfPresent(Bool.self, forKey: .rocmVisible) ?? false
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(os, forKey: .os)
    try c.encode(memory, forKey: .memory)
    try c.encode(cpu, forKey: .cpu)
    try c.encode(disk, forKey: .disk)
    try c.encode(gpus, forKey: .gpus)
    try c.encode(cudaVersion, forKey: .cudaVersion)
    try c.encode(rocmVisible, forKey: .rocmVisible)
    try c.encode(warnings, forKey: .warnings)
    try c.encode(calibration, forKey: .calibration)
  }
}
