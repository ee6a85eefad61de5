import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// Runs the stack: starts the services in dependency order, each gated on the ones before it being
/// healthy; restarts what exits (capped exponential backoff) or stops answering its health check;
/// marks a crash loop failed; stops everything in reverse order. Each service runs under a
/// `ProcessKeeper`, so nothing outlives the supervisor.
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

    public init(keeperExecutable: String, runFolder: String, logFolder: String) {
      self.keeperExecutable = keeperExecutable
      self.runFolder = runFolder
      self.logFolder = logFolder
    }
  }

  struct Record {
    var state: ServiceStatus.State = .stopped
    var keeperPID: Int32?
    var startedAt: Date?
    /// When the current run became healthy (a crash loop is counted from health, not from start).
    var healthyAt: Date?
    var restarts = 0
    var quickExits = 0
    /// Set when the supervisor itself stopped the service to restart it (liveness, `restart`).
    var restartRequested = false
    /// Set when a swap retires this run: it ends instead of restarting.
    var retiring = false
    var lastExit: Int32?
    var message: String?
    var runner: Task<Void, Never>?
    var monitor: Task<Void, Never>?
    /// The current run's pid file (a run adopted from a side-by-side swap keeps the one it began with).
    var pidFile: String?
  }

  public let project: String
  var specs: [ServiceSpec]
  let settings: Settings
  let prober: HealthProber
  /// Runs once the db is healthy (the database and the vector extension).
  let afterDatabase: (@Sendable () async throws -> Void)?
  var records: [ServiceName: Record] = [:]
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
  /// The keeper of an engine loading beside the old one (a side-by-side swap).
  var candidateKeeper: Int32?
  var candidateEnded = false
  var candidateToken = 0

  public init(project: String, specs: [ServiceSpec], settings: Settings, prober: HealthProber = HealthProber(), afterDatabase: (@Sendable () async throws -> Void)? = nil) {
    self.project = project
    self.specs = specs
    self.settings = settings
    self.prober = prober
    self.afterDatabase = afterDatabase
    for spec in specs {
      records[spec.name] = Record()
      if let model = spec.model { servedNames[spec.name] = [model] }
    }
  }

  // MARK: starting and stopping

  /// Starts every service in order, each once the ones before it are healthy. On a service that
  /// does not become healthy in time, stops everything and throws with its last log lines.
  public func start() async throws {
    stopping = false
    for folder in [settings.runFolder, settings.logFolder] {
      try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
    for spec in specs {
      for port in [spec.port] + (spec.enginePort.map { [$0] } ?? []) {
        if let taken = PortProbe.owner(of: port) {
          throw StackError.portTaken(service: spec.name, port: port, by: taken.isEmpty ? nil : taken)
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
      for spec in level { launch(spec) }
      do {
        try await withThrowingTaskGroup(of: Void.self) { group in
          for spec in level { group.addTask { try await self.waitUntilHealthy(spec) } }
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
    if let candidateKeeper { kill(candidateKeeper, SIGTERM) }
    for spec in specs.sorted(by: { $0.name > $1.name }) {
      guard let record = records[spec.name] else { continue }
      record.monitor?.cancel()
      if let pid = record.keeperPID { kill(pid, SIGTERM) }
      await record.runner?.value
      records[spec.name]?.state = .stopped
      ready.set(spec.name, nil)
    }
    for endpoint in endpoints.values { endpoint.close() }
    endpoints = [:]
  }

  /// What the stable endpoints have done (held, replayed, unavailable), per service.
  public func endpointStatistics() -> [ServiceName: StableEndpoint.Counters] {
    endpoints.mapValues(\.statistics)
  }

  /// Restarts one service (the keeper stops its group; the runner starts it again).
  public func restart(_ name: ServiceName) async throws {
    guard let record = records[name] else { throw StackError.control("\(name.rawValue) is not part of this stack") }
    if let swap = swapProgress, swap.service == name {
      throw StackError.control("a swap of \(name.rawValue) is under way; restart it once the swap has finished (synapse-local status)")
    }
    if record.state == .failed || record.state == .stopped || record.runner == nil, let spec = specs.first(where: { $0.name == name }) {
      records[name]?.quickExits = 0
      launch(spec)
      return
    }
    records[name]?.restartRequested = true
    if let pid = record.keeperPID { kill(pid, SIGTERM) }
  }

  public func status() -> StackStatus {
    let services = specs.map { spec -> ServiceStatus in
      let record = records[spec.name] ?? Record()
      let pid = servicePID(spec.name)
      return ServiceStatus(
        name: spec.name, state: record.state, pid: pid, restarts: record.restarts, port: spec.port, enginePort: spec.enginePort,
        uptimeSeconds: record.startedAt.map { Int(Date().timeIntervalSince($0)) }, rssBytes: pid.flatMap(ProcessMemory.rss),
        model: spec.model, lastExit: record.lastExit, message: record.message)
    }
    var status = StackStatus(project: project, supervisorPID: getpid(), services: services)
    status.swap = swapProgress.map { progress in
      var progress = progress
      progress.elapsedMilliseconds = Int(Date().timeIntervalSince(progress.startedAt) * 1000)
      return progress
    }
    status.lastSwap = lastSwap
    return status
  }

  /// Whether every service is healthy.
  public var allHealthy: Bool { specs.allSatisfy { records[$0.name]?.state == .healthy } }

  // MARK: one service

  func launch(_ spec: ServiceSpec) {
    records[spec.name]?.state = .starting
    records[spec.name]?.message = nil
    records[spec.name]?.runner = Task { await self.runLoop(spec) }
    records[spec.name]?.monitor?.cancel()
    records[spec.name]?.monitor = Task { await self.monitorLoop(spec) }
  }

  /// Runs the service, restarting it by its policy. `adopting`: a run already under way (an engine
  /// started beside the old one in a swap), followed to its end before any restart.
  func runLoop(_ spec: ServiceSpec, adopting: Task<Int32, Never>? = nil) async {
    var adopted = adopting
    while !stopping && records[spec.name]?.retiring != true {
      let exit: Int32
      if let run = adopted {
        exit = await run.value
        adopted = nil
      } else {
        records[spec.name]?.startedAt = Date()
        // A restart keeps its run's pid file: the other one may belong to a swap's new engine.
        let file = records[spec.name]?.pidFile ?? pidFile(spec.name)
        records[spec.name]?.pidFile = file
        let name = spec.name
        exit = await runOnce(spec, pidFile: file) { pid in await self.setKeeper(name, pid) }
      }
      let runPIDFile = records[spec.name]?.pidFile ?? pidFile(spec.name)
      // A keeper killed outright left its pid file and maybe its service: end that group too.
      if let orphan = ProcessRecord.live(runPIDFile) {
        kill(-orphan, SIGKILL)
        kill(orphan, SIGKILL)
      }
      unlink(runPIDFile)
      // Gone: the stable endpoint holds new requests until the engine is healthy again (unless a
      // swap retired this run and the endpoint already sends elsewhere).
      if records[spec.name]?.retiring != true { ready.set(spec.name, nil) }
      let healthyAt = records[spec.name]?.healthyAt
      records[spec.name]?.keeperPID = nil
      records[spec.name]?.startedAt = nil
      records[spec.name]?.healthyAt = nil
      if stopping { break }
      records[spec.name]?.lastExit = exit
      let requested = records[spec.name]?.restartRequested ?? false
      records[spec.name]?.restartRequested = false
      if records[spec.name]?.retiring == true { return }
      if !requested && (spec.restart == .never || (spec.restart == .onFailure && exit == 0)) {
        records[spec.name]?.state = exit == 0 ? .stopped : .failed
        records[spec.name]?.message = "exited with status \(exit); its restart policy is \(spec.restart.rawValue)"
        records[spec.name]?.monitor?.cancel()
        return
      }
      // Healthy for a while: not part of a loop. A restart we asked for never counts.
      if let healthyAt, Date().timeIntervalSince(healthyAt) >= settings.stableSeconds { records[spec.name]?.quickExits = 0 }
      if !requested { records[spec.name]?.quickExits += 1 }
      let quick = records[spec.name]?.quickExits ?? 0
      if quick >= settings.crashLoopLimit {
        records[spec.name]?.state = .failed
        records[spec.name]?.message = "exited \(quick) times in a row (last status \(exit)); last lines of its log:\n" + logTail(spec.name, lines: 10)
        records[spec.name]?.monitor?.cancel()
        return
      }
      records[spec.name]?.state = .restarting
      records[spec.name]?.restarts += 1
      // The pause ends early when the stack is stopped.
      let resume = ContinuousClock.now + (requested ? .zero : backoff(max(quick, 1)))
      while ContinuousClock.now < resume && !stopping && records[spec.name]?.retiring != true { try? await Task.sleep(for: .milliseconds(50)) }
      if stopping || records[spec.name]?.retiring == true { break }
      records[spec.name]?.state = .starting
    }
  }

  /// 1 s, 2 s, 4 s... up to the cap.
  func backoff(_ failures: Int) -> Duration {
    Self.backoff(failures: failures, base: settings.backoffBase, cap: settings.backoffCap)
  }

  public static func backoff(failures: Int, base: Duration, cap: Duration) -> Duration {
    min(base * (1 << min(max(failures - 1, 0), 16)), cap)
  }

  /// One run of the keeper, to its end; its exit status (the service's). `spawned` gets the
  /// keeper's pid as soon as it runs.
  func runOnce(_ spec: ServiceSpec, pidFile: String, spawned: @escaping @Sendable (Int32) async -> Void) async -> Int32 {
    let logPath = settings.logFolder + "/\(spec.name.rawValue).log"
    guard let log = try? FileDescriptor.open(FilePath(logPath), .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite]) else {
      records[spec.name]?.message = "cannot open \(logPath)"
      return 127
    }
    defer { try? log.close() }
    let arguments = [
      "keeper", "--pid-file", pidFile, "--stop-signal", String(spec.stopSignal), "--grace", "10", "--parent", String(getpid()), "--",
      spec.executable,
    ] + spec.arguments
    var environment: [Subprocess.Environment.Key: String] = [:]
    for (key, value) in spec.environment {
      if let key = Subprocess.Environment.Key(rawValue: key) { environment[key] = value }
    }
    // Keepers get process groups of their own: a terminal's Ctrl-C reaches the supervisor only,
    // which then stops the services in reverse order.
    var options = PlatformOptions()
    options.processGroupID = 0
    do {
      let result = try await Subprocess.run(
        .path(FilePath(settings.keeperExecutable)), arguments: Arguments(arguments), environment: .custom(environment),
        workingDirectory: spec.workingDirectory.map { FilePath($0) }, platformOptions: options, input: .none,
        output: .fileDescriptor(log, closeAfterSpawningProcess: false), error: .fileDescriptor(log, closeAfterSpawningProcess: false)
      ) { execution in
        let pid = execution.processIdentifier.value
        await spawned(pid)
        while Self.isAlive(pid) { try? await Task.sleep(for: .milliseconds(100)) }
      }
      switch result.terminationStatus {
      case .exited(let code): return code
      case .signaled(let signal): return 128 + signal
      }
    } catch {
      records[spec.name]?.message = "cannot start the keeper: \(error)"
      return 127
    }
  }

  func setKeeper(_ name: ServiceName, _ pid: Int32) {
    records[name]?.keeperPID = pid
    // A new run is the restart anyone asked for.
    records[name]?.restartRequested = false
    // A stop (or a swap's retirement) that came while the keeper was being spawned found no pid
    // to signal.
    if stopping || records[name]?.retiring == true { kill(pid, SIGTERM) }
  }

  // MARK: files

  func pidFile(_ name: ServiceName) -> String { settings.runFolder + "/\(name.rawValue).pid" }

  func servicePID(_ name: ServiceName) -> Int32? {
    guard records[name]?.keeperPID != nil else { return nil }
    return ProcessRecord.live(records[name]?.pidFile ?? pidFile(name))
  }

  public func logTail(_ name: ServiceName, lines: Int) -> String {
    LogFiles.tail(settings.logFolder + "/\(name.rawValue).log", lines: lines)
  }

  static func isAlive(_ pid: Int32) -> Bool { ProcessLiveness.isAlive(pid) }
}
