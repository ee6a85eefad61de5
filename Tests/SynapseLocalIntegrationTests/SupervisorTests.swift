import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The supervisor with small real processes (shells, Python's HTTP server): crash loops, readiness
/// timeouts, ports in use, hung services, and that nothing is left behind.
@Suite("supervisor", .tags(.integration), .serialized)
struct SupervisorTests {
  func settings(_ folder: String) -> Supervisor.Settings {
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: folder + "/run", logFolder: folder + "/logs")
    settings.readinessInterval = .milliseconds(200)
    settings.livenessInterval = .milliseconds(300)
    settings.backoffBase = .milliseconds(100)
    settings.backoffCap = .milliseconds(400)
    settings.crashLoopLimit = 3
    return settings
  }

  func folder() throws -> String {
    let path = NSTemporaryDirectory() + "supervisor-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// A Python HTTP server on `port` answering /health (any path) with 200.
  func httpServer(_ name: ServiceName, port: Int) throws -> ServiceSpec {
    ServiceSpec(
      name: name, executable: try TestBed.require(.python), arguments: ["-m", "http.server", "--bind", "127.0.0.1", String(port)],
      environment: ProcessInfo.processInfo.environment, workingDirectory: NSTemporaryDirectory(), port: port,
      health: .http(url: "http://127.0.0.1:\(port)/"), readinessSeconds: 20)
  }

  static func alive(_ pid: Int32) -> Bool { ProcessTable.live.isAlive(pid) }

  @Test(.timeLimit(.minutes(1)))
  func aCrashLoopIsMarkedFailedWithItsLog() async throws {
    let base = try folder()
    let port = try Loopback.freePort()
    let spec = ServiceSpec(
      name: .db, executable: "/bin/sh", arguments: ["-c", "echo 'fatal: no such table'; exit 3"], environment: [:], port: port,
      health: .http(url: "http://127.0.0.1:\(port)/"), readinessSeconds: 20)
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings(base), context: .live())
    let began = Date()
    do {
      try await supervisor.start()
      Issue.record("start should have failed")
    } catch let error as StackError {
      guard case .crashLoop(let service, let tail) = error else { throw error }
      #expect(service == .db && tail.contains("fatal: no such table"))
    }
    let log = await supervisor.logTail(.db, lines: 20)
    #expect(log.components(separatedBy: "fatal: no such table").count - 1 == 3)
    // Backoff 100 ms then 200 ms: the tries were spaced, not a tight loop.
    #expect(Date().timeIntervalSince(began) >= 0.3)
    let status = await supervisor.status().services[0]
    #expect(status.restarts == 2 && status.lastExit == 3)
  }

  @Test(.timeLimit(.minutes(1)))
  func aServiceThatNeverGetsHealthyStopsTheStartWithNothingLeft() async throws {
    let base = try folder()
    let port = try Loopback.freePort()
    let spec = ServiceSpec(
      name: .llm, executable: "/bin/sh", arguments: ["-c", "echo loading forever; sleep 300.\(port) & sleep 300.\(port)"], environment: [:],
      port: port,
      health: .http(url: "http://127.0.0.1:\(port)/health"), readinessSeconds: 2)
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings(base), context: .live())
    do {
      try await supervisor.start()
      Issue.record("start should have failed")
    } catch let error as StackError {
      guard case .unhealthy(let service, let seconds, let tail) = error else { throw error }
      #expect(service == .llm && seconds == 2 && tail.contains("loading forever"))
      #expect(error.description.contains("did not become healthy within 2 s"))
    }
    let (_, survivors) = try await runCommand("/usr/bin/pgrep", ["-f", "sleep 300.\(port)"])
    #expect(survivors.isEmpty, "left behind: \(survivors)")
  }

  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func aTakenPortIsRefusedNamingItsOwner() async throws {
    let base = try folder()
    let port = try Loopback.freePort()
    let squatter = try TestProcess(try TestBed.require(.python), ["-m", "http.server", "--bind", "127.0.0.1", String(port)])
    try await Loopback.waitUntilHealthy("http://127.0.0.1:\(port)/", process: squatter, seconds: 20)
    let supervisor = Supervisor(project: base, specs: [try httpServer(.db, port: port)], settings: settings(base), context: .live())
    do {
      try await supervisor.start()
      Issue.record("start should have failed")
    } catch let error as StackError {
      #expect(error.description.contains("port \(port) is already in use by python"), "\(error)")
    }
    await squatter.stop()
  }

  /// A service that stops answering (SIGSTOP) is restarted by the liveness check; `stop` ends all.
  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func aHungServiceIsRestarted() async throws {
    let base = try folder()
    let port = try Loopback.freePort()
    var spec = try httpServer(.db, port: port)
    spec.health = .http(url: "http://127.0.0.1:\(port)/")
    // Health checks give up after 1 s, so three misses take seconds, not the default 15.
    var settings = settings(base)
    settings.healthTimeout = .seconds(1)
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings, context: .live())
    try await supervisor.start()
    let first = try #require(await supervisor.status().services[0].pid)
    kill(first, SIGSTOP)
    var restarted: ServiceStatus?
    for _ in 0..<150 {
      let now = await supervisor.status().services[0]
      if now.restarts == 1, now.state == .healthy, let pid = now.pid, pid != first {
        restarted = now
        break
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    let final = await supervisor.status().services[0]
    #expect(restarted != nil, "not restarted: \(final)")
    #expect(!Self.alive(first))
    await supervisor.stop()
    let last = await supervisor.status().services[0]
    #expect(last.state == .stopped && last.pid == nil)
    #expect(Loopback.ports.owner(of: port) == nil)
  }
}

