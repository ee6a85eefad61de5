import Foundation
import SynapseLocalSystem

/// What a supervisor is told: its folders, intervals and limits. Its effects (clock, children,
/// files, /proc, output, HTTP, ports) are the `Context` it is given.
extension Supervisor {
  public struct Settings: Sendable {
    /// The `synapse-local` binary, run as `keeper`.
    public var keeperExecutable: String
    public var runFolder: String
    public var logFolder: String
    /// Readiness polls, and liveness checks once healthy.
    public var readinessInterval: Duration = .milliseconds(500)
    public var livenessInterval: Duration = .seconds(5)
    /// Failed liveness checks in a row before a restart.
    public var livenessFailures = 3
    /// Quick exits in a row before a service is marked failed.
    public var crashLoopLimit = 5
    /// A run this long is not part of a crash loop.
    public var stableSeconds: Double = 30
    /// A service's log is rotated (to `<name>.log.1`) past this size.
    public var logLimitBytes: UInt64 = 10 << 20
    public var backoffBase: Duration = .seconds(1)
    public var backoffCap: Duration = .seconds(30)
    /// Where the stable endpoints listen: 0.0.0.0 with `expose_models`, and then clients not on
    /// loopback must send `remoteKey`.
    public var endpointHost = "127.0.0.1"
    public var remoteKey: String?
    /// What each client of a stable endpoint may take (`endpoint.*`).
    public var endpointLimits = EndpointLimits()
    /// Where the endpoints, health checks and swaps are counted (the status port's `/metrics`).
    public var metrics = StackMetrics()
    /// The status port, for `status` to name.
    public var statusPort: Int?
    /// Measured model load times are kept here (a swap's estimate of its wait).
    public var loadTimesFile: String?
    /// A health check not answered within this long is a miss (a hung service must not hold
    /// its monitor).
    public var healthTimeout: Duration = .seconds(5)
    /// Whether to check that nothing else listens on the services' ports before starting.
    public var checksPorts = true
    /// The watchdog of the chat engine's speed (`llm.slow_ratio`, `llm.restart_when_degraded`).
    public var watchdog = Watchdog.Settings()
    /// The speed expected of an engine's spec here (bench's figure, else recommend's); nil: none
    /// known, and the watchdog is off for it. Asked once per run.
    public var expectedSpeed: (@Sendable (ServiceSpec) async -> ExpectedSpeed?)?
    /// Hears each change of a service's state (`up -d` reports them as the stack starts).
    public var observer: (@Sendable (ServiceName, ServiceStatus.State) -> Void)?

    public init(keeperExecutable: String, runFolder: String, logFolder: String) {
      self.keeperExecutable = keeperExecutable
      self.runFolder = runFolder
      self.logFolder = logFolder
    }

    var policy: ServiceLifecycle.Policy {
      var policy = ServiceLifecycle.Policy()
      policy.livenessFailures = livenessFailures
      policy.crashLoopLimit = crashLoopLimit
      policy.stableSeconds = stableSeconds
      policy.backoffBase = backoffBase
      policy.backoffCap = backoffCap
      policy.restartWhenDegraded = watchdog.restartWhenDegraded
      return policy
    }
  }
}
