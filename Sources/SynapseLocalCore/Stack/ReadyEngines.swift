import Foundation

/// The engine ports the stable endpoints may send to, readable from their connection threads.
final class ReadyEngines: @unchecked Sendable {
  private let lock = NSLock()
  private var ports: [ServiceName: Int] = [:]

  func port(_ name: ServiceName) -> Int? { lock.withLock { ports[name] } }

  func set(_ name: ServiceName, _ port: Int?) { lock.withLock { ports[name] = port } }
}
