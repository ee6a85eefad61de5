import Foundation
import SynapseLocalSystem

/// Runs the stack: starts the services in dependency order, each gated on the ones before it being
/// healthy; restarts what exits (capped exponential backoff) or stops answering its health check;
/// marks a crash loop failed; stops everything in reverse order. Each service runs under a
/// `ProcessKeeper`, so nothing outlives the supervisor.
///
/// What happens to a service is decided by its `ServiceLifecycle`; this actor only turns the
/// world's events into lifecycle events (a child's exit, a health verdict, a command, a timer)
/// and carries out the effects the lifecycle returns.
public actor Supervisor {
  public let project: String
  var specs: [ServiceSpec]
  let settings: Settings
  /// The effects: the clock, child processes (`launcher`), files, /proc (`processTable`), ports,
  /// HTTP and where it says what happened to a service (the supervisor's log under `up -d`, the
  /// terminal in the foreground).
  let context: Context
  let prober: HealthProber
  /// Runs once the db is healthy (the database and the vector extension).
  let afterDatabase: (@Sendable () async throws -> Void)?
  /// Every run slot: the service's current one, and during a swap the engine loading beside it or
  /// the one on its way out.
  var slots: [Int: ServiceSlot] = [:]
  var nextSlot = 0
  /// The slot each service's status shows and commands reach; its health opens and closes the
  /// stable endpoint's route (`routes`).
  var current: [ServiceName: Int] = [:]
  var stopping = false
  /// The stable endpoints in front of the engines, and the engine ports they may use right now.
  var endpoints: [ServiceName: StableEndpoint] = [:]
  let ready = ReadyEngines()
  /// Every model name each service has served since `up`, oldest first (clients started earlier
  /// may still send one).
  var servedNames: [ServiceName: [String]] = [:]
  /// The swap under way, and the last one done.
  var swapRun: SwapRun?
  var lastSwap: SwapReport?

  public init(
    project: String, specs: [ServiceSpec], settings: Settings, context: Context,
    afterDatabase: (@Sendable () async throws -> Void)? = nil
  ) {
    self.project = project
    self.specs = specs
    self.settings = settings
    self.context = context
    prober = HealthProber(transport: context.http, processes: context.processes, timeout: settings.healthTimeout)
    self.afterDatabase = afterDatabase
    for spec in specs {
      if let model = spec.model { servedNames[spec.name] = [model] }
    }
  }

  // MARK: starting and stopping

  /// Starts every service in order, each once the ones before it are healthy. On a service that
  /// does not become healthy in time, stops everything and throws with its last log lines.
  public func start() async throws {
    stopping = false
    for folder in [settings.runFolder, settings.logFolder] {
      try? context.files.createDirectory(folder, permissions: 0o700)
    }
    if settings.checksPorts {
      for spec in specs {
        for port in [spec.port] + (spec.enginePort.map { [$0] } ?? []) {
          if let taken = context.ports.owner(of: port) {
            throw StackError.portTaken(service: spec.name, port: port, by: taken.isEmpty ? nil : taken)
          }
        }
      }
    }
    for spec in specs where spec.enginePort != nil && endpoints[spec.name] == nil {
      let ready = self.ready
      let name = spec.name
      endpoints[spec.name] = try StableEndpoint(
        host: settings.endpointHost, port: spec.port, holdLimit: spec.holdLimit, remoteKey: settings.remoteKey,
        limits: settings.endpointLimits, registry: settings.metrics.registry, service: name.rawValue,
        provider: spec.provider ?? "llama.cpp"
      ) {
        ready.route(name)
      }
      watchActivity(name)
    }
    // Level by level: the services of a level need only earlier levels, so they start together
    // (llm and embedding load their models at the same time).
    for level in Self.levels(specs) {
      let started = level.map { launch($0, .boot) }
      do {
        try await withThrowingTaskGroup(of: Void.self) { group in
          for id in started { group.addTask { try await self.waitUntilHealthy(id) } }
          try await group.waitForAll()
        }
        if level.contains(where: { $0.name == .db }), let afterDatabase { try await afterDatabase() }
      } catch {
        await stop()
        throw error
      }
    }
  }

  /// The specs grouped by dependency depth: [db], [llm, embedding], [backend], [frontend].
  public static func levels(_ specs: [ServiceSpec]) -> [[ServiceSpec]] {
    func depth(_ name: ServiceName) -> Int { name.dependencies.map { depth($0) + 1 }.max() ?? 0 }
    let grouped = Dictionary(grouping: specs) { depth($0.name) }
    return grouped.keys.sorted().map { grouped[$0]!.sorted { $0.name < $1.name } }
  }

  /// Stops every service, in reverse order, and waits until each has ended.
  public func stop() async {
    stopping = true
    deliverSwap(.stackStopping)
    for id in slots.keys { slots[id]?.resumeWaiters(throwing: SupervisorError.stackStopping) }
    for name in ServiceName.allCases.reversed() {
      let ids = slots.values.filter { $0.spec.name == name }.map(\.id)
      for id in ids {
        slots[id]?.timer?.cancel()
        deliver(id, .stop)
      }
      for id in ids { await ended(id) }
      for id in ids { slots[id]?.monitor?.cancel() }
      ready.set(name, nil)
    }
    for endpoint in endpoints.values { endpoint.close() }
    endpoints = [:]
  }

  /// What the stable endpoints have done (held, replayed, unavailable), per service.
  public func endpointStatistics() -> [ServiceName: StableEndpoint.Counters] {
    endpoints.mapValues(\.statistics)
  }

  /// Restarts one service (the keeper stops its group; it starts again), or starts a failed or
  /// stopped one.
  public func restart(_ name: ServiceName) async throws {
    guard let id = current[name] else { throw ControlError.notInStack(name) }
    if stopping { throw SupervisorError.stackStopping }
    if let swap = swapRun?.lifecycle, swap.service == name {
      throw SupervisorError.swapUnderWay(name)
    }
    deliver(id, .restart)
  }

  /// Returns once a running service is healthy (after `restart`, say); throws with the reason when
  /// it fails or stops, or is not healthy within `seconds` (nil: its readiness limit). Unlike a
  /// start, a missed limit stops nothing: the service goes on starting.
  public func waitUntilHealthy(_ name: ServiceName, seconds: Double? = nil) async throws {
    guard let id = current[name] else { throw ControlError.notInStack(name) }
    do {
      try await waitUntilHealthy(id, limit: seconds)
    } catch StackError.unhealthy(let service, let limit, let tail) {
      // A --timeout of 0.5 s is said as such, not as 0 s.
      let waited = seconds.map { String(format: "%g", $0) } ?? String(limit)
      throw SupervisorError.stillStarting(service: service, waited: waited, logTail: tail)
    }
  }

  public func status() -> StackStatus {
    let now = context.time.now
    let services = specs.map { spec -> ServiceStatus in
      let slot = current[spec.name].flatMap { slots[$0] }
      let lifecycle = slot?.lifecycle ?? ServiceLifecycle(policy: settings.policy)
      let pid = slot.flatMap(servicePID)
      var status = ServiceStatus(
        name: spec.name, state: lifecycle.state, pid: pid, restarts: lifecycle.restarts, port: spec.port, enginePort: spec.enginePort,
        uptimeSeconds: lifecycle.startedAt.map { Int(now.timeIntervalSince($0)) },
        rssBytes: pid.flatMap(context.processTable.treeResidentBytes),
        model: spec.model, lastExit: lifecycle.lastExit, message: lifecycle.message, crashes: lifecycle.crashes,
        lastExitCause: lifecycle.lastExitReport?.cause, lastExitAt: lifecycle.lastExitReport?.at,
        lastExitWasCrash: lifecycle.lastExitReport?.crash)
      status.slowness = lifecycle.slowness
      status.program = spec.executable
      status.programSource = spec.programSource
      if spec.name == .llm || spec.name == .embedding { status.servedName = spec.model }
      status.wakes = lifecycle.wakes
      return status
    }
    var status = StackStatus(project: project, supervisorPID: getpid(), services: services)
    status.swap = swapRun?.lifecycle.progress.map { progress in
      var progress = progress
      progress.elapsedMilliseconds = Int(now.timeIntervalSince(progress.startedAt) * 1000)
      return progress
    }
    status.lastSwap = lastSwap
    status.statusPort = settings.statusPort
    return status
  }

  /// The spec a service runs now.
  public func currentSpec(_ name: ServiceName) -> ServiceSpec? { specs.first { $0.name == name } }

  // MARK: files

  func pidFile(_ name: ServiceName) -> String { settings.runFolder + "/\(name.rawValue).pid" }

  func nextPIDFile(_ name: ServiceName) -> String { settings.runFolder + "/\(name.rawValue).next.pid" }

  /// The service's own pid (not its keeper's), while its run is the one its pid file names.
  func servicePID(_ slot: ServiceSlot) -> Int32? {
    guard slot.lifecycle.pid != nil else { return nil }
    return ProcessRecord.live(slot.pidFile, files: context.files, table: context.processTable)
  }

  public func logTail(_ name: ServiceName, lines: Int) -> String {
    LogFiles.tail(settings.logFolder + "/\(name.rawValue).log", lines: lines, files: context.files)
  }

  /// 1 s, 2 s, 4 s... up to the cap.
  public static func backoff(failures: Int, base: Duration, cap: Duration) -> Duration {
    ServiceLifecycle.backoff(failures: failures, base: base, cap: cap)
  }
}
