import Foundation

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

  public init(
    os: String, memory: MemoryReport, cpu: CPUReport, disk: DiskReport?, gpus: [GPUReport],
    cudaVersion: String?, warnings: [String]
  ) {
    self.os = os
    self.memory = memory
    self.cpu = cpu
    self.disk = disk
    self.gpus = gpus
    self.cudaVersion = cudaVersion
    self.warnings = warnings
  }

  enum CodingKeys: String, CodingKey {
    case os, memory, cpu, disk, gpus, warnings
    case cudaVersion = "cuda_version"
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
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(os, forKey: .os)
    try c.encode(memory, forKey: .memory)
    try c.encode(cpu, forKey: .cpu)
    try c.encode(disk, forKey: .disk)
    try c.encode(gpus, forKey: .gpus)
    try c.encode(cudaVersion, forKey: .cudaVersion)
    try c.encode(warnings, forKey: .warnings)
  }
}

public struct MemoryReport: Codable, Sendable, Equatable {
  public var totalBytes: UInt64
  public var availableBytes: UInt64
  /// The container (cgroup) limit, nil when none applies or it is above the machine's memory.
  public var limitBytes: UInt64?
  /// The smallest of total, available and limit: the figure every decision uses.
  public var effectiveBytes: UInt64
  /// Where the limit came from, e.g. "cgroup v2 memory.max".
  public var limitSource: String?
  /// True on Apple Silicon, where the GPU shares this memory.
  public var unified: Bool

  public init(
    totalBytes: UInt64, availableBytes: UInt64, limitBytes: UInt64?, limitSource: String? = nil,
    unified: Bool = false
  ) {
    self.totalBytes = totalBytes
    self.availableBytes = availableBytes
    self.limitBytes = limitBytes
    self.limitSource = limitSource
    self.unified = unified
    self.effectiveBytes = min(totalBytes, availableBytes, limitBytes ?? .max)
  }

  enum CodingKeys: String, CodingKey {
    case totalBytes = "total_bytes"
    case availableBytes = "available_bytes"
    case limitBytes = "limit_bytes"
    case effectiveBytes = "effective_bytes"
    case limitSource = "limit_source"
    case unified
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    totalBytes = try c.decode(UInt64.self, forKey: .totalBytes)
    availableBytes = try c.decodeIfPresent(UInt64.self, forKey: .availableBytes) ?? totalBytes
    limitBytes = try c.decodeIfPresent(UInt64.self, forKey: .limitBytes)
    limitSource = try c.decodeIfPresent(String.self, forKey: .limitSource)
    unified = try c.decodeIfPresent(Bool.self, forKey: .unified) ?? false
    effectiveBytes =
      try c.decodeIfPresent(UInt64.self, forKey: .effectiveBytes)
      ?? min(totalBytes, availableBytes, limitBytes ?? .max)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(totalBytes, forKey: .totalBytes)
    try c.encode(availableBytes, forKey: .availableBytes)
    try c.encode(limitBytes, forKey: .limitBytes)
    try c.encode(effectiveBytes, forKey: .effectiveBytes)
    try c.encode(limitSource, forKey: .limitSource)
    try c.encode(unified, forKey: .unified)
  }
}

public struct CPUReport: Codable, Sendable, Equatable {
  public var model: String
  public var logicalCores: Int
  public var physicalCores: Int
  /// The cgroup CPU quota in cores (e.g. 1.5), nil when none is set.
  public var quotaCores: Double?
  /// CPUs allowed by the cgroup cpuset, nil when it allows all of them.
  public var cpusetCores: Int?
  /// The smallest of logical, physical, quota (rounded down, at least 1) and cpuset.
  public var effectiveCores: Int
  public var arch: String
  /// SIMD features llama.cpp uses, in llama.cpp's spelling (avx2, avx512f, neon, dotprod, ...).
  public var features: [String]

  public init(
    model: String, logicalCores: Int, physicalCores: Int, quotaCores: Double?, cpusetCores: Int?,
    arch: String, features: [String]
  ) {
    self.model = model
    self.logicalCores = logicalCores
    self.physicalCores = physicalCores
    self.quotaCores = quotaCores
    self.cpusetCores = cpusetCores
    self.arch = arch
    self.features = features
    self.effectiveCores = Self.effective(
      logical: logicalCores, physical: physicalCores, quota: quotaCores, cpuset: cpusetCores)
  }