/// Logs rotate at their size limit while the service keeps writing; the control socket is 0600.
@Suite("supervisor files", .tags(.integration), .serialized)
struct SupervisorFileTests {
  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func logsRotateAtTheirLimit() async throws {
    let base = NSTemporaryDirectory() + "rotate-\(UUID().uuidString)"
    let port = try Loopback.freePort()
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(200)
    settings.livenessInterval = .milliseconds(200)
    settings.logLimitBytes = 50_000
    let python = try TestBed.require(.python)
    let spec = ServiceSpec(
      name: .backend, executable: "/bin/sh",
      arguments: ["-c", "yes 'a line of a chatty service' | head -c 200000; exec \(python) -m http.server --bind 127.0.0.1 \(port)"],
      environment: ProcessInfo.processInfo.environment, port: port, health: .http(url: "http://127.0.0.1:\(port)/"), readinessSeconds: 20)
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings, context: .live())
    try await supervisor.start()
    let log = base + "/logs/backend.log"
    var rotated = false
    for _ in 0..<50 where !rotated {
      try await Task.sleep(for: .milliseconds(100))
      rotated = FileManager.default.fileExists(atPath: log + ".1")
    }
    #expect(rotated)
    let size = try FileManager.default.attributesOfItem(atPath: log)[.size] as? UInt64 ?? 0
    #expect(size < 50_000)
    #expect((try FileManager.default.attributesOfItem(atPath: log + ".1")[.posixPermissions] as? Int) == 0o600)
    await supervisor.stop()
    try? FileManager.default.removeItem(atPath: base)
  }

  @Test func theControlSocketIsOwnerOnlyAndAnswers() throws {
    let state = NSTemporaryDirectory() + "control-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: state + "/run", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: state) }
    let server = try ControlServer(state: state, files: RootedFileSystem()) { request in
      request == .status ? .status(StackStatus(project: state, supervisorPID: 42, services: [])) : .refused("no")
    }
    defer { server.close() }
    let client = ControlClient(state: state, project: state)
    var info = stat()
    #expect(stat(client.socketPath, &info) == 0)
    #expect(info.st_mode & 0o777 == 0o600)
    #expect(try client.status().supervisorPID == 42)
    #expect(throws: ControlError.refused("no")) { try client.send(.restart(service: .llm)) }
    server.close()
    #expect(throws: StackError.notRunning(project: state)) { try client.status() }
  }

  /// A client and a supervisor of different protocol versions each get one line naming both.
  @Test func clientsAndSupervisorsOfAnotherProtocolGetOneLineNamingBothVersions() throws {
    let state = NSTemporaryDirectory() + "control-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: state + "/run", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: state) }
    let client = ControlClient(state: state, project: state)
    // A 0.1.x client sent {"command": "status"} and read `ok` and `error`.
    let server = try ControlServer(state: state, files: RootedFileSystem()) { _ in
      .status(StackStatus(project: state, supervisorPID: 42, services: []))
    }
    let answer = try RawUnixSocket.exchange(client.socketPath, Data(#"{"command":"status"}"#.utf8) + Data("\n".utf8))
    let old = try #require(try JSONSerialization.jsonObject(with: answer) as? [String: Any])
    #expect(old["ok"] as? Bool == false)
    let message = try #require(old["error"] as? String)
    #expect(
      message.contains("an earlier version (control protocol 1)")
        && message.contains("\(ToolVersion.current) (control protocol \(ToolVersion.controlProtocol))"))
    #expect(!message.contains("\n"))
    server.close()

    // A 0.1.x supervisor answers what it cannot decode with {"ok": false, "error": "not a request"}.
    let oldSupervisor = try RawUnixSocket.serveOnce(client.socketPath, reply: Data(#"{"ok":false,"error":"not a request"}"#.utf8))
    do {
      _ = try client.status()
      Issue.record("a protocol 1 supervisor must be refused")
    } catch {
      let line = "\(error)"
      #expect(
        line.contains(
          "this synapse-local client is \(ToolVersion.current) (control protocol 2) and the running supervisor is an earlier version (control protocol 1)"
        ))
      #expect(line.contains("synapse-local down") && !line.contains("\n"))
    }
    oldSupervisor.wait()
  }

  /// A PostgreSQL without pgvector: `up` stops with how to install it, and nothing keeps running.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.postgresBin)))
  func aMissingVectorExtensionIsExplained() async throws {
    let base = "/tmp/novector-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    // A copy of the test bed's PostgreSQL without pgvector, laid out as pgserver's (its binaries
    // find their libraries at $ORIGIN/../../../pgserver.libs).
    let install = base + "/site/pgserver/pginstall"
    let original = ((try TestBed.require(.postgresBin)) as NSString).deletingLastPathComponent
    let libraries = (((original as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString)
      .appendingPathComponent("pgserver.libs")
    try FileManager.default.createDirectory(atPath: base + "/site/pgserver", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: base + "/site/pgserver.libs", withDestinationPath: libraries)
    let (copied, output) = try await runCommand("/bin/cp", ["-a", original, install])
    try #require(copied == 0, "\(output)")
    if getuid() == 0 { _ = try await runCommand("/bin/chmod", ["-R", "a+rX", base]) }
    for name in try FileManager.default.contentsOfDirectory(atPath: install + "/share/postgresql/extension") where name.hasPrefix("vector")
    {
      try FileManager.default.removeItem(atPath: install + "/share/postgresql/extension/" + name)
    }
    let layout = try PostgresLayout.plan(state: base + "/state", project: base, files: RootedFileSystem())
    let port = try Loopback.freePort()
    let password = "x" + String(repeating: "y", count: 20)
    let bootstrap = PostgresBootstrap(
      layout: layout, bin: install + "/bin", user: "synapse", database: "synapse", port: port, password: password,
      processes: SystemProcessRunner(), files: RootedFileSystem())
    try await bootstrap.initializeIfNeeded()
    var planner = ServicePlanner(
      configuration: {
        var c = ProjectConfiguration()
        c.binaries.pgBin = install + "/bin"
        c.db.port = port
        return c
      }(), project: base, llmPath: "", embeddingPath: "", store: "", database: layout, env: [:],
      baseEnvironment: ProcessInfo.processInfo.environment)
    planner.databasePassword = password
    var settings = Supervisor.Settings(
      keeperExecutable: Fixtures.executable, runFolder: base + "/state/run", logFolder: base + "/state/logs")
    settings.readinessInterval = .milliseconds(200)
    let supervisor = Supervisor(
      project: base, specs: [try #require(planner.services().first { $0.name == .db })], settings: settings, context: .live()
    ) {
      try await bootstrap.prepareDatabase()
    }
    do {
      try await supervisor.start()
      Issue.record("start should have failed")
    } catch let error as StackError {
      #expect(
        error.description.contains("pgvector extension is not installed")
          && error.description.contains("apt install postgresql-16-pgvector"), "\(error)")
    }
    #expect(Loopback.ports.owner(of: port) == nil)
  }
}

/// vLLM cannot run here (no GPU): its command line, built from the plan, drives a stand-in that
/// parses it as vLLM does and answers like vLLM's server.
@Suite("vLLM under the supervisor", .tags(.integration))
struct VLLMSupervisionTests {
  @Test(.timeLimit(.minutes(1)))
  func theVLLMCommandLineServesThePlannedName() async throws {
    let base = NSTemporaryDirectory() + "vllm-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    var configuration = ProjectConfiguration()
    configuration.engine = .vllm
    configuration.binaries.vllm = Fixtures.root + "/vllm/vllm"
    configuration.llm.servedName = "Llama-3.1-8B-Instruct"
    configuration.llm.port = try Loopback.freePort()
    configuration.llm.context = 16384
    configuration.llm.gpuMemoryUtilization = 0.85
    let layout = PostgresLayout(
      dataDirectory: base + "/db", socketDirectory: base + "/run-db", user: nil, uid: getuid(), gid: getgid(), relocation: nil)
    let planner = ServicePlanner(
      configuration: configuration, project: base, llmPath: "/models/meta-llama/snapshot", embeddingPath: "", store: "", database: layout,
      env: [:],
      baseEnvironment: ProcessInfo.processInfo.environment)
    let llm = try #require(planner.services().first { $0.name == .llm })
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(200)
    let supervisor = Supervisor(project: base, specs: [llm], settings: settings, context: .live())
    try await supervisor.start()
    let url = "http://127.0.0.1:\(configuration.llm.port)"
    do {
      let (_, argv) = try await Loopback.request(url + "/standin/argv")
      #expect(try JSONSerialization.jsonObject(with: argv) as? [String] == llm.arguments)
      let (_, models) = try await Loopback.request(url + "/v1/models")
      let listed = try #require(try JSONSerialization.jsonObject(with: models) as? [String: Any])
      #expect(((listed["data"] as? [[String: Any]])?.first?["id"] as? String) == "Llama-3.1-8B-Instruct")
      let message = [["role": "user", "content": "hi"]]
      let (ok, _) = try await Loopback.request(
        url + "/v1/chat/completions", method: "POST", json: ["model": "Llama-3.1-8B-Instruct", "messages": message])
      #expect(ok == 200)
      let (wrong, _) = try await Loopback.request(
        url + "/v1/chat/completions", method: "POST", json: ["model": "local-model", "messages": message])
      #expect(wrong == 404)
      #expect(await supervisor.status().services.first?.model == "Llama-3.1-8B-Instruct")
    } catch {
      await supervisor.stop()
      throw error
    }
    await supervisor.stop()
  }
}

/// Restart policies: on-failure leaves a clean exit stopped, never leaves a failure failed,
/// always starts a clean exit again.
@Suite("restart policies", .tags(.integration))
struct RestartPolicyTests {
  func run(_ policy: RestartPolicy, exitCode: Int) async throws -> ServiceStatus {
    let base = NSTemporaryDirectory() + "policy-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    let port = try Loopback.freePort()
    // Healthy for a moment (a file server), then exits with the given status.
    var spec = ServiceSpec(
      name: .backend, executable: "/bin/sh",
      arguments: ["-c", "\(try TestBed.require(.python)) -m http.server --bind 127.0.0.1 \(port) & sleep 1.5; kill $!; exit \(exitCode)"],
      environment: ProcessInfo.processInfo.environment, port: port, health: .http(url: "http://127.0.0.1:\(port)/"), readinessSeconds: 20)
    spec.restart = policy
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(100)
    settings.backoffBase = .milliseconds(100)
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings, context: .live())
    try await supervisor.start()
    // Polled, not a fixed wait: the first exit comes 1.5 s after the start.
    var status = await supervisor.status().services[0]
    for _ in 0..<200 {
      try await Task.sleep(for: .milliseconds(100))
      status = await supervisor.status().services[0]
      if status.lastExit != nil && (policy != .always || status.restarts >= 1) && status.state != .restarting { break }
    }
    await supervisor.stop()
    return status
  }

  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func onFailureLeavesACleanExitStopped() async throws {
    let status = try await run(.onFailure, exitCode: 0)
    #expect(status.state == .stopped && status.restarts == 0 && status.lastExit == 0)
    #expect(status.message?.contains("restart policy is on-failure") == true)
  }

  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func neverLeavesAFailureFailed() async throws {
    let status = try await run(.never, exitCode: 2)
    #expect(status.state == .failed && status.restarts == 0 && status.lastExit == 2)
  }

  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func alwaysStartsACleanExitAgain() async throws {
    let status = try await run(.always, exitCode: 0)
    #expect(status.restarts >= 1)
  }
}
