import Foundation
import SynapseLocalCore
import SynapseLocalSystem

extension StatusTable {
  /// Engines unloaded for want of requests, and how often a request woke one since `up`.
  static func idleLines(_ status: StackStatus) -> [String] {
    status.services.compactMap { service in
      let woken = service.wakes == 1 ? "woken once since up" : "woken \(service.wakes) times since up"
      if service.state == .idle { return "\(service.name.rawValue) is idle (unloaded): the next request loads it; \(woken)" }
      return service.wakes > 0 ? "\(service.name.rawValue) unloads when idle; \(woken)" : nil
    }
  }
}