  static func effective(logical: Int, physical: Int, quota: Double?, cpuset: Int?) -> Int {
    var cores = min(logical, physical)
    if let quota, quota < Double(cores) { cores = min(cores, Int(max(0, quota).rounded(.down))) }
    if let cpuset { cores = min(cores, cpuset) }
    return max(1, cores)
  }

  enum CodingKeys: String, CodingKey {
    case model, arch, features
    case logicalCores = "logical_cores"
    case physicalCores = "physical_cores"
    case quotaCores = "quota_cores"
    case cpusetCores = "cpuset_cores"
    case effectiveCores = "effective_cores"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    model = try c.decodeIfPresent(String.self, forKey: .model) ?? "unknown"
    logicalCores = try c.decode(Int.self, forKey: .logicalCores)
    physicalCores = try c.decodeIfPresent(Int.self, forKey: .physicalCores) ?? logicalCores
    quotaCores = try c.decodeIfPresent(Double.self, forKey: .quotaCores)
    cpusetCores = try c.decodeIfPresent(Int.self, forKey: .cpusetCores)
    arch = try c.decodeIfPresent(String.self, forKey: .arch) ?? "unknown"
    features = try c.decodeIfPresent([String].self, forKey: .features) ?? []
    effectiveCores =
      try c.decodeIfPresent(Int.self, forKey: .effectiveCores)
      ?? Self.effective(logical: logicalCores, physical: physicalCores, quota: quotaCores, cpuset: cpusetCores)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(model, forKey: .model)
    try c.encode(logicalCores, forKey: .logicalCores)
    try c.encode(physicalCores, forKey: .physicalCores)
    try c.encode(quotaCores, forKey: .quotaCores)
    try c.encode(cpusetCores, forKey: .cpusetCores)
    try c.encode(effectiveCores, forKey: .effectiveCores)
    try c.encode(arch, forKey: .arch)
    try c.encode(features, forKey: .features)
  }
}

public struct DiskReport: Codable, Sendable, Equatable {
  /// The model store (Hugging Face cache) the figure is for.
  public var path: String
  public var freeBytes: UInt64?

  public init(path: String, freeBytes: UInt64?) {
    self.path = path
    self.freeBytes = freeBytes
  }

  enum CodingKeys: String, CodingKey {
    case path
    case freeBytes = "free_bytes"
  }
}

public struct GPUReport: Codable, Sendable, Equatable {
  public var index: Int
  public var name: String
  public var memoryTotalBytes: UInt64
  public var memoryFreeBytes: UInt64
  /// "8.6"; nil when neither the driver nor the table of known GPUs knows it.
  public var computeCapability: String?
  /// "nvidia-smi", "known-gpu table" or nil.
  public var computeCapabilitySource: String?
  public var driverVersion: String

  public init(
    index: Int, name: String, memoryTotalBytes: UInt64, memoryFreeBytes: UInt64,
    computeCapability: String?, computeCapabilitySource: String?, driverVersion: String
  ) {
    self.index = index
    self.name = name
    self.memoryTotalBytes = memoryTotalBytes
    self.memoryFreeBytes = memoryFreeBytes
    self.computeCapability = computeCapability
    self.computeCapabilitySource = computeCapabilitySource
    self.driverVersion = driverVersion
  }

  enum CodingKeys: String, CodingKey {
    case index, name
    case memoryTotalBytes = "memory_total_bytes"
    case memoryFreeBytes = "memory_free_bytes"
    case computeCapability = "compute_capability"
    case computeCapabilitySource = "compute_capability_source"
    case driverVersion = "driver_version"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
    name = try c.decode(String.self, forKey: .name)
    memoryTotalBytes = try c.decode(UInt64.self, forKey: .memoryTotalBytes)
    memoryFreeBytes = try c.decodeIfPresent(UInt64.self, forKey: .memoryFreeBytes) ?? memoryTotalBytes
    computeCapability = try c.decodeIfPresent(String.self, forKey: .computeCapability)
    computeCapabilitySource = try c.decodeIfPresent(String.self, forKey: .computeCapabilitySource)
    driverVersion = try c.decodeIfPresent(String.self, forKey: .driverVersion) ?? "unknown"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(index, forKey: .index)
    try c.encode(name, forKey: .name)
    try c.encode(memoryTotalBytes, forKey: .memoryTotalBytes)
    try c.encode(memoryFreeBytes, forKey: .memoryFreeBytes)
    try c.encode(computeCapability, forKey: .computeCapability)
    try c.encode(computeCapabilitySource, forKey: .computeCapabilitySource)
    try c.encode(driverVersion, forKey: .driverVersion)
  }
}
