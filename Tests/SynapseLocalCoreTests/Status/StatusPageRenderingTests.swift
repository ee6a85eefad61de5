import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The status page at `/`, rendered on the server from templates/status: a real table with the
/// current values (so it reads without JavaScript), every value escaped, log lines for this host only.
@Suite("status page: the HTML")
struct StatusPageRenderingTests {
  static let hostile = "<script>alert('x')</script>"

  static func snapshot() -> StatusSnapshot {
    var services = ServiceName.allCases.map { name in
      ServiceStatus(
        name: name, state: .healthy, pid: 100, restarts: 0, port: 9000, enginePort: nil, uptimeSeconds: 3725, rssBytes: 150 << 20,
        model: nil, lastExit: nil, message: nil)
    }
    services[1].model = hostile
    services[1].servedName = "chat & co"
    services[1].state = .restarting
    services[1].restarts = 2
    services[2].state = .failed
    services[2].message = "exited 5 times" + ServiceStatus.logTailMarker + "secret prompt"
    var history = ThroughputHistory(intervalSeconds: 5, capacity: 4)
    history.record(.init(model: "m", speed: EngineSpeed(prompt: 80, generation: 20)))
    history.record(.init(model: "m", speed: EngineSpeed(prompt: nil, generation: nil)))
    return StatusSnapshot(
      status: StackStatus(project: "/home/me/a&b", supervisorPID: 42, services: services), throughput: history,
      logs: ["llm": ["srv  load_model: loading <model>", "main: server is listening"], "db": []], madeAt: .testing)
  }

  func render(loopback: Bool) throws -> String {
    let files = try Fixtures.shareFiles()
    return try StatusPage(folder: Fixtures.share + "/templates/status", files: files).render(Self.snapshot(), loopback: loopback)
  }

  @Test func theServerRendersATableOfEveryServiceWithItsStateInWords() throws {
    let html = try render(loopback: true)
    #expect(html.contains("<caption>Services</caption>") && html.contains("<th scope=\"col\">State</th>"))
    for name in ServiceName.allCases {
      #expect(html.contains("<th scope=\"row\">\(name.rawValue)</th>"), "\(name.rawValue) has no row")
    }
    #expect(html.contains("<span class=\"state state-restarting\">restarting</span>"))
    #expect(html.contains("<td class=\"uptime\">1h 02m</td>") && html.contains("<td class=\"memory\">150 MiB</td>"))
    #expect(html.contains("<td class=\"restarts\">2</td>") && html.contains("<td class=\"health\">passing</td>"))
    // The chart is drawn without JavaScript, to a round top (100 tok/s): the newest sample at the
    // right edge is a gap, the one before it a lone point (a short stroke).
    #expect(html.contains("<path id=\"chart-prompt\" class=\"prompt\" d=\"M 400.0 24.0 l 0.5 0\"/>"), "\(html)")
    #expect(html.contains("d=\"M 400.0 96.0 l 0.5 0\"") && html.contains("100 tok/s"))
    #expect(html.contains("<script src=\"/status.js\" defer></script>"))
  }

  @Test func aHostileModelNameIsTextNotMarkup() throws {
    let html = try render(loopback: true)
    #expect(!html.contains(Self.hostile))
    #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; (served as chat &amp; co)"), "\(html)")
    #expect(html.contains("/home/me/a&amp;b") && html.contains("loading &lt;model&gt;"))
    // The only script is the page's own file.
    #expect(html.components(separatedBy: "<script").count == 2)
  }

  @Test func anotherHostGetsNoLogLines() throws {
    let local = try render(loopback: true)
    #expect(local.contains("main: server is listening") && local.contains("<details data-log=\"llm\">"))
    #expect(local.contains("embedding: exited 5 times") && !local.contains("secret prompt"))
    let remote = try render(loopback: false)
    #expect(!remote.contains("server is listening") && !remote.contains("loading &lt;model&gt;") && !remote.contains("secret prompt"))
    #expect(remote.contains("Log lines are shown on this host only.") && remote.contains("embedding: exited 5 times"))
  }

  @Test func theAssetsAreServedFromTheTemplates() throws {
    let files = try Fixtures.shareFiles()
    let page = StatusPage(folder: Fixtures.share + "/templates/status", files: files)
    let script = try #require(try page.asset("/status.js"))
    #expect(
      script.type.hasPrefix("text/javascript") && String(decoding: script.body, as: UTF8.self).contains("new EventSource(\"/api/events\")"))
    #expect(try page.asset("/status.css")?.type.hasPrefix("text/css") == true)
    #expect(try page.asset("/secrets") == nil)
  }
}

