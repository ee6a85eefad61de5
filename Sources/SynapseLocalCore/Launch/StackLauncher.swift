import Foundation
import SynapseLocalSystem

/// `up`: from a project folder (or nothing) to a supervised stack. A new user types one command:
/// with no project file, one is planned for this machine; models not in the store are pulled;
/// generated files are made when missing; then the supervisor runs, in the foreground or detached.
public struct StackLauncher: Sendable {
  public struct Options: Sendable {
    /// Re-hash the model files against their digests (sizes are always checked).
    public var verify = false
    /// Start even when the plan's memory estimate exceeds the machine's.
    public var ignoreMemory = false
    /// Refuse, rather than install, a runtime the stack lacks.
    public var noInstall = false
    /// Load every engine at `up`, even one that unloads when idle.
    public var preload = false

    public init(verify: Bool = false, ignoreMemory: Bool = false, noInstall: Bool = false, preload: Bool = false) {
      self.verify = verify
      self.ignoreMemory = ignoreMemory
      self.noInstall = noInstall
      self.preload = preload
    }
  }

  public var context: Context
  public var catalog: ModelCatalog

  public init(context: Context, catalog: ModelCatalog) {
    self.context = context
    self.catalog = catalog
  }

  /// Everything before the supervisor: the project planned, its runtimes installed and its models
  /// pulled when missing, the stack assembled, nothing already running for it, the model files and the memory checked.
  public func prepare(project: String, options: Options) async throws -> StackAssembly {
    if !context.files.exists(ProjectFile.path(in: project)) {
      context.output.info("no synapse-local.yaml in \(project): planning one for this machine (synapse-local init)")
      _ = try await ProjectInitializer(context: context).initialize(.init(folder: project))
    }
    let (configuration, lines) = try ProjectFile.loadWithLines(project: project, environment: context.environment, files: context.files)
    // Models the engines would refuse (a garbage GGUF, a missing path) stop `up` before it installs or starts anything.
    let refused = ProjectFile.referenceProblems(
      configuration, catalog: catalog, project: project, file: ProjectFile.path(in: project), lines: lines,
      environment: context.environment, files: context.files)
    guard refused.isEmpty else { throw ProjectError.invalid(refused) }
    let state = configuration.stateFolder(project: project, environment: context.environment)
    if let running = try ControlClient(state: state, project: project).runningStack() {
      throw StackError.alreadyRunning(project: project, pid: running.supervisorPID)
    }
    // The apps' needs first: they are quick to check, and a missing Node should not wait for a download.
    let apps = AppPreparation(context: context, configuration: configuration, project: project)
    let node = try await apps.check()
    for warning in [apps.localModeWarning()].compactMap({ $0 }) + apps.modeWarnings() { context.output.warning(warning) }
    // Programs before any model download: a program that cannot be had would make it wasted.
    let lock = try ProjectLock.load(project + "/" + ProjectLock.fileName, files: context.files)
    let runtimes = try await RuntimeResolver(context: context, platform: try Platform.current())
      .resolve(project: project, configuration: configuration, lines: lines, lock: lock)
    if !runtimes.installed.isEmpty {
      let chosen = runtimes.installed.values.sorted { $0.id.rawValue < $1.id.rawValue }
      try RuntimeInstaller(context: context).pin(chosen, project: project)
      for m in chosen {
        context.output.info(
          "using the installed \(m.id.rawValue) \(m.version) (\(m.variant)) in \(m.path), now pinned in \(ProjectLock.fileName)")
      }
    }
    if !runtimes.missing.isEmpty {
      let names = runtimes.missing.map(\.rawValue)
      if options.noInstall { throw RuntimeResolver.refusal(runtimes.missing, project: project) }
      context.output.info("installing what the project needs: \(names.joined(separator: " ")) (synapse-local install)")
      var install = RuntimeInstaller.Options()
      install.project = project
      for outcome in try await RuntimeInstaller(context: context).install(runtimes.missing, options: install) {
        let m = outcome.manifest
        context.output.info(
          "\(outcome.installedNow ? "installed" : "using the installed") \(m.id.rawValue) \(m.version) (\(m.variant)) in \(m.path)")
        for note in outcome.notes { context.output.warning(note) }
      }
    }
    let fetcher = ModelFetcher(context: context, catalog: catalog)
    let missing = try fetcher.missing(in: configuration, project: project)
    if !missing.isEmpty {
      context.output.info("pulling what the project needs: \(missing.map(\.description).joined(separator: " ")) (synapse-local pull)")
      _ = try await fetcher.pull(
        missing,
        options: .init(lockPath: ProjectLock.location(project: project, explicit: nil, files: context.files), configuration: configuration))
    }
    var assembled = try await StackAssembly.assemble(project: project, context: context, catalog: catalog)
    if options.preload { assembled.preloadEngines() }
    let assembly = assembled
    if let running = try ControlClient(state: assembly.state, project: project).runningStack() {
      throw StackError.alreadyRunning(project: project, pid: running.supervisorPID)
    }
    try assembly.checkModelFiles(verify: options.verify)
    if !options.ignoreMemory, let shortfall = assembly.memoryShortfall(hardware: try await HardwareDetector.detect(context)) {
      throw StackError.cannotStart(service: .llm, reason: shortfall)
    }
    if let note = try assembly.prepareEmbeddingModel() { context.output.info(note) }
    if let node {
      // A stop signal while npm installs stops npm too (its process group), then `up`.
      let output = context.output
      let environments = assembly.appEnvironments
      let steps = Task {
        try await apps.installAndBuild(
          node: node, environment: { environments[$0] ?? [:] }, state: assembly.state, announce: output.info)
      }
      let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { steps.cancel() }
      defer { signals.cancel() }
      do {
        try await steps.value
      } catch {
        if steps.isCancelled { throw LaunchError.stoppedBySignal }
        throw error
      }
    }
    return assembly
  }

