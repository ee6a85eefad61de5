import Foundation
import SynapseLocalSystem

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
