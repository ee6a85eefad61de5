import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Swaps behind the stable endpoint with real engines, while clients send requests one attempt
/// each (any non-2xx answer or connection error is a failure): llama-server with the test bed's
/// two GGUF models side by side and in hold mode, a model that cannot load, a kill -9; the vLLM
/// stand-in for model-name continuity; the generated embedding server with a second MiniLM.
@Suite("swap", .tags(.integration), .serialized)
struct SwapTests {
  func spec(model: String, name: String, port: Int, enginePort: Int, base: String) throws -> ServiceSpec {
    var configuration = ProjectConfiguration()
    configuration.binaries.llamaServer = try TestBed.require(.llamaServer)
    configuration.llm.servedName = name
    configuration.llm.port = port
    configuration.llm.context = 2048
    // One thread each: two engines side by side on 2 cores, without ggml's spinning threads
    // fighting over them.
    configuration.llm.threads = 1
    configuration.llm.timeoutMs = 60_000
    var planner = ServicePlanner(
      configuration: configuration, project: base, llmPath: model, embeddingPath: "", store: "", database: Self.layout(base), env: [:],
      baseEnvironment: ProcessInfo.processInfo.environment)
    planner.enginePorts = [.llm: enginePort]
    return try #require(planner.services().first { $0.name == .llm })
  }

  static func layout(_ base: String) -> PostgresLayout {
    PostgresLayout(
      dataDirectory: base + "/pg/db", socketDirectory: base + "/pg/run", user: nil, uid: getuid(), gid: getgid(), relocation: nil)
  }

  static func settings(_ base: String) -> Supervisor.Settings {
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(100)
    settings.crashLoopLimit = 3
    settings.backoffBase = .milliseconds(200)
    settings.loadTimesFile = base + "/load-times.json"
    return settings
  }

