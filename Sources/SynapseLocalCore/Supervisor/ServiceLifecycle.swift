import Foundation
import SynapseLocalSystem

/// One service's life under the supervisor, as states and events. This is the only place that
/// decides what follows a spawn, an exit, a health verdict, a command or a timer; the supervisor
/// delivers the events and carries out the effects. Runs are numbered, and an event about a run
/// that is no longer the current one changes nothing (a health check in flight across a crash
/// cannot open the endpoint to the next run).
public struct ServiceLifecycle: Sendable, Equatable {
  public private(set) var phase: Phase = .stopped
  public private(set) var run = 0
  /// The current run's keeper, once spawned.
  public private(set) var pid: Int32?
  public private(set) var startedAt: Date?
  /// When the current run became healthy (a crash loop is counted from health, not from start).
  public private(set) var healthyAt: Date?
  public private(set) var restarts = 0
  public private(set) var quickExits = 0
  public private(set) var lastExit: Int32?
  /// Runs that ended without anyone asking: exits, and hangs the supervisor ended. A `restart`,
  /// `down` or swap is not one (`doctor` tells the two apart).
  public private(set) var crashes = 0
  /// How the last run ended and what followed: the supervisor logs it, `status` shows it.
  public private(set) var lastExitReport: ExitReport?
  public private(set) var message: String?
  public private(set) var policy: Policy
  /// The watchdog's figures while the run is slow (nil once a window is at speed, and for a new run).
  public private(set) var slowness: ServiceStatus.Slowness?
  /// A degradation restarted the engine already: not again until a run is up to speed.
  public private(set) var restartedForSlowness = false
  /// Starts of an idle service by a request (`status`'s `wakes`).
  public private(set) var wakes = 0
  /// Whether a request is under way at the stable endpoint (`busy` until `quiet`).
  public private(set) var busy = false
  /// The timer of the idle period under way (nil: none runs).
  private var idleTimer: Int?
  private var timer = 0
  /// Why the current run is being stopped to start again: a `restart`, or a hang.
  private var restartCause: RestartCause?

  private enum RestartCause { case asked, hung, slow }

  public init(policy: Policy) {
    self.policy = policy
  }

  /// The state `status` shows.
  public var state: ServiceStatus.State {
    switch phase {
    case .stopped, .stopping: .stopped
    case .starting: .starting
    case .healthy: .healthy
    case .degraded: .degraded
    case .unhealthy: .unhealthy
    case .backingOff, .stoppingToRestart: .restarting
    case .failed: .failed
    case .idle, .unloading: .idle
    }
  }

  /// 1 s, 2 s, 4 s... up to the cap.
  public static func backoff(failures: Int, base: Duration, cap: Duration) -> Duration {
    min(base * (1 << min(max(failures - 1, 0), 16)), cap)
  }

  public mutating func handle(_ event: Event, at now: Date) -> [Effect] {
    switch event {
    case .start:
      return startIfIdle() ?? []

    case .boot:
      guard phase == .stopped, policy.idleAfter != nil, !policy.preload else { return startIfIdle() ?? [] }
      phase = .idle
      return [.settled]

    case .busy:
      busy = true
      idleTimer = nil
      guard phase == .idle else { return [] }
      wakes += 1
      quickExits = 0
      message = nil
      return newRun()

    case .quiet:
      busy = false
      return phase == .healthy || phase == .degraded ? startIdlePeriod() : []

    case .spawned(let run, let pid):
      guard run == self.run else { return [.signalStop(pid: pid)] }
      self.pid = pid
      startedAt = now
      // Asked to stop before it even ran: now it can be told.
      return phase == .stopping || phase == .stoppingToRestart ? [.signalStop(pid: pid)] : []

    case .exited(let run, let status):
      guard run == self.run else { return [] }
      return exited(status, at: now)

    case .health(let run, let passed):
      guard run == self.run, pid != nil else { return [] }
      return passed ? healthPassed(at: now) : healthFailed()

    case .restart:
      if let started = startIfIdle() { return started }
      switch phase {
      case .starting, .healthy, .degraded, .unhealthy:
        phase = .stoppingToRestart
        restartCause = .asked
        return [.closeRoute] + (pid.map { [.signalStop(pid: $0)] } ?? [])
      case .unloading:
        // Already told to stop: it starts again when it has.
        phase = .stoppingToRestart
        restartCause = .asked
        return []
      default:
        return []
      }

    case .stop:
      switch phase {
      case .starting, .healthy, .degraded, .unhealthy, .stoppingToRestart:
        phase = .stopping
        return [.closeRoute] + (pid.map { [.signalStop(pid: $0)] } ?? [])
      case .backingOff, .idle:
        phase = .stopped
        return [.settled]
      case .unloading:
        phase = .stopping
        return [.closeRoute]
      case .stopped, .failed, .stopping:
        return []
      }

    case .timerFired(let fired):
      if fired == idleTimer { return idlePeriodEnded() }
      guard phase == .backingOff(timer: fired) else { return [] }
      return newRun()

    case .retire:
      policy.restart = .never
      return []

    case .adopt(let restart):
      policy.restart = restart
      return []

    case .note(let text):
      message = text
      return []

    case .logTail(let tail):
      message = (message ?? "failed") + ServiceStatus.logTailMarker + tail
      return []

    case .slow(let run, let slowness):
      guard run == self.run, pid != nil else { return [] }
      return slowed(slowness)

    case .upToSpeed(let run):
      guard run == self.run, pid != nil else { return [] }
      restartedForSlowness = false
      guard slowness != nil else { return [] }
      slowness = nil
      message = nil
      if phase == .degraded { phase = .healthy }
      return []

    case .producing(let run):
      // Still loading is readiness's business; serving runs need no miss forgiven.
      guard run == self.run, pid != nil, case .unhealthy = phase else { return [] }
      phase = slowness == nil ? .healthy : .degraded
      return [.openRoute]
    }
  }

