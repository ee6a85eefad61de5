import Foundation
import NIOCore
import NIOHTTP1
import Prometheus
import SynapseLocalSystem

/// The address the backend is configured with (`LOCAL_LLM_ENDPOINT`, `LOCAL_EMBEDDING_ENDPOINT`),
/// served by the supervisor and relayed to the engine on its internal port. Answers pass through
/// as they come (Server-Sent Events token by token); while no engine is ready (a restart after a
/// crash, a swap) requests are held, up to a limit, instead of failing; a request whose engine
/// died before answering a single byte is sent again (chat and embedding requests have no side
/// effects). A stream already under way cannot be saved: it ends with an error event.
///
/// The shared state lives here (routes, counts, metrics); each connection's work is an
/// `EngineRelay` on its event loop (`EndpointServer`).
public final class StableEndpoint: @unchecked Sendable {
  public struct Counters: Sendable, Equatable, Codable {
    public var requests = 0
    public var held = 0
    public var replayed = 0
    public var unavailable = 0
    /// Refused for want of the key (`--expose-models`).
    public var refused = 0
    public var longestWaitMilliseconds = 0

    enum CodingKeys: String, CodingKey {
      case requests, held, replayed, unavailable, refused
      case longestWaitMilliseconds = "longest_wait_ms"
    }
  }

  /// Where requests go right now.
  public struct Route: Sendable, Equatable {
    /// The engine's internal port.
    public var port: Int
    /// The name the engine serves, and names clients may still send from before a swap (a
    /// backend started earlier keeps its `model`): requests naming one of those are renamed.
    public var model: String?
    public var formerModels: Set<String>

    public init(port: Int, model: String? = nil, formerModels: Set<String> = []) {
      self.port = port
      self.model = model
      self.formerModels = formerModels
    }
  }

  public let port: Int
  let holdLimit: Duration
  /// The engine while it can take requests; nil while none can (hold).
  let route: @Sendable () -> Route?
  /// With `--expose-models`: the key clients not on loopback must send.
  let remoteKey: String?
  let metrics: EndpointMetrics
  private var server: EndpointServer?
  private let lock = NSLock()
  private var counters = Counters()
  /// Exchanges under way, and those sent to each engine port (a swap stops an engine only once
  /// the exchanges sent to it are over; requests held meanwhile are not among them).
  private var active = 0
  private var activeByEngine: [Int: Int] = [:]
  private var waiting = 0
  /// Bytes of answers relayed from each engine port: a stream under way is an engine at work,
  /// whatever its health check says (the supervisor's liveness).
  private var answered: [Int: Int] = [:]
  /// Those told when an engine port's count reaches zero (a swap's drain), or the hold empties.
  private var drainWatchers: [Int: [@Sendable () -> Void]] = [:]
  private var releaseWatchers: [@Sendable () -> Void] = []
  private let remote = RemoteConnections()
  private var windowLongestWait = 0
  /// Counts each change between no exchange and some (idle unloading's clock), and who hears it.
  private var activityGeneration = 0
  private var activityObserver: (@Sendable () -> Void)?
  /// Whether the observer hears at all: only an engine that unloads when idle needs to (two
  /// calls per request otherwise, each a hop to the supervisor: a quarter of its time at one
  /// connection, by perf).
  private var reportsActivity = false
  /// A call to the observer is on its way: changes before it reads `takeActivity()` need no other.
  private var activityCallPending = false
  /// What a held streamed request is told while it waits (the supervisor keeps it current).
  let progress = LoadProgress()

  /// Relays to one engine port (nil: hold).
  public convenience init(
    host: String = "127.0.0.1", port: Int, holdLimit: Duration, limits: EndpointLimits = EndpointLimits(),
    upstream: @escaping @Sendable () -> Int?
  ) throws {
    try self.init(host: host, port: port, holdLimit: holdLimit, remoteKey: nil, limits: limits) { upstream().map { Route(port: $0) } }
  }

