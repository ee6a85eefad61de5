import Foundation
import SynapseLocalSystem

/// One service in `status` and `status --json` (a contract for scripts; docs/stack.md).
public struct ServiceStatus: Codable, Sendable, Equatable {
  public enum State: String, Codable, Sendable, CaseIterable {
    case starting, healthy, unhealthy, restarting, failed, stopped
    /// Stopped after `idle_unload_seconds` without a request; the next request starts it again.
    case idle
    /// Answering, but slower than `llm.slow_ratio` of the speed expected here (the watchdog).
    case degraded
  }

  public var name: ServiceName
  public var state: State
  /// The service's own process (llama-server, postgres, python), not the keeper.
  public var pid: Int32?
  public var restarts: Int
  /// The port clients use (the stable endpoint's for llm and embedding).
  public var port: Int
  /// Where the engine itself listens, behind the stable endpoint.
  public var enginePort: Int?
  public var uptimeSeconds: Int?
  public var rssBytes: UInt64?
  public var model: String?
  public var lastExit: Int32?
  public var message: String?
  /// Runs that ended without anyone asking (exits, hangs the supervisor ended); `restarts` also
  /// counts the restarts asked for.
  public var crashes = 0
  /// How the last run ended ("killed by signal 9 (SIGKILL)", "exit status 1"), and when.
  public var lastExitCause: String?
  public var lastExitAt: Date?
  /// Whether the last run ended without anyone asking (not `restart`, `down` or a swap).
  public var lastExitWasCrash: Bool?
  /// The program the service runs, and where it came from (`SYNAPSE_LOCAL_LLAMA_SERVER`,
  /// `binaries.node`, `runtime llama.cpp b11541 (cpu), pinned by the lock`, `PATH`).
  public var program: String?
  public var programSource: String?
  /// The name clients ask for (`llm.served_name`, `embedding.served_name`); null for other services.
  public var servedName: String?
  /// How often an idle engine was started again by a request since `up`.
  public var wakes = 0
  /// The watchdog's figures while the engine is slower than expected (null otherwise).
  public var slowness: Slowness?

  /// What the watchdog measured of an engine gone slow.
  public struct Slowness: Codable, Sendable, Equatable {
    /// Generation tokens per second over the last window, and what is expected here.
    public var measuredTokensPerSecond: Double
    public var expectedTokensPerSecond: Double
    /// Where the expectation comes from: `bench` (measured here) or `recommend` (predicted).
    public var expectedFrom: String
    /// Windows in a row below `llm.slow_ratio` of the expectation.
    public var slowWindows: Int

    public init(measuredTokensPerSecond: Double, expectedTokensPerSecond: Double, expectedFrom: String, slowWindows: Int) {
      self.measuredTokensPerSecond = measuredTokensPerSecond
      self.expectedTokensPerSecond = expectedTokensPerSecond
      self.expectedFrom = expectedFrom
      self.slowWindows = slowWindows
    }

    /// "3.1 tok/s against 12.0 expected (bench), 3 windows in a row", for people.
    public var summary: String {
      String(
        format: "%.1f tok/s against %.1f expected (%@), %d windows in a row", measuredTokensPerSecond, expectedTokensPerSecond,
        expectedFrom, slowWindows)
    }

    enum CodingKeys: String, CodingKey {
      case measuredTokensPerSecond = "measured_tokens_per_second"
      case expectedTokensPerSecond = "expected_tokens_per_second"
      case expectedFrom = "expected_from"
      case slowWindows = "slow_windows"
    }
  }

  enum CodingKeys: String, CodingKey {
    case name, state, pid, restarts, port, model, message
    case uptimeSeconds = "uptime_seconds"
    case enginePort = "engine_port"
    case rssBytes = "rss_bytes"
    case lastExit = "last_exit"
    case crashes
    case lastExitCause = "last_exit_cause"
    case lastExitAt = "last_exit_at"
    case lastExitWasCrash = "last_exit_crash"
    case program
    case programSource = "program_source"
    case servedName = "served_name"
    case wakes, slowness
  }

