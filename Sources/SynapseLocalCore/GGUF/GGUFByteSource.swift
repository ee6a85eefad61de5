import Foundation
import SynapseLocalSystem

/// Random access to a GGUF's bytes: a local file here; the model store adds a Hub file read with
/// HTTP `Range` requests.
public protocol GGUFByteSource {
  /// The whole file's size, even when only a prefix is at hand.
  var size: UInt64 { get }
  /// Up to `count` bytes from `offset`; fewer only at the end of what is available.
  func read(at offset: UInt64, count: Int) throws -> [UInt8]
}