/// What `/api/events` writes, and what goes into it.
@Suite("status page: events, logs and speed")
struct StatusEventsTests {
  @Test func anEventIsItsNameAndOneDataLinePerLine() {
    #expect(EventStream.event("status", data: #"{"a": 1}"#) == "event: status\ndata: {\"a\": 1}\n\n")
    #expect(EventStream.event("logs", data: "one\ntwo\r\nthree\rfour") == "event: logs\ndata: one\ndata: two\ndata: three\ndata: four\n\n")
    #expect(EventStream.event("x\ny", data: "") == "event: x y\ndata: \n\n")
    #expect(EventStream.comment("heartbeat") == ": heartbeat\n\n")
    // JSON on one line is one data line, whatever its strings hold (escaped newlines stay escaped).
    let line = try? JSONDocument.line(["text": "a\nb"])
    #expect(line.map { EventStream.event("status", data: $0) } == "event: status\ndata: {\"text\":\"a\\nb\"}\n\n")
  }

  @Test func theSupervisorsProbesAreLeftOutOfTheLogs() {
    let paths = ProbeLines.paths(.http(url: "http://127.0.0.1:4000/api/health"), service: .backend)
    #expect(paths == ["/api/health"])
    #expect(ProbeLines.paths(.http(url: "http://127.0.0.1:9/health"), service: .llm) == ["/health", "/metrics"])
    #expect(ProbeLines.paths(.postgres(psql: "p", socketDirectory: "/s", port: 1, user: "u", password: "x"), service: .db).isEmpty)
    let log = """
      INFO:     127.0.0.1:5000 - "GET /health HTTP/1.1" 200 OK
      127.0.0.1 - - [06/Dec/2026 05:00:00] "GET /health?x=1 HTTP/1.1" 200 -
      srv  log_server_r: request: GET /health 127.0.0.1 200
      GET /api/health 200 1.2 ms
      GET /healthy 200
      POST /v1/chat/completions 200
      """
    let kept = ProbeLines.tail(log, count: 50, paths: ["/health", "/api/health"])
    #expect(kept == ["GET /healthy 200", "POST /v1/chat/completions 200"])
    #expect(ProbeLines.tail((1...80).map { "line \($0)" }.joined(separator: "\n"), count: 50, paths: []).first == "line 31")
  }

  @Test func speedIsTokensOverTheEnginesOwnSecondsOrTheWallTime() throws {
    let before = EngineReading(promptTokens: 100, generatedTokens: 50)
    var after = EngineReading(promptTokens: 300, generatedTokens: 50)
    #expect(EngineSpeed(from: before, to: after, seconds: 5) == EngineSpeed(prompt: 40, generation: nil))
    var busy = before
    busy.promptSeconds = 1
    busy.generationSeconds = 2
    after.promptSeconds = 2
    after.generationSeconds = 2
    #expect(EngineSpeed(from: busy, to: after, seconds: 5) == EngineSpeed(prompt: 200, generation: nil))
    // A total lower than before: the engine started again, and what it counted is all new.
    let restarted = EngineReading(promptTokens: 20, generatedTokens: 10)
    #expect(EngineSpeed(from: before, to: restarted, seconds: 5) == EngineSpeed(prompt: 4, generation: 2))
    let text = """
      llamacpp:prompt_tokens_total 300
      llamacpp:prompt_seconds_total 1.5
      llamacpp:tokens_predicted_total 40
      llamacpp:tokens_predicted_seconds_total 2
      """
    let reading = try #require(EngineReading(exposition: text))
    #expect(reading.promptSeconds == 1.5 && reading.generationSeconds == 2)
  }

