import Foundation

/// Runs the stack: starts the services in dependency order, each gated on the ones before it being
/// healthy; restarts what exits (capped exponential backoff) or stops answering its health check;
/// marks a crash loop failed; stops everything in reverse order. Each service runs under a
/// `ProcessKeeper`, so nothing outlives the supervisor.
///
/// What happens to a service is decided by its `ServiceLifecycle`; this actor only turns the
/// world's events into lifecycle events (a child's exit, a health verdict, a command, a timer)
/// and carries out the effects the lifecycle returns.
public actor Supervisor {
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
    /// Measured model load times are kept here (a swap's estimate of its wait).
    public var loadTimesFile: String?
    /// The effects: the clock, child processes, files and /proc.
    public var time: any TimeSource = SystemTime()
    public var launcher: any ProcessLauncher = SubprocessLauncher()
    public var files: any FileSystem = RootedFileSystem()
    public var processes: ProcessTable = .live
    /// Whether to check that nothing else listens on the services' ports before starting.
    public var checksPorts = true
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
      return policy
    }
  }

  public let project: String
  var specs: [ServiceSpec]
  let settings: Settings
  let prober: HealthProber
  /// Runs once the db is healthy (the database and the vector extension).
  let afterDatabase: (@Sendable () async throws -> Void)?
  /// Every run slot: the service's current one, and during a swap the engine loading beside it or
  /// the one on its way out.
  var slots: [Int: ServiceSlot] = [:]
  var nextSlot = 0
  /// The slot each service's status shows and commands reach.
  var current: [ServiceName: Int] = [:]
  /// The slot whose health may open the stable endpoint's route (none while a hold-mode swap holds).
  var routing: [ServiceName: Int] = [:]
  var stopping = false
  /// The stable endpoints in front of the engines, and the engine ports they may use right now.
  var endpoints: [ServiceName: StableEndpoint] = [:]
  let ready = ReadyEngines()
  /// Every model name each service has served since `up`, oldest first (clients started earlier
  /// may still send one).
  var servedNames: [ServiceName: [String]] = [:]
  /// The swap under way, and the last one done.
  var swapProgress: SwapProgress?
  var lastSwap: SwapReport?

  public init(project: String, specs: [ServiceSpec], settings: Settings, prober: HealthProber = HealthProber(), afterDatabase: (@Sendable () async throws -> Void)? = nil) {
    self.project = project
    self.specs = specs
    self.settings = settings
    self.prober = prober
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
      try? settings.files.createDirectory(folder, permissions: 0o700)
    }
    if settings.checksPorts {
      for spec in specs {
        for port in [spec.port] + (spec.enginePort.map { [$0] } ?? []) {
          if let taken = PortProbe.owner(of: port) {
            throw StackError.portTaken(service: spec.name, port: port, by: taken.isEmpty ? nil : taken)
          }
        }
      }
    }
    for spec in specs where spec.enginePort != nil && endpoints[spec.name] == nil {
      let ready = self.ready
      let name = spec.name
      endpoints[spec.name] = try StableEndpoint(host: settings.endpointHost, port: spec.port, holdLimit: spec.holdLimit, remoteKey: settings.remoteKey) {
        ready.route(name)
      }
    }
    // Level by level: the services of a level need only earlier levels, so they start together
    // (llm and embedding load their models at the same time).
    for level in Self.levels(specs) {
      let started = level.map { launch($0) }
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
    for id in slots.keys { slots[id]?.resumeWaiters(throwing: StackError.control("the stack is stopping")) }
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
    guard let id = current[name] else { throw StackError.control("\(name.rawValue) is not part of this stack") }
    if let swap = swapProgress, swap.service == name {
      throw StackError.control("a swap of \(name.rawValue) is under way; restart it once the swap has finished (synapse-local status)")
    }
    deliver(id, .restart)
  }

  public func status() -> StackStatus {
    let now = settings.time.now
    let services = specs.map { spec -> ServiceStatus in
      let slot = current[spec.name].flatMap { slots[$0] }
      let lifecycle = slot?.lifecycle ?? ServiceLifecycle(policy: settings.policy)
      let pid = slot.flatMap(servicePID)
      return ServiceStatus(
        name: spec.name, state: lifecycle.state, pid: pid, restarts: lifecycle.restarts, port: spec.port, enginePort: spec.enginePort,
        uptimeSeconds: lifecycle.startedAt.map { Int(now.timeIntervalSince($0)) }, rssBytes: pid.flatMap(settings.processes.residentBytes),
        model: spec.model, lastExit: lifecycle.lastExit, message: lifecycle.message)
    }
    var status = StackStatus(project: project, supervisorPID: getpid(), services: services)
    status.swap = swapProgress.map { progress in
      var progress = progress
      progress.elapsedMilliseconds = Int(now.timeIntervalSince(progress.startedAt) * 1000)
      return progress
    }
    status.lastSwap = lastSwap
    return status
  }

  /// Whether every service is healthy.
  public var allHealthy: Bool { specs.allSatisfy { spec in current[spec.name].flatMap { slots[$0] }?.lifecycle.phase == .healthy } }

  /// The spec a service runs now.
  public func currentSpec(_ name: ServiceName) -> ServiceSpec? { specs.first { $0.name == name } }

  // MARK: events and effects

  /// A new slot for `spec` (its own lifecycle, pid file and health monitor), not yet started.
  func makeSlot(_ spec: ServiceSpec, pidFile: String, policy: ServiceLifecycle.Policy) -> Int {
    nextSlot += 1
    let id = nextSlot
    slots[id] = ServiceSlot(id: id, spec: spec, lifecycle: ServiceLifecycle(policy: policy), pidFile: pidFile)
    slots[id]?.monitor = Task { await self.monitor(id) }
    return id
  }

  /// Starts a service in its current slot (made on first use).
  @discardableResult
  func launch(_ spec: ServiceSpec) -> Int {
    let id: Int
    if let existing = current[spec.name], slots[existing] != nil {
      id = existing
      slots[id]?.spec = spec
    } else {
      var policy = settings.policy
      policy.restart = spec.restart
      id = makeSlot(spec, pidFile: pidFile(spec.name), policy: policy)
      current[spec.name] = id
      routing[spec.name] = id
    }
    if slots[id]?.monitor == nil { slots[id]?.monitor = Task { await self.monitor(id) } }
    deliver(id, .start)
    return id
  }

  /// The one way anything happens to a service: the event goes to its lifecycle, and the effects
  /// it returns are carried out.
  func deliver(_ id: Int, _ event: ServiceLifecycle.Event) {
    guard var slot = slots[id] else {
      // A keeper spawned for a slot that is gone: it must not run on.
      if case .spawned(_, let pid) = event { settings.launcher.signal(pid, SIGTERM) }
      return
    }
    let before = slot.lifecycle.state
    let effects = slot.lifecycle.handle(event, at: settings.time.now)
    slots[id] = slot
    for effect in effects { perform(effect, in: id) }
    if let observer = settings.observer, current[slot.spec.name] == id, let after = slots[id]?.lifecycle.state, after != before {
      observer(slot.spec.name, after)
    }
  }

  func perform(_ effect: ServiceLifecycle.Effect, in id: Int) {
    guard let slot = slots[id] else { return }
    let name = slot.spec.name
    switch effect {
    case .spawn(let run):
      slots[id]?.runs[run] = spawn(slot, run: run)
    case .signalStop(let pid):
      settings.launcher.signal(pid, SIGTERM)
    case .startTimer(let timer, let pause):
      let time = settings.time
      slots[id]?.timer?.cancel()
      slots[id]?.timer = Task {
        guard (try? await time.sleep(for: pause)) != nil else { return }
        self.deliver(id, .timerFired(timer))
      }
    case .openRoute:
      if routing[name] == id { ready.set(name, route(slot.spec)) }
    case .closeRoute:
      if routing[name] == id { ready.set(name, nil) }
    case .loaded(let seconds):
      recordLoadTime(slot.spec, seconds: seconds)
    case .settled:
      slots[id]?.resumeWaiters()
    case .attachLogTail:
      let message = slot.lifecycle.message ?? "failed"
      slots[id]?.lifecycle.message = message + "; last lines of its log:\n" + logTail(name, lines: 10)
    }
  }

  /// One run of the keeper, to its end; its exit arrives as an event.
  func spawn(_ slot: ServiceSlot, run: Int) -> Task<Void, Never> {
    let spec = slot.spec
    let command = LaunchCommand(
      executable: settings.keeperExecutable,
      arguments: [
        "keeper", "--pid-file", slot.pidFile, "--stop-signal", String(spec.stopSignal), "--grace", "10", "--parent", String(getpid()), "--",
        spec.executable,
      ] + spec.arguments,
      environment: spec.environment, workingDirectory: spec.workingDirectory, logPath: settings.logFolder + "/\(spec.name.rawValue).log")
    let launcher = settings.launcher
    let id = slot.id
    return Task {
      let status: Int32
      do {
        status = try await launcher.run(command) { pid in await self.deliver(id, .spawned(run: run, pid: pid)) }
      } catch {
        self.note(id, "cannot start the keeper: \(error)")
        status = 127
      }
      self.runEnded(id, run: run, status: status)
    }
  }

  func note(_ id: Int, _ message: String) {
    slots[id]?.lifecycle.message = message
  }

  /// A keeper has ended: what it left behind goes, then its lifecycle hears of the exit.
  func runEnded(_ id: Int, run: Int, status: Int32) {
    if let slot = slots[id] {
      // A keeper killed outright left its pid file and maybe its service: end that group too.
      if let orphan = ProcessRecord.live(slot.pidFile, files: settings.files, table: settings.processes) {
        settings.launcher.killLeftover(orphan)
      }
      try? settings.files.remove(slot.pidFile)
    }
    slots[id]?.runs[run] = nil
    deliver(id, .exited(run: run, status: status))
  }

  /// Waits until a slot has no run left (after a stop).
  func ended(_ id: Int) async {
    while let runs = slots[id]?.runs, let next = runs.values.first {
      await next.value
    }
  }

  /// Ends a slot for good: its run stopped and gone, its monitor and timer cancelled, forgotten.
  func discard(_ id: Int) async {
    deliver(id, .stop)
    await ended(id)
    slots[id]?.monitor?.cancel()
    slots[id]?.timer?.cancel()
    slots[id]?.resumeWaiters(throwing: StackError.control("the run was ended"))
    slots[id] = nil
  }

  // MARK: files

  func pidFile(_ name: ServiceName) -> String { settings.runFolder + "/\(name.rawValue).pid" }

  func nextPIDFile(_ name: ServiceName) -> String { settings.runFolder + "/\(name.rawValue).next.pid" }

  /// The service's own pid (not its keeper's), while its run is the one its pid file names.
  func servicePID(_ slot: ServiceSlot) -> Int32? {
    guard slot.lifecycle.pid != nil else { return nil }
    return ProcessRecord.live(slot.pidFile, files: settings.files, table: settings.processes)
  }

  public func logTail(_ name: ServiceName, lines: Int) -> String {
    LogFiles.tail(settings.logFolder + "/\(name.rawValue).log", lines: lines)
  }

  /// 1 s, 2 s, 4 s... up to the cap.
  public static func backoff(failures: Int, base: Duration, cap: Duration) -> Duration {
    ServiceLifecycle.backoff(failures: failures, base: base, cap: cap)
  }
}
