import Foundation
import SynapseLocalCore
import SynapseLocalTesting
import Testing

/// Swapping the llm behind its stable endpoint (hold mode) with the real llama-server and the test
/// bed's two GGUF models, while a client sends chat completions, one attempt each.
@Suite("swap", .tags(.integration), .serialized)
struct SwapTests {
  func spec(model: String, name: String, port: Int, enginePort: Int, base: String) throws -> ServiceSpec {
    var configuration = ProjectConfiguration()
    configuration.binaries.llamaServer = try TestBed.require(.llamaServer)
    configuration.llm.name = name
    configuration.llm.port = port
    configuration.llm.context = 1024
    configuration.llm.threads = 2
    configuration.llm.timeoutMs = 60_000
    let layout = PostgresLayout(dataDirectory: base + "/pg/db", socketDirectory: base + "/pg/run", user: nil, uid: getuid(), gid: getgid(), relocation: nil)
    var planner = ServicePlanner(
      configuration: configuration, project: base, llmPath: model, embeddingPath: "", store: "", database: layout, env: [:],
      baseEnvironment: ProcessInfo.processInfo.environment)
    planner.enginePorts = [.llm: enginePort]
    return try #require(planner.services().first { $0.name == .llm })
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
  }

  static func modelNames(_ port: Int) throws -> [String] {
    let answer = try StableEndpointTests.exchange(port: port, "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
    let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
    return (object?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
  }

  @Test(.timeLimit(.minutes(4)), .enabled(if: TestBed.shouldRun(.llamaServer, .smolLM2, .gemma3)))
  func aHoldModeSwapFailsNoRequest() async throws {
    let base = NSTemporaryDirectory() + "swap-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    let port = try Loopback.freePort()
    let smol = try spec(model: try TestBed.require(.smolLM2), name: "SmolLM2-135M-Instruct", port: port, enginePort: try Loopback.freePort(), base: base)
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(100)
    settings.crashLoopLimit = 2
    settings.backoffBase = .milliseconds(200)
    let supervisor = Supervisor(project: base, specs: [smol], settings: settings)
    try await supervisor.start()
    do {
      let tally = Tally()
      let client = Task {
        try await StableEndpointTests.onThread {
          while !tally.isStopped { tally.record((try? StableEndpointTests.chat(port: port).status) ?? 0) }
        }
      }
      try await Task.sleep(for: .seconds(1))
      let gemma = try spec(model: try TestBed.require(.gemma3), name: "gemma-3-270m", port: port, enginePort: try Loopback.freePort(), base: base)
      let report = try await supervisor.swap(to: gemma)
      try await Task.sleep(for: .seconds(1))
      tally.stop()
      try await client.value
      #expect(tally.failures.isEmpty, "\(tally.failures.count) of \(tally.sent) requests failed: \(tally.failures)")
      #expect(tally.sent > 5)
      #expect(report.mode == "hold" && report.model == "gemma-3-270m" && report.switchMilliseconds > 0)
      let names = try await StableEndpointTests.onThread { try Self.modelNames(port) }
      #expect(names.first == "gemma-3-270m")

      // A replacement that cannot load: the swap fails and Gemma serves on.
      let broken = base + "/broken.gguf"
      try Data("not a model".utf8).write(to: URL(fileURLWithPath: broken))
      let bad = try spec(model: broken, name: "broken", port: port, enginePort: try Loopback.freePort(), base: base)
      await #expect(throws: StackError.self) { try await supervisor.swap(to: bad) }
      let after = try await StableEndpointTests.onThread { try Self.modelNames(port) }
      #expect(after.first == "gemma-3-270m")
      #expect(try await StableEndpointTests.onThread { try StableEndpointTests.chat(port: port).status } == 200)
    } catch {
      await supervisor.stop()
      throw error
    }
    await supervisor.stop()
  }
}
