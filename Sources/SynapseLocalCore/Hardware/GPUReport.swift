import Foundation

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