  /// Starts `executable up --supervisor` in a session of its own and follows its startup events
  /// until every service is healthy (returns the status) or the start failed (throws, with the
  /// supervisor's last log lines when it died). `changed` hears each service's state as it moves.
  public func startDetached(
    _ assembly: StackAssembly, executable: String, preload: Bool = false,
    changed: @Sendable ([(ServiceName, ServiceStatus.State)]) -> Void
  ) async throws -> StackStatus {
    try context.files.createDirectory(assembly.logFolder, permissions: 0o700)
    let log = assembly.logFolder + "/supervisor.log"
    // The log keeps every run's lines: a failure shows this start's only.
    let offset = LogFiles.size(log, files: context.files)
    let (pid, startup) = try DetachedProcess.spawn(
      executable, ["up", "--project", assembly.project, "--supervisor"] + (preload ? ["--preload"] : []), log: log,
      startupVariable: StartupEvent.descriptorVariable)
    var states: [ServiceName: ServiceStatus.State] = [:]
    for await event in StartupEvent.read(startup) {
      switch event {
      case .state(let service, let state):
        states[service] = state
        changed(states.sorted { $0.key < $1.key })
      case .ready:
        return try ControlClient(state: assembly.state, project: assembly.project).status()
      case .failed(let reason):
        throw LaunchError.supervisorFailed(reason: reason)
      }
    }
    var status: Int32 = 0
    let ended = waitpid(pid, &status, WNOHANG) == pid ? status : nil
    throw LaunchError.supervisorEnded(output: LogFiles.appended(log, since: offset, files: context.files), status: ended, log: log)
  }

