import Foundation
import SynapseLocalSystem

/// One swap of a service's engine, as phases and events, beside each slot's `ServiceLifecycle`.
/// This is the only place that decides what follows the new engine's health or failure, the old
/// engine's drain, a limit passing or the stack stopping, in either mode; the supervisor delivers
/// the events (its slots' verdicts, the stable endpoint's "drained", timers) and carries out the
/// effects. A failure rolls back through the same transitions (the new engine discarded, in hold
/// mode the old one started again), never by undoing changes by hand.
public struct SwapLifecycle: Sendable, Equatable {
  public enum Phase: Sendable, Equatable {
    /// Ordered, not begun.
    case proposed
    /// The new engine loads: beside the old one (side by side), or in its place once the old one
    /// has stopped (hold, requests waiting).
    case loading
    /// The old engine finishes the exchanges it has; new requests go to the new engine (side by
    /// side) or wait (hold).
    case draining
    /// The old engine is being stopped and forgotten.
    case stoppingOld
    /// Swapped: requests held meanwhile leave the hold, so the report counts their waits.
    case releasing
    /// Rolling back: the new engine is being stopped and forgotten.
    case discardingNew
    /// Side by side, rolled back: the error waits for the last lines of the log.
    case rolledBack
    /// Hold, rolling back: the old engine starts again.
    case restoringOld
    /// Over; the outcome was given.
    case finished
  }

  public enum Event: Sendable, Equatable {
    /// The order.
    case begin
    /// The new engine answered its first health check, `loadSeconds` after its spawn.
    case newHealthy(loadSeconds: Double)
    /// The new engine was marked failed before it was healthy (an exit its policy does not
    /// restart, or a crash loop); `exit`: its last status.
    case newFailed(exit: Int32?)
    /// The new engine stopped before it was healthy; `message` says why when it is known.
    case newStopped(exit: Int32?, message: String?)
    /// The stable endpoint has no exchange left with the old engine.
    case drained
    /// No request is held at the stable endpoint.
    case released
    case oldStopped
    case newDiscarded
    /// Hold rollback: the old engine, started again, settled (healthy or not).
    case oldRestored
    case timerFired(Int)
    /// The last lines of the service's log, as `attachLogTail` asked.
    case logTail(String)
    /// The stack is stopping (`down`): nothing more is started or waited for.
    case stackStopping
  }

  public enum Effect: Sendable, Equatable {
    /// Side by side: start the new engine in a slot of its own, not restarted while it loads (an
    /// exit is the swap's failure, not a crash).
    case startBeside
    /// Hold: the new spec becomes the service's and starts in its slot.
    case startInPlace
    /// Side by side: every request from here on goes to the new engine, under its name, and its
    /// slot becomes the service's, restarted by its own policy.
    case switchRoute
    /// Hold: new requests wait at the stable endpoint.
    case closeRoute
    /// The old run is on its way out: not restarted, its health no longer checked.
    case retireOld
    /// The stable endpoint raises `drained` once no exchange is left with the old engine.
    case awaitDrain
    /// The stable endpoint raises `released` once no request is held.
    case awaitRelease
    /// Read the old engine's counters, stop its slot and forget it; `oldStopped` follows.
    case stopOld
    /// Stop the new slot and forget it; `newDiscarded` follows.
    case discardNew
    /// Hold rollback: the old spec is the service's again, and the new name is forgotten.
    case restoreSpec
    /// Hold rollback: start the old spec again; `oldRestored` follows once it settles.
    case startOld
    case startTimer(Int, after: Duration)
    /// Read the last `lines` of the service's log and deliver them as `logTail`.
    case attachLogTail(lines: Int)
    /// The swap metric: whether it succeeded and how long it took.
    case count(succeeded: Bool, seconds: Double)
    case finish(Outcome)
  }

