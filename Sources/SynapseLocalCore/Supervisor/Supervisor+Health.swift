import Foundation
import SynapseLocalSystem

/// A service's health as the supervisor follows it: readiness while it starts, liveness once it
/// serves, each verdict an event for its lifecycle; waiting for readiness; the stable endpoint's
/// route and the load time that health opens and measures.
extension Supervisor {
  /// Health checks for as long as the slot lives: at the readiness interval while it starts, at
  /// the liveness interval once it serves. Each verdict names the run it checked.
  func monitor(_ id: Int) async {
    let time = context.time
    while !Task.isCancelled {
      guard let slot = slots[id] else { return }
      let phase = slot.lifecycle.phase
      let serving = phase == .healthy || phase == .degraded || { if case .unhealthy = phase { true } else { false } }()
      guard (try? await time.sleep(for: serving ? settings.livenessInterval : settings.readinessInterval)) != nil else { return }
      guard !stopping, let slot = slots[id] else { return }
      LogFiles.rotate(settings.logFolder + "/\(slot.spec.name.rawValue).log", limit: settings.logLimitBytes, files: context.files)
      switch slot.lifecycle.phase {
      case .starting, .healthy, .degraded, .unhealthy: break
      default: continue
      }
      guard servicePID(slot) != nil else { continue }
      let run = slot.lifecycle.run
      let began = time.elapsed
      // An engine's counters are read beside its health check: they tell a busy engine whose
      // health check is slow from a hung one, and feed the watchdog.
      let engine = slot.lifecycle.phase != .starting && slot.spec.enginePort != nil
      async let reading = engine ? engineReading(slot.spec) : nil
      let healthy = await prober.isHealthy(slot.spec.health)
      settings.metrics.healthChecked(slot.spec.name, took: time.duration(since: began))
      let counters = await reading
      if Task.isCancelled || stopping { return }
      deliver(id, engine ? liveness(id, run: run, healthy: healthy, reading: counters) : .health(run: run, passed: healthy))
      if engine { await watchSpeed(id, run: run, reading: counters) }
    }
  }

  /// Returns once the slot's service is healthy; throws when it fails, stops, or is not healthy
  /// within `limit` seconds (nil: its readiness limit).
  func waitUntilHealthy(_ id: Int, limit: Double? = nil) async throws {
    guard let spec = slots[id]?.spec else { throw SupervisorError.stackStopping }
    let seconds = limit ?? spec.readinessSeconds
    if try readiness(id) { return }
    let time = context.time
    let settledInTime = try await withThrowingTaskGroup(of: Bool.self) { group in
      group.addTask { try await self.settlement(id) }
      group.addTask {
        try await time.sleep(for: .milliseconds(Int(seconds * 1000)))
        return false
      }
      defer { group.cancelAll() }
      while let settled = try await group.next() {
        // Woken without a verdict yet (a stop of another run, say): wait again.
        if settled, try !readiness(id) {
          group.addTask { try await self.settlement(id) }
          continue
        }
        return settled
      }
      return false
    }
    guard settledInTime else {
      throw StackError.unhealthy(service: spec.name, seconds: Int(seconds), logTail: logTail(spec.name, lines: 20))
    }
  }

  /// true when healthy, false while it may still become so; throws when it cannot any more.
  func readiness(_ id: Int) throws -> Bool {
    guard !stopping, let slot = slots[id] else { throw SupervisorError.stackStopping }
    let name = slot.spec.name
    switch slot.lifecycle.phase {
    // Idle is ready: the first request starts it.
    case .healthy, .degraded, .idle: return true
    case .failed: throw StackError.crashLoop(service: name, logTail: logTail(name, lines: 20))
    case .stopped, .stopping:
      throw StackError.cannotStart(service: name, reason: slot.lifecycle.message ?? "it stopped before it was healthy")
    default: return false
    }
  }

  /// Suspends until the slot's lifecycle settles (or the waiting task is cancelled).
  func settlement(_ id: Int) async throws -> Bool {
    let key = UUID()
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        guard let slot = slots[id] else { return continuation.resume(throwing: SupervisorError.stackStopping) }
        // Settled between the caller's look and now: no transition is left to wake us.
        switch slot.lifecycle.phase {
        case .healthy, .degraded, .failed, .stopped, .stopping, .idle: return continuation.resume()
        default: break
        }
        if stopping { return continuation.resume() }
        slots[id]?.waiters[key] = continuation
      }
    } onCancel: {
      Task { await self.cancelWaiter(id, key) }
    }
    return true
  }

  func cancelWaiter(_ id: Int, _ key: UUID) {
    slots[id]?.waiters.removeValue(forKey: key)?.resume(throwing: CancellationError())
  }

  /// Where the endpoint sends requests for this engine, with the names clients may still use.
  func route(_ spec: ServiceSpec) -> StableEndpoint.Route? {
    guard let port = spec.enginePort else { return nil }
    let former = Set(servedNames[spec.name] ?? []).subtracting(spec.model.map { [$0] } ?? [])
    return StableEndpoint.Route(port: port, model: spec.model, formerModels: former)
  }

  func recordLoadTime(_ spec: ServiceSpec, seconds: Double) {
    guard let file = settings.loadTimesFile, let key = spec.modelPath ?? spec.model else { return }
    LoadTimes.record(file: file, model: key, seconds: seconds, files: context.files)
  }
}
