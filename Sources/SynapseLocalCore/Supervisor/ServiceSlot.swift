import Foundation
import SynapseLocalSystem

/// One run slot of a service in the supervisor: the spec it runs, its lifecycle, its pid file, and
/// the tasks that follow it. A service has one; during a side-by-side swap the new engine has a
/// second, which becomes the service's when it takes over.
struct ServiceSlot {
  let id: Int
  var spec: ServiceSpec
  var lifecycle: ServiceLifecycle
  let pidFile: String
  /// Health checks, for as long as the slot lives.
  var monitor: Task<Void, Never>?
  /// The backoff pause under way.
  var timer: Task<Void, Never>?
  /// The keeper runs under way, by run number (one, but for a moment two across a restart).
  var runs: [Int: Task<Void, Never>] = [:]
  /// The engine's speed and progress between liveness rounds (the watchdog).
  var watch = EngineWatch()
  /// The stable endpoint's activity generation this slot's lifecycle last heard (busy or quiet).
  var activitySeen: Int?
  /// Those waiting for the service to become healthy, fail or stop.
  var waiters: [UUID: CheckedContinuation<Void, any Error>] = [:]

  init(id: Int, spec: ServiceSpec, lifecycle: ServiceLifecycle, pidFile: String) {
    self.id = id
    self.spec = spec
    self.lifecycle = lifecycle
    self.pidFile = pidFile
  }

  /// Wakes every waiter (they read the lifecycle again); with an error, they stop waiting with it.
  mutating func resumeWaiters(throwing error: (any Error)? = nil) {
    let waiting = waiters
    waiters = [:]
    for continuation in waiting.values {
      if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
  }
}
