import Foundation
import SynapseLocalSystem

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
