import Foundation
import SynapseLocalSystem

/// Bytes in memory: damaged-file tests and headers already fetched.
public struct MemoryByteSource: GGUFByteSource {
  public var bytes: [UInt8]
  public var size: UInt64

  public init(_ bytes: [UInt8], size: UInt64? = nil) {
    self.bytes = bytes
    self.size = size ?? UInt64(bytes.count)
  }

  public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
    guard offset < UInt64(bytes.count), count > 0 else { return [] }
    let start = Int(offset)
    return Array(bytes[start..<min(bytes.count, start + count)])
  }
}
