import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Idle unload and wake with the real llama-server behind a supervisor of the llm alone: the
/// engine goes (process and memory) after its idle period, the requests that come next wait for
/// one start and are all answered, and a streamed request held during a wake is told of the load
/// in SSE comments that OpenAI's own client reads past.
@Suite("idle unload", .tags(.integration), .serialized)
struct IdleUnloadTests {
  func spec(model: String, port: Int, base: String, preload: Bool) throws -> ServiceSpec {
    var configuration = ProjectConfiguration()
    configuration.binaries.llamaServer = try TestBed.require(.llamaServer)
    configuration.llm.servedName = "SmolLM2-135M-Instruct"
    configuration.llm.port = port
    configuration.llm.context = 1024
    configuration.llm.threads = 2
    // Twenty requests queue at an engine that answers one at a time, on a machine that may be
    // busy: the hold and first-byte limits must not be what the test measures.
    configuration.llm.timeoutMs = 180_000
    configuration.llm.idleUnloadSeconds = 3
    configuration.llm.preload = preload
    var planner = ServicePlanner(
      configuration: configuration, project: base, llmPath: model, embeddingPath: "", store: "", database: SwapTests.layout(base),
      env: [:], baseEnvironment: ProcessInfo.processInfo.environment)
    planner.enginePorts = [.llm: try Loopback.freePort()]
    return try #require(planner.services().first { $0.name == .llm })
  }

  /// Polls the status until `done` holds (every 100 ms, up to `seconds`).
  func status(
    of supervisor: Supervisor, within seconds: Double, until done: (ServiceStatus) -> Bool
  ) async throws -> ServiceStatus {
    var last = await supervisor.status().services[0]
    for _ in 0..<Int(seconds * 10) where !done(last) {
      try await Task.sleep(for: .milliseconds(100))
      last = await supervisor.status().services[0]
    }
    return last
  }

  /// A completion of a few tokens: twenty of them queue at an engine that answers one at a time.
  static func shortChat(port: Int) throws -> (status: Int, body: String, chunks: Int) {
    let body =
      #"{"model": "SmolLM2-135M-Instruct", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2, "temperature": 0}"#
    return try StableEndpointTests.exchange(
      port: port,
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    )
  }

