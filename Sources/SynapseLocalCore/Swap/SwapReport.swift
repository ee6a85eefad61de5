import Foundation
import SynapseLocalSystem

/// What a swap did, as `swap --json` and `status` show it.
public struct SwapReport: Codable, Sendable, Equatable {
  public var service: ServiceName
  public var model: String?
  public var from: String?
  public var mode: SwapMode
  /// From the request to the new engine taking requests.
  public var switchMilliseconds: Int
  /// The new engine's load (launch to healthy).
  public var loadMilliseconds: Int
  /// Requests held at the stable endpoint during the swap, and the longest wait among them.
  public var heldRequests: Int
  public var longestWaitMilliseconds: Int
  /// Why this mode (filled in from the plan by whoever planned it).
  public var reason: String?
  public var warnings: [String] = []
  /// After a change of vector size: the pgvector columns whose rows must be embedded again.
  public var reembed: [PostgresBootstrap.VectorColumn]?

  enum CodingKeys: String, CodingKey {
    case service, model, from, mode
    case switchMilliseconds = "switch_ms"
    case loadMilliseconds = "load_ms"
    case heldRequests = "held_requests"
    case longestWaitMilliseconds = "longest_wait_ms"
    case reason, warnings, reembed
  }
}
