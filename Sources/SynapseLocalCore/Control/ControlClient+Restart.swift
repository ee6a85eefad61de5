import Foundation

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
      throw StackError.control("\(service.rawValue) is not part of this stack")
    }
    return entry
  }
}
