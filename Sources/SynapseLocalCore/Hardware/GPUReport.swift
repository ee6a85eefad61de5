import Foundation
import SynapseLocalSystem

public struct GPUReport: Codable, Sendable, Equatable {
  /// The index among this vendor's GPUs (nvidia-smi's, or the order of the DRM cards for AMD).
  public var index: Int
  public var name: String
  public var memoryTotalBytes: UInt64
  public var memoryFreeBytes: UInt64
  /// "8.6"; nil when neither the driver nor the table of known GPUs knows it.
  public var computeCapability: String?
  /// "nvidia-smi", "known-gpu table" or nil.
  public var computeCapabilitySource: String?
  public var driverVersion: String
  /// "nvidia" in reports written before AMD GPUs were detected.
  public var vendor: GPUVendor
  /// The PCI device id, e.g. "0x744c"; read for AMD GPUs only.
  public var pciDeviceID: String?

  public init(
    index: Int, name: String, memoryTotalBytes: UInt64, memoryFreeBytes: UInt64,
    computeCapability: String?, computeCapabilitySource: String?, driverVersion: String,
    vendor: GPUVendor = .nvidia, pciDeviceID: String? = nil
  ) {
    self.index = index
    self.name = name
    self.memoryTotalBytes = memoryTotalBytes
    self.memoryFreeBytes = memoryFreeBytes
    self.computeCapability = computeCapability
    self.computeCapabilitySource = computeCapabilitySource
    self.driverVersion = driverVersion
    self.vendor = vendor
    self.pciDeviceID = pciDeviceID
  }

  /// A GPU that CUDA (llama.cpp's CUDA build, vLLM) can use at all.
  public var isNVIDIA: Bool { vendor == .nvidia }

  enum CodingKeys: String, CodingKey {
    case index, name, vendor
    case pciDeviceID = "pci_device_id"
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
    vendor = try c.decodeIfPresent(GPUVendor.self, forKey: .vendor) ?? .nvidia
    pciDeviceID = try c.decodeIfPresent(String.self, forKey: .pciDeviceID)
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
    try c.encode(vendor, forKey: .vendor)
    try c.encodeIfPresent(pciDeviceID, forKey: .pciDeviceID)
  }
}
