import Foundation
import SynapseLocalSystem

/// What the supervisor keeps between liveness rounds about an engine's run: the watchdog judging
/// its speed, and the marks that tell a busy engine from a hung one (its decoding steps, the
/// bytes its answers sent through the stable endpoint). A new run starts afresh.
struct EngineWatch: Sendable {
  var run = 0
  /// nil until the expectation is known; stays nil for a run without one (the watchdog is off).
  var watchdog: Watchdog?
  /// The expectation was asked for this run.
  var asked = false
  /// When the watchdog last read the engine's counters (the clock's monotonic reading).
  var lastSample: Duration?
  /// The marks at the last round.
  var steps: Double?
  var relayed: Int?
  /// A failed health check was forgiven for the run's progress in this run (logged once).
  var forgaveBusy = false
  /// The watchdog's being off was said (once per service, not per run).
  var announcedOff = false

  /// Fresh state for `run`, keeping what is said once per service.
  mutating func follow(_ run: Int) {
    guard run != self.run else { return }
    self = EngineWatch(run: run, announcedOff: announcedOff)
  }

  /// Takes this round's marks; true when either moved on since the last round. A mark not read
  /// this round (the engine's /metrics did not answer) keeps its last value.
  mutating func progressed(steps: Double?, relayed: Int?) -> Bool {
    defer {
      if let steps { self.steps = steps }
      if let relayed { self.relayed = relayed }
    }
    let engineMoved = steps.map { now in self.steps.map { now > $0 } ?? false } ?? false
    let bytesMoved = relayed.map { now in self.relayed.map { now > $0 } ?? false } ?? false
    return engineMoved || bytesMoved
  }
}
