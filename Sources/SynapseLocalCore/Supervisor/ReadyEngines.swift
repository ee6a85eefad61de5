import Foundation
import SynapseLocalSystem

/// Where each stable endpoint sends requests right now, readable from its connection threads. A
/// swap changes a route in one step: every request that reads it afterwards goes to the new engine.
final class ReadyEngines: @unchecked Sendable {
  private let lock = NSLock()
  private var routes: [ServiceName: StableEndpoint.Route] = [:]

  func route(_ name: ServiceName) -> StableEndpoint.Route? { lock.withLock { routes[name] } }

  func port(_ name: ServiceName) -> Int? { route(name)?.port }

  func set(_ name: ServiceName, _ route: StableEndpoint.Route?) { lock.withLock { routes[name] = route } }
}