  /// Between a failed service's reason and the last lines of its log, in `message`.
  public static let logTailMarker = "; last lines of its log:\n"

  /// The reason without the log's lines: a log may hold what the service was sent (prompts,
  /// queries, connection strings), which only this host's users may read.
  public var withoutLogTail: ServiceStatus {
    var status = self
    if let range = message?.range(of: Self.logTailMarker) { status.message = String(message![..<range.lowerBound]) }
    return status
  }

  public init(
    name: ServiceName, state: State, pid: Int32?, restarts: Int, port: Int, enginePort: Int?, uptimeSeconds: Int?, rssBytes: UInt64?,
    model: String?, lastExit: Int32?, message: String?, crashes: Int = 0, lastExitCause: String? = nil, lastExitAt: Date? = nil,
    lastExitWasCrash: Bool? = nil
  ) {
    self.name = name
    self.state = state
    self.pid = pid
    self.restarts = restarts
    self.port = port
    self.enginePort = enginePort
    self.uptimeSeconds = uptimeSeconds
    self.rssBytes = rssBytes
    self.model = model
    self.lastExit = lastExit
    self.message = message
    self.crashes = crashes
    self.lastExitCause = lastExitCause
    self.lastExitAt = lastExitAt
    self.lastExitWasCrash = lastExitWasCrash
  }

  /// The keys added since the first version are optional: a supervisor started by an earlier
  /// build of the same control protocol still answers `status`.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      name: try c.decode(ServiceName.self, forKey: .name), state: try c.decode(State.self, forKey: .state),
      pid: try c.decodeIfPresent(Int32.self, forKey: .pid), restarts: try c.decode(Int.self, forKey: .restarts),
      port: try c.decode(Int.self, forKey: .port), enginePort: try c.decodeIfPresent(Int.self, forKey: .enginePort),
      uptimeSeconds: try c.decodeIfPresent(Int.self, forKey: .uptimeSeconds),
      rssBytes: try c.decodeIfPresent(UInt64.self, forKey: .rssBytes),
      model: try c.decodeIfPresent(String.self, forKey: .model), lastExit: try c.decodeIfPresent(Int32.self, forKey: .lastExit),
      message: try c.decodeIfPresent(String.self, forKey: .message), crashes: try c.decodeIfPresent(Int.self, forKey: .crashes) ?? 0,
      lastExitCause: try c.decodeIfPresent(String.self, forKey: .lastExitCause),
      lastExitAt: try c.decodeIfPresent(String.self, forKey: .lastExitAt).flatMap { try? Date($0, strategy: .iso8601) },
      lastExitWasCrash: try c.decodeIfPresent(Bool.self, forKey: .lastExitWasCrash))
    program = try c.decodeIfPresent(String.self, forKey: .program)
    programSource = try c.decodeIfPresent(String.self, forKey: .programSource)
    servedName = try c.decodeIfPresent(String.self, forKey: .servedName)
    wakes = try c.decodeIfPresent(Int.self, forKey: .wakes) ?? 0
    slowness = try c.decodeIfPresent(Slowness.self, forKey: .slowness)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(state, forKey: .state)
    try c.encode(pid, forKey: .pid)
    try c.encode(restarts, forKey: .restarts)
    try c.encode(port, forKey: .port)
    try c.encodeIfPresent(enginePort, forKey: .enginePort)
    try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
    try c.encode(rssBytes, forKey: .rssBytes)
    try c.encodeIfPresent(model, forKey: .model)
    try c.encode(lastExit, forKey: .lastExit)
    try c.encode(message, forKey: .message)
    try c.encode(crashes, forKey: .crashes)
    try c.encode(lastExitCause, forKey: .lastExitCause)
    try c.encode(lastExitAt.map { $0.formatted(.iso8601) }, forKey: .lastExitAt)
    try c.encode(lastExitWasCrash, forKey: .lastExitWasCrash)
    try c.encode(program, forKey: .program)
    try c.encode(programSource, forKey: .programSource)
    try c.encode(servedName, forKey: .servedName)
    try c.encode(wakes, forKey: .wakes)
    try c.encode(slowness, forKey: .slowness)
  }
}
