import Foundation
import SynapseLocalSystem

/// How a swap replaces an engine.
public enum SwapMode: String, Codable, Sendable {
  /// The new engine loads beside the old one, which serves until the switch: nobody waits.
  case sideBySide = "side-by-side"
  /// The old engine stops first (memory holds one model); new requests wait at the stable endpoint
  /// until the new one is healthy.
  case hold
}
