import Foundation
import SynapseLocalSystem

/// What `ServiceLifecycle` speaks: the restart policy it follows, its phases, the events it takes
/// and the effects it asks the supervisor to carry out.
extension ServiceLifecycle {
  public struct Policy: Sendable, Equatable {
    public var restart: RestartPolicy = .onFailure
    /// Failed liveness checks in a row before a restart.
    public var livenessFailures = 3
    /// Quick exits in a row before the service is marked failed.
    public var crashLoopLimit = 5
    /// A run healthy this long is not part of a crash loop.
    public var stableSeconds: Double = 30
    public var backoffBase: Duration = .seconds(1)
    public var backoffCap: Duration = .seconds(30)
    /// Restart a run the watchdog finds degraded, once per degradation (`llm.restart_when_degraded`).
    public var restartWhenDegraded = false
    /// Unload after this long with no request at the stable endpoint (nil: never).
    public var idleAfter: Duration?
    /// Load at `up` even when idle unloading is on (without it, the first request loads it).
    public var preload = false

    public init() {}
  }

  public enum Phase: Sendable, Equatable {
    /// Not running: never started, stopped, or ended as its restart policy says.
    case stopped
    /// A run is launching or loading; readiness checks decide when it serves.
    case starting
    case healthy
    /// Serving, but slower than expected for windows in a row (the watchdog): `slowness` says how.
    case degraded
    /// Failing its liveness checks: `misses` in a row so far.
    case unhealthy(misses: Int)
    /// Waiting out a backoff before the next run; `timer` names the pause.
    case backingOff(timer: Int)
    /// A crash loop, or a failure the policy does not restart.
    case failed
    /// Its run was asked to stop and starts again when it has ended (liveness, `restart`).
    case stoppingToRestart
    /// Its run was asked to stop for good (`down`, or a swap retiring it).
    case stopping
    /// Not loaded, on purpose: no request came for `idleAfter` (or `up` left it for the first
    /// request). The next request starts it.
    case idle
    /// Its run was asked to stop for want of requests; it ends `idle`, or starts again at once if
    /// a request came meanwhile.
    case unloading
  }

  public enum Event: Sendable, Equatable {
    /// Run now (`up`; `restart` of a stopped or failed service).
    case start
    case spawned(run: Int, pid: Int32)
    case exited(run: Int, status: Int32)
    case health(run: Int, passed: Bool)
    /// `restart SERVICE`.
    case restart
    case stop
    case timerFired(Int)
    /// A swap retires this run: whatever ends it is not restarted (that would load the model being
    /// swapped out).
    case retire
    /// A swap's new run becomes the service's: restarted by `restart` from here on.
    case adopt(restart: RestartPolicy)
    /// What the supervisor saw of the run (a keeper that could not start): `status` shows it.
    case note(String)
    /// The last lines of the service's log, as `attachLogTail` asked: they follow the message.
    case logTail(String)
    /// The watchdog: the run has been slow for the windows it needs (and again while it stays so).
    case slow(run: Int, ServiceStatus.Slowness)
    /// The watchdog: a window at the expected speed (a degraded run recovers).
    case upToSpeed(run: Int)
    /// A failed liveness check, but the run produced tokens since the last check: alive, busy.
    case producing(run: Int)
    /// `up`: run now, or with idle unloading on and no preload, rest `idle` until a request.
    case boot
    /// A request arrived at the stable endpoint with none under way (held ones count): an idle
    /// service wakes, and no idle period runs while it lasts.
    case busy
    /// The stable endpoint's last request ended: the idle period starts over.
    case quiet
  }

  public enum Effect: Sendable, Equatable {
    /// Start the service's command as run number `run`.
    case spawn(run: Int)
    /// Ask the run's keeper (`pid`) to stop the service's process group.
    case signalStop(pid: Int32)
    case startTimer(Int, after: Duration)
    /// The stable endpoint may send requests to this engine, or must hold them.
    case openRoute
    case closeRoute
    /// The run answered its first health check, `seconds` after it was spawned.
    case loaded(seconds: Double)
    /// Healthy, failed or stopped: whoever waits for the service to be ready can stop waiting.
    case settled
    /// A crash loop: the message should carry the last lines of the service's log.
    case attachLogTail
  }
}
