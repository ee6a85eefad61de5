/// What a client asks of the running supervisor.
public enum ControlRequest: Codable, Sendable, Equatable {
  case status
  case down
  case restart(service: ServiceName)
  /// Answered once the service is healthy, or refused with why it is not: it failed, stopped, or
  /// was not healthy within `seconds` (nil: its readiness limit). `restart` sends it after `restart`.
  case awaitHealthy(service: ServiceName, seconds: Double?)
  /// What a swap would do (mode and why, warnings), without doing it.
  case planSwap(SwapOrder)
  case swap(SwapOrder)
}