  /// A new run when none is under way: a stopped or failed service starts with a fresh count, a
  /// backoff pause ends early. nil while a run is under way.
  private mutating func startIfIdle() -> [Effect]? {
    switch phase {
    case .stopped, .failed, .idle:
      quickExits = 0
      message = nil
      restartedForSlowness = false
      return newRun()
    case .backingOff:
      return newRun()
    default:
      return nil
    }
  }

  private mutating func newRun() -> [Effect] {
    run += 1
    phase = .starting
    restartCause = nil
    idleTimer = nil
    pid = nil
    startedAt = nil
    healthyAt = nil
    slowness = nil
    return [.spawn(run: run)]
  }

  /// The idle period starts (over): when it ends with no request meanwhile, the run is unloaded.
  private mutating func startIdlePeriod() -> [Effect] {
    guard let after = policy.idleAfter, !busy else { return [] }
    timer += 1
    idleTimer = timer
    return [.startTimer(timer, after: after)]
  }

  private mutating func idlePeriodEnded() -> [Effect] {
    idleTimer = nil
    guard phase == .healthy || phase == .degraded, !busy, let pid else { return [] }
    phase = .unloading
    return [.closeRoute, .signalStop(pid: pid)]
  }

  private mutating func exited(_ status: Int32, at now: Date) -> [Effect] {
    let wasHealthyAt = healthyAt
    pid = nil
    startedAt = nil
    healthyAt = nil
    lastExit = status
    // Healthy for a while: not part of a loop, whatever ended it.
    if let wasHealthyAt, now.timeIntervalSince(wasHealthyAt) >= policy.stableSeconds { quickExits = 0 }
    let cause = ExitReport.cause(status)
    func report(crash: Bool, _ line: String) {
      if crash { crashes += 1 }
      lastExitReport = ExitReport(status: status, at: now, crash: crash, line: line)
    }
    switch phase {
    case .stopping:
      phase = .stopped
      report(crash: false, "stopped as asked: \(cause)")
      return [.closeRoute, .settled]
    case .unloading:
      // Its memory is what idle unloading is for: not a crash, not a restart.
      quickExits = 0
      let idle = policy.idleAfter.map { " after \(ExitReport.pause($0)) without a request" } ?? ""
      slowness = nil
      guard busy else {
        phase = .idle
        report(crash: false, "unloaded\(idle): \(cause); the next request loads it again")
        return [.closeRoute]
      }
      wakes += 1
      report(crash: false, "unloaded\(idle): \(cause); a request came meanwhile, loading it again")
      return [.closeRoute] + newRun()
    case .stoppingToRestart:
      restarts += 1
      let why = restartCause
      restartCause = nil
      switch why {
      case .hung:
        report(
          crash: true, "stopped after \(policy.livenessFailures) health checks in a row went unanswered: \(cause); starting it again")
      case .slow:
        report(crash: false, "stopped because it was degraded (\(slowness.map(Self.figures) ?? "slow")): \(cause); starting it again")
      case .asked, nil:
        report(crash: false, "stopped for the restart asked for: \(cause); starting it again")
      }
      return [.closeRoute] + newRun()
    default:
      break
    }
    // A crash (or an end the service chose).
    if policy.restart == .never || (policy.restart == .onFailure && status == 0) {
      phase = status == 0 ? .stopped : .failed
      message = "exited with status \(status); its restart policy is \(policy.restart.rawValue)"
      report(crash: status != 0, "exited: \(cause); not restarted (restart policy \(policy.restart.rawValue))")
      return [.closeRoute, .settled]
    }
    quickExits += 1
    if quickExits >= policy.crashLoopLimit {
      phase = .failed
      message = "exited \(quickExits) times in a row (last status \(status))"
      report(crash: true, "exited: \(cause); marked failed after \(quickExits) exits in a row")
      return [.closeRoute, .attachLogTail, .settled]
    }
    restarts += 1
    timer += 1
    phase = .backingOff(timer: timer)
    let pause = Self.backoff(failures: quickExits, base: policy.backoffBase, cap: policy.backoffCap)
    report(
      crash: true,
      "exited: \(cause); restarting in \(ExitReport.pause(pause)), restart \(quickExits) of \(policy.crashLoopLimit - 1)")
    return [.closeRoute, .startTimer(timer, after: pause)]
  }