  public enum Outcome: Sendable, Equatable {
    /// The new engine serves: it took requests `switchSeconds` after the order, and loaded in
    /// `loadSeconds`.
    case swapped(switchSeconds: Double, loadSeconds: Double)
    /// The old engine serves on (or the stack is stopping); the message says why.
    case failed(String)
  }

  /// Why the new engine did not take over.
  private enum Failure: Equatable {
    case timedOut
    case failed(exit: Int32?)
    case stopped(exit: Int32?, message: String?)
    case stackStopping
  }

  public let mode: SwapMode
  /// The spec that serves now, and the one that replaces it.
  public let from: ServiceSpec
  public let to: ServiceSpec
  /// How long the old engine may take to finish its exchanges before it is stopped anyway.
  public let drainSeconds: Double
  public private(set) var phase: Phase = .proposed
  public private(set) var startedAt: Date?
  /// Set once known: the new engine's load, and when it took requests (after the order).
  public private(set) var loadSeconds: Double = 0
  public private(set) var switchSeconds: Double = 0
  public private(set) var stackStopping = false
  private var loadStartedAt: Date?
  private var failure: Failure?
  private var tail = ""
  /// The timer whose firing ends the current wait; an earlier one changes nothing.
  private var timer = 0

  public init(from: ServiceSpec, to: ServiceSpec, mode: SwapMode, drainSeconds: Double) {
    self.from = from
    self.to = to
    self.mode = mode
    self.drainSeconds = drainSeconds
  }

  public var service: ServiceName { to.name }

  /// Whether requests for the service wait whatever its runs' health says (hold mode, until the
  /// old engine is gone).
  public var holdsRequests: Bool { mode == .hold && (phase == .draining || phase == .stoppingOld) }

  /// The swap as `status` shows it; nil before it begins and once it is over.
  public var progress: SwapProgress? {
    guard let startedAt else { return nil }
    let shown: SwapProgress.Phase
    switch phase {
    case .proposed, .finished: return nil
    case .draining, .stoppingOld: shown = mode == .hold ? .holding : .draining
    case .releasing: shown = mode == .hold ? .loading : .draining
    case .loading, .discardingNew, .rolledBack, .restoringOld: shown = .loading
    }
    return SwapProgress(service: service, from: from.model, to: to.model, mode: mode, phase: shown, startedAt: startedAt)
  }

  public mutating func handle(_ event: Event, at now: Date) -> [Effect] {
    switch event {
    case .begin:
      guard phase == .proposed else { return [] }
      startedAt = now
      if mode == .hold {
        // New requests wait; those under way finish on the old engine.
        phase = .draining
        return [.closeRoute, .retireOld, .awaitDrain, startTimer(seconds: drainSeconds)]
      }
      if stackStopping { return finish(.failed("the stack is stopping"), at: now) }
      phase = .loading
      return [.startBeside, startTimer(seconds: to.readinessSeconds)]

    case .newHealthy(let loaded):
      guard phase == .loading else { return [] }
      if mode == .hold {
        // Measured from the order to start it: requests have waited since.
        loadSeconds = loadStartedAt.map { now.timeIntervalSince($0) } ?? loaded
        return swapped(at: now)
      }
      loadSeconds = loaded
      phase = .draining
      return [.switchRoute, .retireOld, .awaitDrain, startTimer(seconds: drainSeconds)]

    case .newFailed(let exit):
      return rollBack(.failed(exit: exit))

    case .newStopped(let exit, let message):
      return rollBack(.stopped(exit: exit, message: message))

    case .drained:
      return stopOld()

    case .oldStopped:
      guard phase == .stoppingOld else { return [] }
      if mode == .sideBySide { return swapped(at: now) }
      if stackStopping { return finish(.failed(endedMessage), at: now) }
      phase = .loading
      loadStartedAt = now
      return [.startInPlace, startTimer(seconds: to.readinessSeconds)]

    case .newDiscarded:
      guard phase == .discardingNew else { return [] }
      if mode == .sideBySide {
        phase = .rolledBack
        return [.attachLogTail(lines: 10)]
      }
      if stackStopping { return [.restoreSpec] + finish(.failed(endedMessage), at: now) }
      phase = .restoringOld
      return [.restoreSpec, .startOld, startTimer(seconds: from.readinessSeconds)]

    case .oldRestored:
      guard phase == .restoringOld else { return [] }
      return finish(.failed(restoredMessage), at: now)

    case .released:
      guard phase == .releasing else { return [] }
      return finish(.swapped(switchSeconds: switchSeconds, loadSeconds: loadSeconds), at: now)

    case .timerFired(let fired):
      guard fired == timer else { return [] }
      switch phase {
      case .loading: return rollBack(.timedOut)
      case .draining: return stopOld()
      case .releasing: return finish(.swapped(switchSeconds: switchSeconds, loadSeconds: loadSeconds), at: now)
      case .restoringOld: return finish(.failed(restoredMessage), at: now)
      default: return []
      }

    case .logTail(let text):
      tail = text
      guard phase == .rolledBack else { return [] }
      return finish(.failed(sideBySideMessage), at: now)

    case .stackStopping:
      stackStopping = true
      switch phase {
      case .loading: return rollBack(.stackStopping)
      // The old engine is being stopped with the stack: nothing is left to wait for.
      case .draining: return stopOld()
      case .restoringOld: return finish(.failed(restoredMessage), at: now)
      default: return []
      }
    }
  }