  /// `host` 0.0.0.0 with a `remoteKey`: reachable from other hosts, which must send
  /// `Authorization: Bearer <key>`; loopback clients need none. `registry`: where its metrics go,
  /// labelled `service` (and `provider`, the engine, under OpenTelemetry's names).
  public init(
    host: String = "127.0.0.1", port: Int, holdLimit: Duration, remoteKey: String?, limits: EndpointLimits = EndpointLimits(),
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), service: String = "llm", provider: String = "llama.cpp",
    route: @escaping @Sendable () -> Route?
  ) throws {
    self.holdLimit = holdLimit
    self.route = route
    self.remoteKey = remoteKey
    metrics = EndpointMetrics(registry: registry, service: service, provider: provider)
    let box = WeakEndpoint()
    let limited = remoteKey != nil
    let countConnection: @Sendable (Bool) -> Bool = { loopback in box.endpoint?.admitConnection(loopback: loopback) ?? false }
    let connectionLimit = limited ? countConnection : nil
    let admit: @Sendable (HTTPRequestHead, Bool) -> EndpointErrorBody? = { head, loopback in
      box.endpoint?.admit(head, loopback: loopback)
    }
    let makeRelay: @Sendable (Bool) -> any EndpointResponder = { loopback in
      EngineRelay(endpoint: box, countsConnection: limited && !loopback)
    }
    let server = try EndpointServer(
      host: host, port: port, limits: limits, connectionLimit: connectionLimit, admit: admit, makeResponder: makeRelay)
    self.server = server
    self.port = server.port
    box.endpoint = self
  }

  public var statistics: Counters { lock.withLock { counters } }
  public var inFlight: Int { lock.withLock { active } }
  public func inFlight(toEngine port: Int) -> Int { lock.withLock { activeByEngine[port] ?? 0 } }
  /// Bytes of answers relayed from the engine on `port` so far.
  public func answerBytes(fromEngine port: Int) -> Int { lock.withLock { answered[port] ?? 0 } }
  /// Requests being held right now.
  public var holding: Int { lock.withLock { waiting } }
  /// The longest wait since `startWindow()` (a swap's own figure).
  public var windowLongestWaitMilliseconds: Int { lock.withLock { windowLongestWait } }
  public func startWindow() { lock.withLock { windowLongestWait = 0 } }

  /// How often the endpoint went from no exchange to some or back, and the exchanges now (held
  /// ones included): read together, so a look after a change always sees it. The observer's
  /// reading: a change after it calls the observer again.
  func takeActivity() -> (generation: Int, inFlight: Int) {
    lock.withLock {
      activityCallPending = false
      return (activityGeneration, active)
    }
  }

  /// `action` runs (on an event loop) when the first exchange begins or the last one ends, once
  /// for any number of such changes before it calls `takeActivity()`; only while `reportActivity`.
  func observeActivity(_ action: @escaping @Sendable () -> Void) { lock.withLock { activityObserver = action } }

  /// Whether the observer hears of activity from now on; true when that turned it on.
  func reportActivity(_ on: Bool) -> Bool {
    lock.withLock {
      defer { reportsActivity = on }
      return on && !reportsActivity
    }
  }

  /// Calls `action` once no exchange is counted against the engine on `port` (at once when none
  /// is), from whichever thread ends the last one: a swap waits for this, not for a poll.
  func whenDrained(engine port: Int, _ action: @escaping @Sendable () -> Void) {
    let now = lock.withLock {
      guard activeByEngine[port, default: 0] > 0 else { return true }
      drainWatchers[port, default: []].append(action)
      return false
    }
    if now { action() }
  }

  /// Calls `action` once no request is held (at once when none is).
  func whenReleased(_ action: @escaping @Sendable () -> Void) {
    let now = lock.withLock {
      guard waiting > 0 else { return true }
      releaseWatchers.append(action)
      return false
    }
    if now { action() }
  }

  public func close() {
    let server = lock.withLock {
      defer {
        self.server = nil
        // Nothing will be counted any more: whoever waits has its own limit.
        drainWatchers = [:]
        releaseWatchers = []
      }
      return self.server
    }
    server?.close()
  }

  // MARK: admission

  /// Other hosts get a bounded share of connections, so they cannot crowd out the backend.
  func admitConnection(loopback: Bool) -> Bool { loopback || remote.admit() }

  func remoteConnectionClosed() { remote.release() }

  /// Another host must send the key before any of its body is read.
  func admit(_ head: HTTPRequestHead, loopback: Bool) -> EndpointErrorBody? {
    guard !loopback, let remoteKey, !BearerKey.matches(head.headers.first(name: "authorization"), key: remoteKey) else { return nil }
    lock.withLock { counters.refused += 1 }
    metrics.answered(401)
    return EndpointErrorBody(
      status: .unauthorized,
      message:
        "this endpoint needs its key from other hosts: send Authorization: Bearer <the key in the project's state folder, secrets/models-key>"
    )
  }

  // MARK: an exchange's accounting (called by its relay)

  func began() {
    let observer = lock.withLock {
      counters.requests += 1
      active += 1
      return activityChanged(active == 1)
    }
    observer?()
    metrics.inFlight.increment()
  }

  func ended(code: UInt, since arrived: NIODeadline, replayed: Bool) {
    let observer = lock.withLock {
      active -= 1
      if replayed { counters.replayed += 1 }
      if code == 503 || code == 504 { counters.unavailable += 1 }
      return activityChanged(active == 0)
    }
    observer?()
    metrics.inFlight.decrement()
    metrics.answered(code)
    if replayed { metrics.replayed.increment() }
    metrics.duration.recordNanoseconds((NIODeadline.now() - arrived).nanoseconds)
  }

  func relayed(_ bytes: Int, fromEngine port: Int) {
    lock.withLock { answered[port, default: 0] += bytes }
  }

  /// (Under the lock.) The observer to call once the lock is let go, when `changed`.
  private func activityChanged(_ changed: Bool) -> (@Sendable () -> Void)? {
    guard changed else { return nil }
    activityGeneration += 1
    guard reportsActivity, !activityCallPending else { return nil }
    activityCallPending = activityObserver != nil
    return activityObserver
  }

  func sending(toEngine port: Int, _ change: Int) {
    let drained = lock.withLock {
      activeByEngine[port, default: 0] += change
      return activeByEngine[port] == 0 ? drainWatchers.removeValue(forKey: port) ?? [] : []
    }
    for action in drained { action() }
  }

  func holdBegan() {
    lock.withLock {
      counters.held += 1
      waiting += 1
    }
    metrics.held.increment()
    metrics.holding.increment()
  }

  /// A held request leaves the hold (sent on, or given up) after `waited`.
  func holdEnded(waited: TimeAmount, sent: Bool) {
    let milliseconds = Int(waited.nanoseconds / 1_000_000)
    let released = lock.withLock {
      waiting -= 1
      if sent {
        counters.longestWaitMilliseconds = max(counters.longestWaitMilliseconds, milliseconds)
        windowLongestWait = max(windowLongestWait, milliseconds)
      }
      defer { if waiting == 0 { releaseWatchers = [] } }
      return waiting == 0 ? releaseWatchers : []
    }
    for action in released { action() }
    metrics.holding.decrement()
    metrics.holdDuration.recordNanoseconds(waited.nanoseconds)
  }
}