  /// The supervisor ended before it said ready or failed (it crashed, or was killed). Its reason
  /// comes first: the first line of its last error (an error of several lines is one block of
  /// error lines), else how it ended. Then what else this start wrote to its log, each line as
  /// written (with its own `synapse-local: …` label, never a second one). `status`: its wait
  /// status, when it could be had.
  static func endedBeforeReady(_ text: String, status: Int32?, log: String) -> String {
    let errorLabel = "synapse-local: error: "
    var lines = Array(text.split(separator: "\n").map(String.init).suffix(25))
    var first = lines.lastIndex { $0.hasPrefix(errorLabel) }
    while let index = first, index > 0, lines[index - 1].hasPrefix(errorLabel) { first = index - 1 }
    let last = first.map { lines.remove(at: $0) }
    let how =
      switch status {
      case .some(let status) where status & 0x7f == 0:
        "the supervisor exited with status \((status >> 8) & 0xff) before every service was healthy"
      case .some(let status): "the supervisor was killed by signal \(status & 0x7f) before every service was healthy"
      case nil: "the supervisor ended before every service was healthy"
      }
    let reason = last.map { String($0.dropFirst(errorLabel.count)) } ?? how
    guard !lines.isEmpty else { return reason }
    return ([reason, "synapse-local: what it wrote to \(log) in this start:"] + lines).joined(separator: "\n")
  }

  /// The supervisor itself: starts the stack, answers the control socket, and runs until a stop
  /// signal or `down`. `started` is called once every service is healthy.
  /// `startup`: the pipe to the `up -d` that started this supervisor, if one did.
  public func supervise(
    _ assembly: StackAssembly, keeper: String, startup: StartupEvent.Writer? = nil, started: @Sendable () -> Void = {}
  ) async throws {
    let startup = startup ?? StartupEvent.Writer(environment: [:])
    defer { startup.close() }
    // A start is placed by when it began: one that lost a race to a start begun after it is older.
    let began = context.time.now
    do {
      try await run(assembly, keeper: keeper, began: began, startup: startup, started: started)
    } catch {
      // Another stack answering is not this one failing: two `up -d` at once, the second finding
      // the first's ports (its status port, its socket) taken before it found it answering.
      if case StackError.alreadyRunning = error {
        startup.send(.failed("\(error)"))
        throw error
      }
      if let running = try? ControlClient(state: assembly.state, project: assembly.project).runningStack(timeout: 5) {
        let already = StackError.alreadyRunning(project: assembly.project, pid: running.supervisorPID)
        startup.send(.failed("\(already)"))
        throw already
      }
      startup.send(.failed("\(error)"))
      LastStartFailure.record("\(error)", startedAt: began, runFolder: assembly.runFolder, files: context.files)
      throw error
    }
  }

