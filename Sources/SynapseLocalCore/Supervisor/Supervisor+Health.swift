import Foundation

/// A service's health as the supervisor follows it: readiness while it starts, liveness once it
/// serves (a hung service is restarted), the stable endpoint's route that health opens and closes,
/// and the load time it measures on the way.
extension Supervisor {
  /// Readiness while starting, liveness once healthy.
  func monitorLoop(_ spec: ServiceSpec) async {
    var misses = 0
    while !Task.isCancelled && !stopping {
      let state = records[spec.name]?.state ?? .stopped
      let interval = state == .healthy || state == .unhealthy ? settings.livenessInterval : settings.readinessInterval
      try? await Task.sleep(for: interval)
      if Task.isCancelled || stopping { return }
      LogFiles.rotate(settings.logFolder + "/\(spec.name.rawValue).log", limit: settings.logLimitBytes)
      guard let run = records[spec.name]?.keeperPID, servicePID(spec.name) != nil else { continue }
      let healthy = await prober.isHealthy(spec.health)
      if Task.isCancelled || stopping { return }
      // The engine may have died (and another started) while the check was under way: a verdict
      // on the old run must not open the stable endpoint to the new one.
      guard records[spec.name]?.keeperPID == run else { continue }
      let current = records[spec.name]?.state ?? .stopped
      if healthy {
        misses = 0
        if current == .starting || current == .unhealthy { records[spec.name]?.state = .healthy }
        if records[spec.name]?.healthyAt == nil {
          records[spec.name]?.healthyAt = Date()
          if let startedAt = records[spec.name]?.startedAt { recordLoadTime(spec, seconds: Date().timeIntervalSince(startedAt)) }
        }
        ready.set(spec.name, route(spec))
      } else if current == .healthy || current == .unhealthy {
        ready.set(spec.name, nil)
        misses += 1
        records[spec.name]?.state = .unhealthy
        if misses >= settings.livenessFailures, let pid = records[spec.name]?.keeperPID {
          // Hung: the keeper stops the whole group (SIGCONT included), the runner starts it again.
          misses = 0
          records[spec.name]?.message = "restarted: no answer to \(settings.livenessFailures) health checks in a row"
          records[spec.name]?.restartRequested = true
          kill(pid, SIGTERM)
        }
      }
    }
  }

  func waitUntilHealthy(_ spec: ServiceSpec) async throws {
    let deadline = Date().addingTimeInterval(spec.readinessSeconds)
    while Date() < deadline {
      if stopping { throw StackError.control("the stack is stopping") }
      switch records[spec.name]?.state {
      case .healthy?: return
      case .failed?:
        throw StackError.crashLoop(service: spec.name, logTail: logTail(spec.name, lines: 20))
      default: try await Task.sleep(for: .milliseconds(200))
      }
    }
    throw StackError.unhealthy(service: spec.name, seconds: Int(spec.readinessSeconds), logTail: logTail(spec.name, lines: 20))
  }

  /// Where the endpoint sends requests for this engine, with the names clients may still use.
  func route(_ spec: ServiceSpec) -> StableEndpoint.Route? {
    guard let port = spec.enginePort else { return nil }
    let former = Set(servedNames[spec.name] ?? []).subtracting(spec.model.map { [$0] } ?? [])
    return StableEndpoint.Route(port: port, model: spec.model, formerModels: former)
  }

  func recordLoadTime(_ spec: ServiceSpec, seconds: Double) {
    guard let file = settings.loadTimesFile, let key = spec.modelPath ?? spec.model else { return }
    LoadTimes.record(file: file, model: key, seconds: seconds)
  }
}