  @Test func theEngineGaugesFollowTheWorkSinceTheLastReadAndHoldWhileIdle() {
    let metrics = StackMetrics()
    var reading = EngineReading(promptTokens: 100, generatedTokens: 10)
    (reading.promptSeconds, reading.generationSeconds) = (1, 1)
    metrics.observe(engine: reading, service: .llm, model: "m", at: .seconds(0))
    (reading.generatedTokens, reading.generationSeconds) = (30, 1.5)
    metrics.observe(engine: reading, service: .llm, model: "m", at: .seconds(5))
    metrics.observe(engine: reading, service: .llm, model: "m", at: .seconds(10))
    let lines = String(decoding: metrics.exposition(), as: UTF8.self).split(separator: "\n")
    func gauge(_ name: String) -> String? {
      lines.first { $0.hasPrefix("synapse_local_engine_\(name)_tokens_per_second{") }?.split(separator: " ").last.map(String.init)
    }
    // 20 tokens in the 0.5 s spent on them; the prompt's figure is still the first read's (100 in 1 s).
    #expect(gauge("generation").flatMap(Double.init) == 40 && gauge("prompt").flatMap(Double.init) == 100, "\(lines)")
  }

  @Test func theHistoryIsBoundedAndTheChartBreaksAtGaps() {
    var history = ThroughputHistory(intervalSeconds: 5, capacity: 3)
    for value in [1.0, nil, 3, 4] { history.record(.init(model: "m", speed: EngineSpeed(prompt: nil, generation: value))) }
    #expect(history.samples.map(\.speed.generation) == [nil, 3, 4] && history.peak == 4)
    #expect(ThroughputChart.path(history.samples.map(\.speed.generation), capacity: 3, peak: 4) == "M 300.0 30.0 L 600.0 0.0")
    #expect(ThroughputChart.path([2, nil, 2], capacity: 3, peak: 4) == "M 0.0 60.0 l 0.5 0 M 600.0 60.0 l 0.5 0")
    #expect(ThroughputChart.scale(37) == 50 && ThroughputChart.scale(0) == 10 && ThroughputChart.scale(100) == 100)
  }

  @Test func theBoardSamplesTheEngineAndReadsEachLogOnlyWhenItGrew() async throws {
    let files = MemoryFileSystem(roots: ["/logs"])
    try files.write(Data("GET /health 200\nloaded\n".utf8), to: "/logs/llm.log", permissions: 0o600)
    let clock = ManualClock()
    let readings = Readings()
    let status = StackStatus(project: "/p", supervisorPID: 1, services: [])
    let board = StatusBoard(
      sources: .init(
        status: { status }, engine: { readings.next().map { (model: "m" as String?, reading: $0) } },
        logs: { [.init(service: .llm, path: "/logs/llm.log", probePaths: ["/health"])] }),
      files: files, time: clock, history: ThroughputHistory(intervalSeconds: 5, capacity: 10))
    #expect(await board.snapshot().logs == ["llm": ["loaded"]])
    try files.write(Data("GET /health 200\nloaded\nanswered\n".utf8), to: "/logs/llm.log", permissions: 0o600)
    // Within the freshness every client reads the same snapshot.
    #expect(await board.snapshot().logs == ["llm": ["loaded"]])
    clock.advance(by: 1)
    #expect(await board.snapshot().logs == ["llm": ["loaded", "answered"]])

    readings.queue = [EngineReading(promptTokens: 0, generatedTokens: 0), EngineReading(promptTokens: 500, generatedTokens: 50), nil]
    await board.sample()
    clock.advance(by: 5)
    await board.sample()
    await board.sample()
    #expect(
      await board.history.samples.map(\.speed) == [
        .init(prompt: nil, generation: nil), .init(prompt: 100, generation: 10), .init(prompt: nil, generation: nil),
      ])
    #expect(await board.history.samples.map(\.model) == ["m", "m", nil])
  }

  final class Readings: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [EngineReading?] = []
    var queue: [EngineReading?] {
      get { lock.withLock { values } }
      set { lock.withLock { values = newValue } }
    }
    func next() -> EngineReading? { lock.withLock { values.isEmpty ? nil : values.removeFirst() } }
  }

  @Test func aTakenPortIsNamedWithItsHolder() {
    let ports = ScriptedPorts(taken: [8790: "prometheus (pid 77)", 8791: ""])
    let taken = ListenError.statusPort(.port(host: "127.0.0.1", port: 8790, reason: "Address already in use"))
    #expect(
      "\(taken.namingHolder(ports))"
        == "cannot listen on 127.0.0.1:8790: Address already in use, held by prometheus (pid 77) (status.port); set status.port in synapse-local.yaml to a free port"
    )
    // An owner /proc does not tell: the error as it was.
    let unknown = ListenError.port(host: "127.0.0.1", port: 8791, reason: "Address already in use")
    #expect(unknown.namingHolder(ports) == unknown)
  }
}