  func run(
    _ assembly: StackAssembly, keeper: String, began: Date, startup: StartupEvent.Writer, started: @Sendable () -> Void
  ) async throws {
    // `prepare` checked before the memory check (a running stack would read as a shortfall);
    // this catches two `up -d` started at once: the second finds the first answering.
    if let running = try ControlClient(state: assembly.state, project: assembly.project).runningStack() {
      throw StackError.alreadyRunning(project: assembly.project, pid: running.supervisorPID)
    }
    // A peer that hangs up is an error on that connection, never the supervisor's end.
    signal(SIGPIPE, SIG_IGN)
    for note in assembly.notes { context.output.info(note) }
    for warning in assembly.warnings { context.output.warning(warning) }
    assembly.cleanUpLeftovers()
    try await assembly.bootstrap.initializeIfNeeded()
    var settings = Supervisor.Settings(keeperExecutable: keeper, runFolder: assembly.runFolder, logFolder: assembly.logFolder)
    // A starting service is checked every 100 ms: a held request waits for the engine's load plus
    // at most this (bench-stack: a hold swap waited 554 ms for a 294 ms load at 500 ms). A check of
    // a loading llama-server is a 503 on loopback, and the database's a psql run: cheap enough.
    settings.readinessInterval = .milliseconds(100)
    settings.loadTimesFile = LoadTimes.fileName(state: assembly.state)
    settings.observer = { service, state in startup.send(.state(service: service, state: state)) }
    settings.endpointLimits = assembly.configuration.endpoint.limits
    settings.statusPort = assembly.configuration.status.port
    settings.watchdog.slowRatio = assembly.configuration.llm.slowRatio
    settings.watchdog.restartWhenDegraded = assembly.configuration.llm.restartWhenDegraded
    settings.expectedSpeed = { spec in await assembly.expectedSpeed(spec) }
    if assembly.configuration.exposeModels {
      settings.endpointHost = "0.0.0.0"
      settings.remoteKey = try ModelsKey.loadOrCreate(state: assembly.state, files: context.files)
      context.output.warning(
        "expose_models: the llm and embedding endpoints listen on every interface; other hosts must send the key in \(ModelsKey.path(state: assembly.state))"
      )
    }
    let bootstrap = assembly.bootstrap
    let migrations = assembly.migrations
    let context = context
    let output = context.output
    let supervisor = Supervisor(project: assembly.project, specs: assembly.specs, settings: settings, context: context) {
      try await bootstrap.prepareDatabase()
      for step in migrations {
        output.info("\(step.service.rawValue): \(step.command) (migrate; output in \(step.log))")
        try await step.run(context)
      }
    }
    // A stop signal or `down`: the one event that ends the stack.
    let (stops, stopper) = AsyncStream.makeStream(of: Void.self)
    let control = SupervisorControl(supervisor: supervisor, swapper: StackSwapper(assembly: assembly, supervisor: supervisor)) {
      stopper.yield()
    }
    try context.files.createDirectory(assembly.runFolder, permissions: 0o700)
    try StackStateRecord.record(state: assembly.state, project: assembly.project, files: context.files)
    let pidFile = assembly.runFolder + "/supervisor.pid"
    let endpointHost = settings.endpointHost
    let limits = settings.endpointLimits
    let remoteKey = settings.remoteKey
    let statusPort = assembly.configuration.status.port
    // Started in this order, stopped in the reverse: the supervisor's services first, the control
    // socket last.
    let parts = ServiceGroup([
      .init("control socket") {
        let server = try ControlServer(state: assembly.state, files: context.files) { request in await control.answer(request) }
        return { server.close() }
      },
      .init("status port") {
        // The page's board samples the chat engine's speed for as long as the port is open.
        let board = StatusBoard(
          sources: .init(
            status: { await supervisor.status() }, engine: { await supervisor.engineReading() }, logs: { await supervisor.logSources() }),
          files: context.files, time: context.time)
        let page = (try? context.resources.locate(.templates)).map { StatusPage(folder: $0 + "/status", files: context.files) }
        let server: StatusServer
        do {
          server = try StatusServer(
            host: endpointHost, port: statusPort, limits: limits, remoteKey: remoteKey,
            pages: StatusServer.Pages(
              metrics: { await supervisor.metricsExposition() }, status: { await supervisor.status() }, board: board, page: page))
        } catch let error as ListenError {
          throw error.namingHolder(context.ports)
        }
        let sampler = Task { await board.run() }
        return {
          sampler.cancel()
          server.close()
        }
      },
      .init("pid file") {
        try context.files.write("\(getpid())\n", to: pidFile)
        return { try? context.files.remove(pidFile) }
      },
      .init("signal watcher") {
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { stopper.yield() }
        return { signals.cancel() }
      },
      // Started by the body below, where a stop request may win over its start; stopped first.
      .init("supervisor") {
        { await supervisor.stop() }
      },
    ])
    try await parts.run {
      let ready = try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
          try await supervisor.start()
          return true
        }
        group.addTask {
          for await _ in stops { return false }
          return false
        }
        // A stop request while starting wins over the start.
        let ready = try await group.next() == true
        if ready {
          LastStartFailure.clear(startedAt: began, runFolder: assembly.runFolder, files: context.files)
          startup.send(.ready)
          startup.close()
          started()
          _ = try await group.next()
        }
        group.cancelAll()
        return ready
      }
      if !ready { startup.send(.failed("stopped (a signal or `synapse-local down`) before every service was healthy")) }
    }
  }
}
