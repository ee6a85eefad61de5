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

  /// Engines the watchdog finds slower than expected, with its figures.
  static func slowLines(_ status: StackStatus) -> [String] {
    status.services.compactMap { service in
      service.slowness.map { "\(service.name.rawValue) is degraded: \($0.summary); `synapse-local doctor` names the likely causes" }
    }
  }
}
