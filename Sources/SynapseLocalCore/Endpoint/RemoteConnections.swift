import Foundation
import SynapseLocalSystem

/// Connections from other hosts (under `expose_models`), up to the share they may hold, so
/// they cannot crowd out the backend on loopback.
final class RemoteConnections: @unchecked Sendable {
  static let limit = 256
  private let lock = NSLock()
  private var count = 0

  func admit() -> Bool {
    lock.withLock {
      guard count < Self.limit else { return false }
      count += 1
      return true
    }
  }

  func release() { lock.withLock { count -= 1 } }
}
