import Foundation
import SynapseLocalSystem

/// A swap under way, as `status` shows it.
public struct SwapProgress: Codable, Sendable, Equatable {
  public enum Phase: String, Codable, Sendable {
    /// The new engine is loading (beside the old one, or after it stopped).
    case loading
    /// New requests go to the new engine; the old one finishes those it has.
    case draining
    /// Hold mode: the old engine finishes what it has before it stops; new requests wait.
    case holding
  }

  public var service: ServiceName
  public var from: String?
  public var to: String?
  public var mode: SwapMode
  public var phase: Phase
  public var startedAt: Date
  public var elapsedMilliseconds = 0

  enum CodingKeys: String, CodingKey {
    case service, from, to, mode, phase
    case startedAt = "started_at"
    case elapsedMilliseconds = "elapsed_ms"
  }
}