  private mutating func healthPassed(at now: Date) -> [Effect] {
    var effects: [Effect] = []
    switch phase {
    case .starting, .unhealthy:
      phase = slowness == nil ? .healthy : .degraded
    case .healthy, .degraded:
      break
    default:
      // Stopping: a late verdict must not open the endpoint to a run on its way out.
      return []
    }
    if healthyAt == nil {
      healthyAt = now
      if let startedAt { effects.append(.loaded(seconds: now.timeIntervalSince(startedAt))) }
      effects.append(.settled)
    }
    // Loaded and nobody asking (a preload, or a wake whose requests all ended while it loaded).
    if idleTimer == nil { effects += startIdlePeriod() }
    return [.openRoute] + effects
  }

  private mutating func healthFailed() -> [Effect] {
    let misses: Int
    switch phase {
    case .healthy, .degraded: misses = 1
    case .unhealthy(let before): misses = before + 1
    default: return []  // still loading: readiness has its own limit
    }
    guard misses >= policy.livenessFailures, let pid else {
      phase = .unhealthy(misses: misses)
      return [.closeRoute]
    }
    // Hung: the keeper stops the whole group (SIGCONT included), and it starts again.
    phase = .stoppingToRestart
    restartCause = .hung
    message = "restarted: no answer to \(policy.livenessFailures) health checks in a row"
    return [.closeRoute, .signalStop(pid: pid)]
  }

  /// Degraded: restarted once per degradation when the policy says so, else it serves on slowly.
  private mutating func slowed(_ figures: ServiceStatus.Slowness) -> [Effect] {
    switch phase {
    case .healthy, .degraded, .unhealthy: break
    default: return []
    }
    slowness = figures
    if policy.restartWhenDegraded, !restartedForSlowness, let pid {
      restartedForSlowness = true
      phase = .stoppingToRestart
      restartCause = .slow
      message = "restarted once: degraded, \(Self.figures(figures))"
      return [.closeRoute, .signalStop(pid: pid)]
    }
    if phase == .healthy { phase = .degraded }
    message =
      "degraded: \(Self.figures(figures))"
      + (restartedForSlowness ? "; still slow after the restart, so not restarted again until it is up to speed" : "")
    return []
  }

  /// "generating 2.1 tok/s, 20% of the 10.5 tok/s expected (bench), 3 slow windows in a row".
  static func figures(_ s: ServiceStatus.Slowness) -> String {
    let ratio = s.expectedTokensPerSecond > 0 ? s.measuredTokensPerSecond / s.expectedTokensPerSecond : 0
    let percent = String(format: "%.0f%%", ratio * 100)
    return
      "generating \(SpeedEstimate.format(s.measuredTokensPerSecond)), \(percent) of the \(SpeedEstimate.format(s.expectedTokensPerSecond)) expected (\(s.expectedFrom)), \(s.slowWindows) slow window\(s.slowWindows == 1 ? "" : "s") in a row"
  }
}
