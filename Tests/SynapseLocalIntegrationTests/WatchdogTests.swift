import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The watchdog with real engines (issue 38, item 5). The test bed's llama-server, paused with
/// SIGSTOP for 70 ms of every 100 ms (a stand-in for a GPU gone slow) while a client keeps asking,
/// turns degraded and `llm.speed` names it. Beside it, two stand-in engines stream steadily for
/// 60 s while their /health hangs, under liveness checks that would kill them in seconds: neither
/// is restarted, one seen alive by its token counter, the other (its /metrics hanging too) by the
/// bytes its stream sends through the stable endpoint. The two run at once, to keep the suite short.
@Suite("watchdog", .tags(.integration), .serialized)
struct WatchdogIntegrationTests {
  @Test(.timeLimit(.minutes(3)), .enabled(if: TestBed.shouldRun(.llamaServer, .smolLM2, .python)))
  func aPausedEngineTurnsDegradedAndABusyOneIsNeverKilled() async throws {
    async let slow: Void = aPausedEngineTurnsDegraded()
    async let busy: Void = busyEnginesAreNotRestarted()
    _ = try await (slow, busy)
  }

  func folder(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Runs `body` on a started supervisor, and stops it whatever happens: nothing is left running.
  func stopping<T: Sendable>(_ supervisor: Supervisor, _ body: () async throws -> T) async throws -> T {
    do {
      let result = try await body()
      await supervisor.stop()
      return result
    } catch {
      await supervisor.stop()
      throw error
    }
  }

  /// A flag the test's own threads read.
  final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    var isRaised: Bool { lock.withLock { raised } }
    func raise() { lock.withLock { raised = true } }
  }

  // MARK: a slow engine

  func llamaArguments(port: Int) throws -> [String] {
    // One thread and one slot: its speed is steady, and the machine's other work moves it least.
    [
      "-m", try TestBed.require(.smolLM2), "--host", "127.0.0.1", "--port", String(port), "-c", "512", "-t", "1", "--parallel", "1",
      "--metrics", "--alias", "smollm2",
    ]
  }

  static let http = CurlTransport()

  /// One short chat completion: 16 tokens at most.
  static func chat(port: Int) async throws {
    let body = #"{"model": "smollm2", "messages": [{"role": "user", "content": "Count to twenty."}], "max_tokens": 16, "temperature": 0}"#
    let response = try await http.send(
      HTTPRequest(
        url: "http://127.0.0.1:\(port)/v1/chat/completions", method: "POST", headers: ["Content-Type": "application/json"],
        body: Array(body.utf8), timeout: .seconds(60)),
      onBody: nil)
    guard response.status == 200 else { throw TestFailure("chat answered \(response.status)") }
  }

  static func reading(port: Int) async throws -> EngineReading {
    let response = try await http.send(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics", timeout: .seconds(10)), onBody: nil)
    guard let reading = EngineReading(exposition: String(decoding: response.body, as: UTF8.self)) else {
      throw TestFailure("no llama.cpp counters on /metrics")
    }
    return reading
  }

  /// The same engine's own speed, unpaused, on this machine now: the expectation.
  func baseline() async throws -> Double {
    let port = try Loopback.freePort()
    let engine = try TestProcess(try TestBed.require(.llamaServer), try llamaArguments(port: port))
    defer { Task { await engine.stop() } }
    try await Loopback.waitUntilHealthy("http://127.0.0.1:\(port)/health", process: engine, seconds: 60)
    try await Self.chat(port: port)
    let before = try await Self.reading(port: port)
    for _ in 0..<3 { try await Self.chat(port: port) }
    let after = try await Self.reading(port: port)
    await engine.stop()
    let tokens = (after.generatedTokens ?? 0) - (before.generatedTokens ?? 0)
    let seconds = (after.generationSeconds ?? 0) - (before.generationSeconds ?? 0)
    guard tokens > 0, seconds > 0 else { throw TestFailure("the baseline generated nothing: \(before) → \(after)") }
    return tokens / seconds
  }

  func aPausedEngineTurnsDegraded() async throws {
    let expected = try await baseline()
    let base = try folder("watchdog")
    let (port, enginePort) = (try Loopback.freePort(), try Loopback.freePort())
    var spec = ServiceSpec(
      name: .llm, executable: try TestBed.require(.llamaServer), arguments: try llamaArguments(port: enginePort),
      environment: ProcessInfo.processInfo.environment, port: port, health: .http(url: "http://127.0.0.1:\(enginePort)/health"),
      readinessSeconds: 60, model: "smollm2")
    spec.enginePort = enginePort
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(200)
    settings.livenessInterval = .milliseconds(500)
    // Short windows: 2 s of generation each, counters read every half second.
    settings.watchdog.interval = .milliseconds(500)
    settings.watchdog.windowSeconds = 2
    // Paused 70% of the time it runs at 0.3 of its speed at most; 0.5 leaves room for a machine
    // whose other work slowed the baseline more than it slows the paused engine.
    settings.watchdog.slowRatio = 0.5
    settings.expectedSpeed = { _ in ExpectedSpeed(tokensPerSecond: expected, from: .bench) }
    let output = RecordingOutput()
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings, context: .live(output: output))
    try await supervisor.start()
    let (pid, status, metrics, finding) = try await stopping(supervisor) {
      let pid = try #require(await supervisor.status().services[0].pid)
      let done = Flag()
      // A slow GPU: stopped 70 ms of every 100 ms, on a thread of its own; left running at the end.
      Thread.detachNewThread {
        while !done.isRaised {
          kill(pid, SIGSTOP)
          usleep(70_000)
          kill(pid, SIGCONT)
          usleep(30_000)
        }
        kill(pid, SIGCONT)
      }
      let client = Task {
        while !Task.isCancelled { try? await Self.chat(port: port) }
      }
      defer {
        done.raise()
        client.cancel()
      }
      let began = Date()
      var status = await supervisor.status().services[0]
      while status.state != .degraded && Date().timeIntervalSince(began) < 120 {
        try await Task.sleep(for: .milliseconds(250))
        status = await supervisor.status().services[0]
      }
      let metrics = String(decoding: await supervisor.metricsExposition(), as: UTF8.self)
      let finding = await EngineSpeedCheck().run(
        DoctorSubject(
          project: base, configuration: ProjectConfiguration(), env: nil, lock: nil, hardware: Machine.cpu(memoryGiB: 16),
          stack: await supervisor.status(), catalog: try Fixtures.catalog(), context: .live()))
      return (pid, status, metrics, finding)
    }

    #expect(status.state == .degraded, "not degraded within 2 minutes: \(status); log: \(output.infos)")
    let slowness = try #require(status.slowness)
    #expect(slowness.expectedTokensPerSecond == expected && slowness.expectedFrom == "bench" && slowness.slowWindows >= 3)
    #expect(slowness.measuredTokensPerSecond < 0.5 * expected, "\(slowness)")
    // Degraded is not a restart: the same engine served throughout.
    #expect(status.restarts == 0 && status.pid == pid)
    #expect(output.infos.contains { $0.contains(" llm degraded: generating ") }, "\(output.infos)")
    #expect(metrics.contains(#"synapse_local_engine_degraded{service="llm"} 1"#))
    #expect(finding.status == .warning && finding.message.hasPrefix("llm is degraded: generating "), "\(finding.message)")
  }

