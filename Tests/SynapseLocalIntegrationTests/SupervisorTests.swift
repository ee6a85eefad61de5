import Foundation
import SynapseLocalCore
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

  static func alive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(after: close)...].drop { $0 == " " }.first != "Z"
  }

  @Test(.timeLimit(.minutes(1)))
  func aCrashLoopIsMarkedFailedWithItsLog() async throws {
    let base = try folder()
    let port = try Loopback.freePort()
    let spec = ServiceSpec(
      name: .db, executable: "/bin/sh", arguments: ["-c", "echo 'fatal: no such table'; exit 3"], environment: [:], port: port,
      health: .http(url: "http://127.0.0.1:\(port)/"), readinessSeconds: 20)
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings(base))
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
      name: .llm, executable: "/bin/sh", arguments: ["-c", "echo loading forever; sleep 300 & sleep 300"], environment: [:], port: port,
      health: .http(url: "http://127.0.0.1:\(port)/health"), readinessSeconds: 2)
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings(base))
    do {
      try await supervisor.start()
      Issue.record("start should have failed")
    } catch let error as StackError {
      guard case .unhealthy(let service, let seconds, let tail) = error else { throw error }
      #expect(service == .llm && seconds == 2 && tail.contains("loading forever"))
      #expect(error.description.contains("did not become healthy within 2 s"))
    }
    let (_, survivors) = try await runCommand("/usr/bin/pgrep", ["-f", "sleep 300"])
    #expect(survivors.isEmpty, "left behind: \(survivors)")
  }

  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func aTakenPortIsRefusedNamingItsOwner() async throws {
    let base = try folder()
    let port = try Loopback.freePort()
    let squatter = try TestProcess(try TestBed.require(.python), ["-m", "http.server", "--bind", "127.0.0.1", String(port)])
    try await Loopback.waitUntilHealthy("http://127.0.0.1:\(port)/", process: squatter, seconds: 20)
    let supervisor = Supervisor(project: base, specs: [try httpServer(.db, port: port)], settings: settings(base))
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
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings(base), prober: HealthProber(transport: CurlTransport(totalSeconds: 1)))
    try await supervisor.start()
    let first = try #require(await supervisor.status().services[0].pid)
    kill(first, SIGSTOP)
    var restarted: ServiceStatus?
    for _ in 0..<150 {
      let now = await supervisor.status().services[0]
      if now.restarts == 1, now.state == .healthy, let pid = now.pid, pid != first { restarted = now; break }
      try await Task.sleep(for: .milliseconds(100))
    }
    let final = await supervisor.status().services[0]
    #expect(restarted != nil, "not restarted: \(final)")
    #expect(!Self.alive(first))
    await supervisor.stop()
    let last = await supervisor.status().services[0]
    #expect(last.state == .stopped && last.pid == nil)
    #expect(PortProbe.owner(of: port) == nil)
  }
}
