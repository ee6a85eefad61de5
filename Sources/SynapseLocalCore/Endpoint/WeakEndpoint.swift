import Foundation
import NIOCore
import NIOHTTP1
import Prometheus
import SynapseLocalSystem

/// The endpoint as its connections' relays see it: set once the server is listening.
final class WeakEndpoint: @unchecked Sendable {
  private let lock = NSLock()
  private weak var value: StableEndpoint?
  var endpoint: StableEndpoint? {
    get { lock.withLock { value } }
    set { lock.withLock { value = newValue } }
  }
}