  // MARK: transitions

  private mutating func startTimer(seconds: Double) -> Effect {
    timer += 1
    return .startTimer(timer, after: .milliseconds(Int(seconds * 1000)))
  }

  private mutating func stopOld() -> [Effect] {
    guard phase == .draining else { return [] }
    phase = .stoppingOld
    return [.stopOld]
  }

  /// The new engine will not take over: it goes, and (hold) the old one comes back.
  private mutating func rollBack(_ why: Failure) -> [Effect] {
    guard phase == .loading else { return [] }
    failure = why
    phase = .discardingNew
    // Hold: the error quotes the log as the new engine left it, before the old one writes to it again.
    if mode == .hold && why != .stackStopping { return [.attachLogTail(lines: 20), .discardNew] }
    return [.discardNew]
  }

  private mutating func swapped(at now: Date) -> [Effect] {
    switchSeconds = startedAt.map { now.timeIntervalSince($0) } ?? 0
    phase = .releasing
    return [.count(succeeded: true, seconds: switchSeconds), .awaitRelease, startTimer(seconds: 5)]
  }

  private mutating func finish(_ outcome: Outcome, at now: Date) -> [Effect] {
    phase = .finished
    guard case .failed = outcome else { return [.finish(outcome)] }
    return [.count(succeeded: false, seconds: startedAt.map { now.timeIntervalSince($0) } ?? 0), .finish(outcome)]
  }

  // MARK: messages

  private var fromName: String { from.model ?? service.rawValue }
  private var toName: String { to.model ?? service.rawValue }

  private var sideBySideMessage: String {
    let why: String
    switch failure {
    case _ where stackStopping: why = "the stack is stopping"
    case .failed(let exit?), .stopped(let exit?, _): why = "it exited with status \(exit) before it was healthy"
    default: why = "it was not healthy within \(Int(to.readinessSeconds)) s"
    }
    return "the swap to \(toName) failed: \(why); \(fromName) serves on. Last lines of the \(service.rawValue) log:\n" + tail
  }

  private var endedMessage: String { "the swap to \(toName) was ended: the stack is stopping" }

  private var restoredMessage: String {
    let error: StackError
    switch failure {
    case .failed: error = .crashLoop(service: service, logTail: tail)
    case .stopped(_, let message): error = .cannotStart(service: service, reason: message ?? "it stopped before it was healthy")
    default: error = .unhealthy(service: service, seconds: Int(to.readinessSeconds), logTail: tail)
    }
    return "the swap to \(toName) failed, and \(fromName) serves again: \(error)"
  }
}