  final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var sent = 0
    private(set) var failures: [Int] = []
    private var stopped = false
    func record(_ status: Int) {
      lock.withLock {
        sent += 1
        if status != 200 { failures.append(status) }
      }
    }
    func stop() { lock.withLock { stopped = true } }
    var isStopped: Bool { lock.withLock { stopped } }
    var count: Int { lock.withLock { sent } }
  }

  /// Requests in a loop on a thread of its own until stopped.
  static func loop(_ tally: Tally, _ request: @escaping @Sendable () throws -> Int) -> Task<Void, any Error> {
    Task { try await StableEndpointTests.onThread { while !tally.isStopped { tally.record((try? request()) ?? 0) } } }
  }

  /// How many engine processes listen on the given ports, sampled from /proc every 20 ms: the
  /// most seen at once.
  final class EngineWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var most = 0
    private var stopped = false
    let ports: [Int]

    init(ports: [Int]) {
      self.ports = ports
      Thread.detachNewThread { [self] in
        while !lock.withLock({ stopped }) {
          let running = Self.engines(ports: ports)
          lock.withLock { most = max(most, running) }
          Thread.sleep(forTimeInterval: 0.02)
        }
      }
    }

    func stop() -> Int {
      lock.withLock {
        stopped = true
        return most
      }
    }

    static func engines(ports: [Int]) -> Int {
      let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
      return entries.filter { entry in
        guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let first = arguments.first, first.hasSuffix("llama-server"),
          let flag = arguments.firstIndex(of: "--port"), flag + 1 < arguments.count
        else { return false }
        return ports.contains(Int(arguments[flag + 1]) ?? -1)
      }.count
    }
  }

  static func modelNames(_ port: Int) throws -> [String] {
    let answer = try StableEndpointTests.exchange(port: port, "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
    let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
    return (object?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
  }

  /// A streamed answer long enough to outlast a model load: 300 tokens, end of text ignored.
  static func longStream(port: Int) throws -> (status: Int, body: String, chunks: Int) {
    let body =
      #"{"model": "SmolLM2-135M-Instruct", "messages": [{"role": "user", "content": "Count from one to one thousand."}], "max_tokens": 300, "ignore_eos": true, "temperature": 0, "stream": true}"#
    return try StableEndpointTests.exchange(
      port: port,
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    )
  }

  @Test(.timeLimit(.minutes(6)), .enabled(if: TestBed.shouldRun(.llamaServer, .smolLM2, .gemma3)))
  func llmSwapsSideBySideAndHoldingFailNoRequest() async throws {
    let base = NSTemporaryDirectory() + "swap-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    let port = try Loopback.freePort()
    let smol = try spec(
      model: try TestBed.require(.smolLM2), name: "SmolLM2-135M-Instruct", port: port, enginePort: try Loopback.freePort(), base: base)
    let supervisor = Supervisor(project: base, specs: [smol], settings: Self.settings(base), context: .live())
    try await supervisor.start()
    let tally = Tally()
    let client = Self.loop(tally) { try StableEndpointTests.chat(port: port).status }
    do {
      try await Task.sleep(for: .seconds(1))

      // Side by side: a stream begun on SmolLM2 before the swap finishes there, intact, while
      // Gemma loads beside it and takes the new requests.
      let gemma = try spec(
        model: try TestBed.require(.gemma3), name: "gemma-3-270m", port: port, enginePort: try Loopback.freePort(), base: base)
      let stream = Task { try await StableEndpointTests.onThread { (try Self.longStream(port: port), Date()) } }
      try await Task.sleep(for: .milliseconds(500))
      let watch = EngineWatch(ports: [smol.enginePort!, gemma.enginePort!])
      // Status while the swap runs; and a restart of the llm asked for meanwhile is refused.
      let snapshots = Task {
        var seen: [SwapProgress] = []
        var restartRefused: String?
        while !Task.isCancelled {
          if let swap = await supervisor.status().swap {
            seen.append(swap)
            if restartRefused == nil {
              do { try await supervisor.restart(.llm) } catch { restartRefused = "\(error)" }
            }
          }
          try? await Task.sleep(for: .milliseconds(50))
        }
        return (seen, restartRefused)
      }
      let swapBegan = Date()
      let report = try await supervisor.swap(to: gemma, mode: .sideBySide)
      snapshots.cancel()
      let (streamed, streamEnded) = try await stream.value
      #expect(watch.stop() == 2, "both engines ran at once")
      #expect(report.mode == .sideBySide && report.model == "gemma-3-270m" && report.from == "SmolLM2-135M-Instruct")
      #expect(report.heldRequests == 0 && report.loadMilliseconds > 0 && report.switchMilliseconds >= report.loadMilliseconds)
      let content = StableEndpointTests.dechunked(streamed.body)
      #expect(
        streamed.status == 200 && content.contains("data: [DONE]") && !content.contains("engine_restarted"),
        "status \(streamed.status), \(streamed.chunks) chunks in \(Int(streamEnded.timeIntervalSince(swapBegan))) s after the swap began: …\(streamed.body.suffix(300))"
      )
      #expect(content.contains(#""model":"SmolLM2-135M-Instruct""#), "the stream was answered by the old engine to its end")
      // It was still streaming when the new engine took over.
      #expect(streamEnded.timeIntervalSince(swapBegan) * 1000 > Double(report.loadMilliseconds), "the stream ended before the switch")
      let (seen, restartRefused) = await snapshots.value
      #expect(restartRefused?.contains("a swap of llm is under way") == true, "\(restartRefused ?? "the restart was taken")")
      #expect(seen.contains { $0.mode == .sideBySide && $0.phase == .loading && $0.to == "gemma-3-270m" })
      let after = await supervisor.status()
      #expect(after.swap == nil && after.lastSwap == report)
      #expect(try await StableEndpointTests.onThread { try Self.modelNames(port) }.first == "gemma-3-270m")
      #expect(LoadTimes.read(file: base + "/load-times.json", files: RootedFileSystem())[try TestBed.require(.gemma3)] != nil)
      let afterSideBySide = tally.count

      // Hold: one engine at a time; requests wait while SmolLM2 loads again.
      let back = try spec(
        model: try TestBed.require(.smolLM2), name: "SmolLM2-135M-Instruct", port: port, enginePort: try Loopback.freePort(), base: base)
      let holdWatch = EngineWatch(ports: [gemma.enginePort!, back.enginePort!])
      let held = try await supervisor.swap(to: back, mode: .hold)
      #expect(holdWatch.stop() == 1, "hold mode never runs two engines")
      #expect(held.mode == .hold && held.model == "SmolLM2-135M-Instruct")
      #expect(held.heldRequests == 0 || held.longestWaitMilliseconds > 0)
      #expect(try await StableEndpointTests.onThread { try Self.modelNames(port) }.first == "SmolLM2-135M-Instruct")
      try await Task.sleep(for: .milliseconds(500))
      #expect(tally.count > afterSideBySide, "requests went on through the hold-mode swap")

      // A model that cannot load: in either mode the swap fails, says why, and SmolLM2 serves on.
      let broken = base + "/broken.gguf"
      try Data("not a model".utf8).write(to: URL(fileURLWithPath: broken))
      for mode in [SwapMode.sideBySide, .hold] {
        let bad = try spec(model: broken, name: "broken", port: port, enginePort: try Loopback.freePort(), base: base)
        do {
          _ = try await supervisor.swap(to: bad, mode: mode)
          Issue.record("a swap to a file that is not a model succeeded (\(mode))")
        } catch {
          #expect("\(error)".contains("SmolLM2-135M-Instruct serves"), "\(error)")
        }
        #expect(try await StableEndpointTests.onThread { try Self.modelNames(port) }.first == "SmolLM2-135M-Instruct")
      }

      // kill -9 of the engine under the same loop: requests wait or are replayed.
      let before = tally.count
      let engine = try #require(await supervisor.status().services.first?.pid)
      kill(engine, SIGKILL)
      for _ in 0..<300 {
        try await Task.sleep(for: .milliseconds(100))
        let now = await supervisor.status().services[0]
        if now.state == .healthy && now.pid != engine && tally.count > before + 3 { break }
      }
      #expect(await supervisor.status().services[0].pid != engine)

      // Side by side once more, after a hold-mode swap and a restart: the new engine's pid file
      // is not the running one's, and the adopted engine is supervised (pid shown, restarted).
      let again = try spec(
        model: try TestBed.require(.gemma3), name: "gemma-3-270m", port: port, enginePort: try Loopback.freePort(), base: base)
      #expect(try await supervisor.swap(to: again, mode: .sideBySide).mode == .sideBySide)
      let adopted = try #require(await supervisor.status().services.first?.pid)
      #expect(try String(contentsOfFile: "/proc/\(adopted)/cmdline", encoding: .utf8).contains(String(again.enginePort!)))
      kill(adopted, SIGKILL)
      var recovered = false
      for _ in 0..<300 where !recovered {
        try await Task.sleep(for: .milliseconds(100))
        let now = await supervisor.status().services[0]
        recovered = now.state == .healthy && now.pid != nil && now.pid != adopted
      }
      #expect(recovered, "the adopted engine was not restarted after kill -9")
      tally.stop()
      try await client.value
      #expect(tally.failures.isEmpty, "\(tally.failures.count) of \(tally.sent) requests failed: \(tally.failures)")
      #expect(tally.sent > before + 3)
    } catch {
      tally.stop()
      await supervisor.stop()
      throw error
    }
    await supervisor.stop()
  }

  /// vLLM answers 404 to a name it does not serve: after a swap, a backend still sending the old
  /// name gets answers because the endpoint renames it.
  @Test(.timeLimit(.minutes(1)))
  func aSwappedEngineStillAnswersTheOldModelName() async throws {
    let base = NSTemporaryDirectory() + "swap-vllm-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    let port = try Loopback.freePort()
    func vllm(_ name: String) throws -> ServiceSpec {
      var configuration = ProjectConfiguration()
      configuration.engine = .vllm
      configuration.binaries.vllm = Fixtures.root + "/vllm/vllm"
      configuration.llm.servedName = name
      configuration.llm.port = port
      var planner = ServicePlanner(
        configuration: configuration, project: base, llmPath: "/models/\(name)", embeddingPath: "", store: "", database: Self.layout(base),
        env: [:],
        baseEnvironment: ProcessInfo.processInfo.environment)
      planner.enginePorts = [.llm: try Loopback.freePort()]
      return try #require(planner.services().first { $0.name == .llm })
    }
    let first = try vllm("Llama-3.1-8B-Instruct")
    let supervisor = Supervisor(project: base, specs: [first], settings: Self.settings(base), context: .live())
    try await supervisor.start()
    do {
      let second = try vllm("Qwen2.5-7B-Instruct")
      _ = try await supervisor.swap(to: second, mode: .hold)
      let messages = [["role": "user", "content": "hi"]]
      func chat(_ model: String, at target: Int = port) async throws -> (Int, String) {
        let (status, data) = try await Loopback.request(
          "http://127.0.0.1:\(target)/v1/chat/completions", method: "POST", json: ["model": model, "messages": messages])
        let answered = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["model"] as? String
        return (status, answered ?? "")
      }
      #expect(try await chat("Llama-3.1-8B-Instruct") == (200, "Qwen2.5-7B-Instruct"))
      #expect(try await chat("Qwen2.5-7B-Instruct") == (200, "Qwen2.5-7B-Instruct"))
      #expect(try await chat("some-other-model").0 == 404)
      // The engine itself knows only its own name: the renaming is the endpoint's.
      #expect(try await chat("Llama-3.1-8B-Instruct", at: second.enginePort!).0 == 404)
      #expect(try await StableEndpointTests.onThread { try Self.modelNames(port) }.first == "Qwen2.5-7B-Instruct")
    } catch {
      await supervisor.stop()
      throw error
    }
    await supervisor.stop()
  }

  @Test(.timeLimit(.minutes(5)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .miniLMCopy, .smolLM2, .llamaServer)))
  func anEmbeddingSwapUnderLoadFailsNoRequest() async throws {
    // The generated embedding server, from a generated demo project.
    let project = GeneratedStackTests.Project()
    defer { project.remove() }
    try await project.create(llmPort: try Loopback.freePort(), embeddingPort: try Loopback.freePort())
    let port = try Loopback.freePort()
    func embedding(_ folder: String, _ name: String) throws -> ServiceSpec {
      var configuration = ProjectConfiguration()
      configuration.binaries.python = try TestBed.require(.python)
      configuration.embedding.servedName = name
      configuration.embedding.port = port
      configuration.embedding.dimensions = try #require(EmbeddingDimensions.read(folder: folder, files: RootedFileSystem()))
      var planner = ServicePlanner(
        configuration: configuration, project: project.folder, llmPath: "", embeddingPath: folder, store: project.store,
        database: Self.layout(project.root), env: [:], baseEnvironment: ProcessInfo.processInfo.environment)
      planner.enginePorts = [.embedding: try Loopback.freePort()]
      return try #require(planner.services().first { $0.name == .embedding })
    }
    let miniLM = try embedding(try TestBed.require(.miniLM), "all-MiniLM-L6-v2")
    let supervisor = Supervisor(project: project.root, specs: [miniLM], settings: Self.settings(project.root), context: .live())
    try await supervisor.start()
    let tally = Tally()
    let client = Self.loop(tally) {
      let body = #"{"model": "all-MiniLM-L6-v2", "input": ["a question about pgvector", "another"]}"#
      return try StableEndpointTests.exchange(
        port: port,
        "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
      ).status
    }
    do {
      try await Task.sleep(for: .seconds(1))
      let copy = try embedding(try TestBed.require(.miniLMCopy), "minilm-copy")
      let report = try await supervisor.swap(to: copy, mode: .sideBySide)
      #expect(report.model == "minilm-copy" && report.heldRequests == 0)
      try await Task.sleep(for: .milliseconds(500))
      let afterSwap = tally.count
      let held = try await supervisor.swap(to: miniLM, mode: .hold)
      #expect(held.mode == .hold)
      try await Task.sleep(for: .milliseconds(500))
      tally.stop()
      try await client.value
      #expect(tally.failures.isEmpty, "\(tally.failures.count) of \(tally.sent) requests failed: \(tally.failures)")
      #expect(tally.sent > afterSwap && afterSwap > 3)
    } catch {
      tally.stop()
      await supervisor.stop()
      throw error
    }
    await supervisor.stop()
  }

  @Test(.enabled(if: TestBed.shouldRun(.miniLM, .miniLMDense)))
  func theVectorSizeIsReadFromTheModelsFiles() throws {
    #expect(EmbeddingDimensions.read(folder: try TestBed.require(.miniLM), files: RootedFileSystem()) == 384)
    #expect(EmbeddingDimensions.read(folder: try TestBed.require(.miniLMDense), files: RootedFileSystem()) == 256)
  }
}
