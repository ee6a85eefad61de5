import Foundation
import SynapseLocalSystem

extension ControlClient {
  /// `restart SERVICE`: asks for the restart and, with `wait`, waits until the service is healthy
  /// again (the supervisor answers when it is, or why it is not). Returns the service's status then.
  public func restart(_ service: ServiceName, wait: Bool, seconds: Double? = nil) throws -> ServiceStatus {
    _ = try send(.restart(service: service))
    if wait {
      // The restart has already moved the service out of healthy: no earlier health can answer.
      // The supervisor keeps the limit; this one only outlasts it.
      _ = try send(.awaitHealthy(service: service, seconds: seconds), timeout: (seconds ?? 900) + 60)
    }
    guard let entry = try status().services.first(where: { $0.name == service }) else {
      throw ControlError.notInStack(service)
    }
    return entry
  }

  /// `restart` with no service: every service of the stack, level by level as `up` starts them
  /// (db, then llm and embedding, then backend, then frontend), each level once the one before it
  /// is healthy again. Without `wait`, every restart is asked at once. Returns their statuses.
  public func restartAll(wait: Bool, seconds: Double? = nil) throws -> [ServiceStatus] {
    let names = try status().services.map(\.name)
    for level in Self.levels(names) {
      for name in level { _ = try send(.restart(service: name)) }
      guard wait else { continue }
      for name in level { _ = try send(.awaitHealthy(service: name, seconds: seconds), timeout: (seconds ?? 900) + 60) }
    }
    return try status().services
  }

  /// The services grouped by how many others they wait for, as the supervisor starts them.
  static func levels(_ names: [ServiceName]) -> [[ServiceName]] {
    func depth(_ name: ServiceName) -> Int { name.dependencies.map { depth($0) + 1 }.max() ?? 0 }
    let grouped = Dictionary(grouping: names, by: depth)
    return grouped.keys.sorted().map { grouped[$0]!.sorted() }
  }
}
