import ArgumentParser
import Dispatch
import Foundation
import SynapseLocalCore

struct UpCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "up",
    abstract: "Start the stack natively and supervise it: db, llm, embedding, backend, frontend.",
    discussion: """
      Services start in dependency order (db, then llm and embedding, then backend, then frontend), \
      each once the ones before it are healthy. A service that exits is restarted with a growing \
      pause (1 s, 2 s, 4 s... at most 30 s); one that exits 5 times in a row is marked failed; one \
      that stops answering its health check 3 times in a row is restarted. Every service runs in a \
      process group of its own under a keeper, so nothing is left behind, whatever happens to the \
      supervisor. Logs: the state folder's logs/ (synapse-local logs).

      In the foreground, the services' output is shown prefixed with their names; Ctrl-C stops \
      everything. With -d the stack runs in the background: status, logs, restart and down talk to \
      it through a socket in the state folder (mode 0600).

      The models must be in the store (synapse-local pull, or models import); .env and the \
      embedding server are generated first if missing. docs/stack.md describes it all.

      Examples:
        synapse-local up -d --project ~/synapse-demo
        synapse-local status
        synapse-local down
      """)

  @OptionGroup var options: StackProjectOptions

  @Flag(name: .shortAndLong, help: "Run in the background; return once every service is healthy.")
  var detach = false

  @Flag(name: .long, help: "Re-hash the model files against their digests before starting (sizes are always checked).")
  var verify = false

  @Flag(name: .customLong("ignore-memory"), help: "Start even when the plan's memory estimate exceeds what this machine has.")
  var ignoreMemory = false

  @Flag(name: .customLong("supervisor"), help: .hidden)
  var supervisorMode = false

  func run() async throws {
    try await reportingErrors {
      let environment = ProcessInfo.processInfo.environment
      let project = options.folder
      let catalog = try ResourceLocator.forCommand().loadCatalog()
      let assembly = try await StackAssembly.assemble(
        project: project, environment: environment, catalog: catalog, renderer: try TemplateRenderer.live(environment: environment))
      if let reply = try? ControlSocket.send(.init(command: "status"), state: assembly.state, project: project, timeout: 5), reply.ok {
        throw StackError.alreadyRunning(project: project, pid: reply.status?.supervisorPID ?? 0)
      }
      if !supervisorMode {
        try assembly.checkModelFiles(verify: verify)
        if !ignoreMemory, let shortfall = assembly.memoryShortfall(hardware: try await HardwareDetector.detect(.live(environment: environment))) {
          throw StackError.cannotStart(service: .llm, reason: shortfall)
        }
      }
      if detach { return try await startDetached(assembly) }
      try await supervise(assembly, followLogs: !supervisorMode)
    }
  }

  /// Runs the supervisor in a new session, then waits until the stack is healthy or has failed.
  func startDetached(_ assembly: StackAssembly) async throws {
    try FileManager.default.createDirectory(atPath: assembly.logFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let log = assembly.logFolder + "/supervisor.log"
    let pid = try DetachedProcess.spawn(DetachedProcess.ownExecutable, ["up", "--project", assembly.project, "--supervisor"], log: log)
    let began = Date()
    var lastStates = ""
    while true {
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        throw StackError.control("the stack did not start:\n" + LogFiles.tail(log, lines: 25))
      }
      if let reply = try? ControlSocket.send(.init(command: "status"), state: assembly.state, project: assembly.project, timeout: 5),
        let stack = reply.status
      {
        let states = stack.services.map { "\($0.name.rawValue) \($0.state.rawValue)" }.joined(separator: ", ")
        if states != lastStates {
          FileHandle.standardError.write(Data("synapse-local: \(String(format: "%5.1f", Date().timeIntervalSince(began))) s  \(states)\n".utf8))
          lastStates = states
        }
        if stack.services.allSatisfy({ $0.state == .healthy }) {
          StatusTable.print(stack)
          Output.line("\nrunning in the background: synapse-local status | logs | down --project \(assembly.project)")
          return
        }
      }
      try await Task.sleep(for: .milliseconds(250))
    }
  }

  /// The supervisor itself: starts, answers the control socket, runs until Ctrl-C, SIGTERM or `down`.
  func supervise(_ assembly: StackAssembly, followLogs: Bool) async throws {
    for note in assembly.notes { Output.warning(note) }
    assembly.cleanUpLeftovers()
    try await assembly.bootstrap.initializeIfNeeded()
    let bootstrap = assembly.bootstrap
    var settings = Supervisor.Settings(keeperExecutable: DetachedProcess.ownExecutable, runFolder: assembly.runFolder, logFolder: assembly.logFolder)
    settings.readinessInterval = .milliseconds(500)
    let supervisor = Supervisor(project: assembly.project, specs: assembly.specs, settings: settings) { try await bootstrap.prepareDatabase() }
    let finished = StopLatch()
    try FileManager.default.createDirectory(atPath: assembly.runFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let server = try ControlServer(path: ControlSocket.path(state: assembly.state)) { request in
      switch request.command {
      case "status": return .init(ok: true, status: await supervisor.status())
      case "down":
        finished.trigger()
        return .init(ok: true)
      case "restart":
        guard let name = request.service.flatMap(ServiceName.init(rawValue:)) else { return .init(ok: false, error: "restart which service?") }
        do {
          try await supervisor.restart(name)
          return .init(ok: true)
        } catch {
          return .init(ok: false, error: "\(error)")
        }
      default: return .init(ok: false, error: "unknown command \(request.command)")
      }
    }
    try AtomicFile.write(Data("\(getpid())\n".utf8), to: assembly.runFolder + "/supervisor.pid")
    let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { finished.trigger() }
    defer {
      signals.cancel()
      server.close()
      unlink(assembly.runFolder + "/supervisor.pid")
    }
    let follower = followLogs ? Task { try? await LogFollower(files: assembly.specs.map { ($0.name, assembly.logFolder + "/\($0.name.rawValue).log") }, prefixed: true).run() } : nil
    let outcome = StartOutcome()
    let starting = Task {
      do {
        try await supervisor.start()
        outcome.set(.success(()))
      } catch {
        outcome.set(.failure(error))
      }
    }
    // A stop request while starting wins over the start.
    while !finished.isTriggered {
      if let result = outcome.value {
        if case .failure(let error) = result {
          follower?.cancel()
          await supervisor.stop()
          throw error
        }
        Output.warning("all services healthy; Ctrl-C or `synapse-local down` stops them")
        break
      }
      try? await Task.sleep(for: .milliseconds(100))
    }
    while !finished.isTriggered { try? await Task.sleep(for: .milliseconds(100)) }
    starting.cancel()
    follower?.cancel()
    await supervisor.stop()
    Output.warning("stopped")
  }
}

/// A one-way flag set from any thread (a signal, the control socket) and polled by `up`.
final class StopLatch: @unchecked Sendable {
  private let lock = NSLock()
  private var triggered = false

  func trigger() { lock.withLock { triggered = true } }
  var isTriggered: Bool { lock.withLock { triggered } }
}

/// The start's outcome, set by its task, read by the polling loop.
final class StartOutcome: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Result<Void, any Error>?

  func set(_ result: Result<Void, any Error>) { lock.withLock { stored = result } }
  var value: Result<Void, any Error>? { lock.withLock { stored } }
}

/// Turns signals into a callback (the default action is replaced for as long as it lives).
final class SignalWatcher: @unchecked Sendable {
  let sources: [any DispatchSourceSignal]

  init(_ signals: [Int32], _ handler: @escaping @Sendable () -> Void) {
    sources = signals.map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler(handler: handler)
      source.resume()
      return source
    }
  }

  func cancel() {
    for source in sources { source.cancel() }
  }
}