  /// Two streamed requests at once, from Python: one read raw (its lines as sent), one through
  /// the `openai` client (what it yields, or the exception it raised).
  static let streamScript = #"""
    import http.client, json, sys, threading, openai
    port = sys.argv[1]
    body = {"model": "SmolLM2-135M-Instruct", "messages": [{"role": "user", "content": "Count to five."}],
            "max_tokens": 8, "temperature": 0, "stream": True}
    result = {"errors": []}
    def raw():
        try:
            connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
            connection.request("POST", "/v1/chat/completions", json.dumps(body), {"Content-Type": "application/json"})
            response = connection.getresponse()
            result["status"] = response.status
            result["lines"] = [line.decode().rstrip("\r\n") for line in response if line.strip()]
        except Exception as error:
            result["errors"].append(f"raw: {error!r}")
    def client():
        try:
            c = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="not-needed", max_retries=0)
            text = ""
            for chunk in c.chat.completions.create(stream=True, **{k: v for k, v in body.items() if k != "stream"}):
                if chunk.choices and chunk.choices[0].delta.content:
                    text += chunk.choices[0].delta.content
            result["openai"] = text
        except Exception as error:
            result["errors"].append(f"openai: {error!r}")
    threads = [threading.Thread(target=f) for f in (raw, client)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(json.dumps(result))
    """#

  @Test(.timeLimit(.minutes(3)), .enabled(if: TestBed.shouldRun(.llamaServer, .smolLM2, .python)))
  func theEngineUnloadsWhenIdleAndWakesOnceForManyRequests() async throws {
    let base = NSTemporaryDirectory() + "idle-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    let port = try Loopback.freePort()
    let smol = try spec(model: try TestBed.require(.smolLM2), port: port, base: base, preload: true)
    let supervisor = Supervisor(project: base, specs: [smol], settings: SwapTests.settings(base), context: .live())
    try await supervisor.start()
    do {
      // Preloaded at start, then no request: within 5 s it is gone, memory and all, and idle.
      let loaded = await supervisor.status().services[0]
      let engine = try #require(loaded.pid)
      #expect(loaded.state == .healthy && (loaded.rssBytes ?? 0) > 0)
      let idle = try await status(of: supervisor, within: 5) { $0.state == .idle && $0.pid == nil }
      #expect(kill(engine, 0) != 0 && !FileManager.default.fileExists(atPath: "/proc/\(engine)"), "the engine still runs")
      #expect(idle.state == .idle && idle.pid == nil && idle.rssBytes == nil, "\(idle)")
      #expect(idle.crashes == 0 && idle.restarts == 0 && idle.wakes == 0)
      let metrics = String(decoding: await supervisor.metricsExposition(), as: UTF8.self)
      #expect(metrics.contains(#"synapse_local_service_state{service="llm",state="idle"} 1"#), "\(metrics.prefix(2000))")

      // Two streamed requests from Python wake it; once both are held, 20 more come at once. All
      // wait for the one start and are answered by the model.
      let streams = Task { try await runCommand(try TestBed.require(.python), ["-c", Self.streamScript, String(port)]) }
      for _ in 0..<300 where (await supervisor.endpointStatistics()[.llm]?.held ?? 0) < 2 {
        try await Task.sleep(for: .milliseconds(100))
      }
      let answers = try await withThrowingTaskGroup(of: (status: Int, body: String, chunks: Int).self) { group in
        for _ in 0..<20 { group.addTask { try await StableEndpointTests.onThread { try Self.shortChat(port: port) } } }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      let failed = answers.filter { $0.status != 200 || !$0.body.contains(#""choices""#) }
      #expect(failed.isEmpty, "\(failed.count) of 20 failed: \(failed.first.map { "\($0.status) \($0.body.prefix(300))" } ?? "")")

      // The streams heard of the load before their first token, and OpenAI's client read past it.
      let (code, output) = try await streams.value
      let result = try #require(
        try JSONSerialization.jsonObject(with: Data((output.split(separator: "\n").last ?? "").utf8)) as? [String: Any],
        "\(code): \(output.suffix(1500))")
      #expect((result["errors"] as? [String])?.isEmpty == true, "\(result)")
      #expect(result["status"] as? Int == 200)
      let lines = result["lines"] as? [String] ?? []
      let firstComment = lines.firstIndex { $0.hasPrefix(":") }
      let firstData = lines.firstIndex { $0.hasPrefix("data:") }
      #expect(firstComment != nil && firstData != nil && firstComment! < firstData!, "\(lines.prefix(5))")
      #expect(lines.first?.hasPrefix(": loading SmolLM2-135M-Instruct") == true, "\(lines.first ?? "no line")")
      #expect(lines.last == "data: [DONE]")
      #expect((result["openai"] as? String)?.isEmpty == false, "the openai client read no text: \(result)")
      let woken = await supervisor.status().services[0]
      #expect(woken.state == .healthy && woken.wakes == 1 && woken.crashes == 0 && woken.pid != engine, "\(woken)")
    } catch {
      await supervisor.stop()
      throw error
    }
    await supervisor.stop()
  }

  /// A wake that cannot load (a file that is not a model): the held stream ends with an error
  /// event as soon as the engine is marked failed, not at the hold limit, and not by a cut.
  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.llamaServer)))
  func aWakeThatFailsEndsAHeldStreamWithAnErrorEvent() async throws {
    let base = NSTemporaryDirectory() + "idle-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: base) }
    let broken = base + "/broken.gguf"
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: broken))
    let port = try Loopback.freePort()
    let supervisor = Supervisor(
      project: base, specs: [try spec(model: broken, port: port, base: base, preload: false)], settings: SwapTests.settings(base),
      context: .live())
    // Not loaded at start: idle until a request.
    try await supervisor.start()
    #expect(await supervisor.status().services[0].state == .idle)
    let began = Date()
    let answer = try await StableEndpointTests.onThread { try StableEndpointTests.chat(port: port, stream: true) }
    await supervisor.stop()
    #expect(answer.status == 200)
    #expect(answer.body.contains(": loading SmolLM2-135M-Instruct"), "\(answer.body.prefix(500))")
    #expect(answer.body.contains(#"data: {"error":"#) && answer.body.contains("could not load SmolLM2-135M-Instruct"), "\(answer.body)")
    #expect(Date().timeIntervalSince(began) < 30, "the stream waited for the hold limit")
  }
}