  // MARK: busy engines

  func standIn(_ name: ServiceName, stallMetrics: Bool) throws -> ServiceSpec {
    let (port, enginePort) = (try Loopback.freePort(), try Loopback.freePort())
    var spec = ServiceSpec(
      name: name, executable: try TestBed.require(.python),
      arguments: [Fixtures.root + "/busy-engine/engine.py", "--port", String(enginePort), "--seconds", "60"]
        + (stallMetrics ? ["--stall-metrics"] : []),
      environment: ProcessInfo.processInfo.environment, port: port, health: .http(url: "http://127.0.0.1:\(enginePort)/health"),
      readinessSeconds: 30)
    spec.enginePort = enginePort
    return spec
  }

  /// Streams one answer from `port` to its end; the events received.
  static func stream(port: Int) async throws -> Int {
    let events = Counter()
    let response = try await http.send(
      HTTPRequest(
        url: "http://127.0.0.1:\(port)/v1/chat/completions", method: "POST", headers: ["Content-Type": "application/json"],
        body: Array(#"{"messages": [{"role": "user", "content": "A long story."}], "stream": true}"#.utf8), timeout: .seconds(120)),
      onBody: { _, bytes in events.add(bytes.split(separator: UInt8(ascii: "\n")).filter { $0.starts(with: Array("data:".utf8)) }.count) })
    guard response.status == 200 else { throw TestFailure("the stream answered \(response.status)") }
    return events.value
  }

  final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add(_ n: Int) { lock.withLock { count += n } }
  }

  func busyEnginesAreNotRestarted() async throws {
    let base = try folder("busy")
    // llm: its /metrics answers, and its stream goes straight to it (its counter alone shows it
    // works); embedding: its /metrics hangs as well, and its stream goes through the endpoint.
    let counted = try standIn(.llm, stallMetrics: false)
    let relayed = try standIn(.embedding, stallMetrics: true)
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(200)
    // Without the tokens counted, three checks of 1 s a second apart would restart each in seconds.
    settings.livenessInterval = .seconds(1)
    settings.healthTimeout = .seconds(1)
    settings.livenessFailures = 3
    let output = RecordingOutput()
    let supervisor = Supervisor(project: base, specs: [counted, relayed], settings: settings, context: .live(output: output))
    try await supervisor.start()
    let (pids, directEvents, relayedEvents, after) = try await stopping(supervisor) {
      let pids = await supervisor.status().services.map(\.pid)
      async let direct = Self.stream(port: try #require(counted.enginePort))
      async let through = Self.stream(port: relayed.port)
      let (directEvents, relayedEvents) = try await (direct, through)
      return (pids, directEvents, relayedEvents, await supervisor.status().services)
    }

    // 60 s at one event every 0.2 s, and the end: the streams ran to their end.
    #expect(directEvents > 250 && relayedEvents > 250, "\(directEvents), \(relayedEvents)")
    for service in after {
      #expect(service.restarts == 0 && service.crashes == 0 && service.state == .healthy, "\(service)")
    }
    #expect(after.map(\.pid) == pids)
    // Their health checks did go unanswered: each was spared for what it produced.
    for name in ["llm", "embedding"] {
      #expect(
        output.infos.contains { $0.contains(" \(name) did not answer its health check in time, but it is producing") }, "\(output.infos)")
    }
  }
}
