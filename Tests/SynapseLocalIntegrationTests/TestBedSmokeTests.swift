import Foundation
import SynapseLocalTesting
import Testing

extension Tag {
  @Tag static var integration: Self
}

/// One smoke test per test-bed component: each real part does its real job here.
@Suite("Test bed smoke tests", .tags(.integration), .serialized)
struct TestBedSmokeTests {
  @Test(
    "llama-server loads SmolLM2 and answers a chat completion", .timeLimit(.minutes(2)),
    .enabled(if: TestBed.shouldRun(.llamaServer, .smolLM2)))
  func llamaServerChat() async throws {
    let server = try TestBed.require(.llamaServer)
    let model = try TestBed.require(.smolLM2)
    let port = try Loopback.freePort()
    let process = try TestProcess(server, ["-m", model, "--host", "127.0.0.1", "--port", "\(port)", "-c", "2048", "-t", "2", "-ngl", "0"])
    try await Loopback.waitUntilHealthy("http://127.0.0.1:\(port)/health", process: process, seconds: 60)
    let (status, body) = try await Loopback.request(
      "http://127.0.0.1:\(port)/v1/chat/completions", method: "POST",
      json: ["messages": [["role": "user", "content": "Say hello."]], "max_tokens": 16, "temperature": 0])
    #expect(status == 200)
    let reply = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    let choices = try #require(reply["choices"] as? [[String: Any]])
    let content = try #require((choices.first?["message"] as? [String: Any])?["content"] as? String)
    #expect(!content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    let usage = try #require(reply["usage"] as? [String: Any])
    #expect((usage["completion_tokens"] as? Int ?? 0) > 0)
    await process.stop()
  }

  @Test(
    "PostgreSQL starts as an unprivileged user and pgvector works", .timeLimit(.minutes(2)),
    .enabled(if: TestBed.shouldRun(.postgresBin)))
  func postgresWithPgvector() async throws {
    let bin = try TestBed.require(.postgresBin)
    let cluster = try await PostgresCluster(bin: bin)
    do {
      try await cluster.start()
      #expect(try await cluster.psql("CREATE EXTENSION vector").contains("CREATE EXTENSION"))
      let distance = try await cluster.psql("SELECT round(('[1,2,3]'::vector <-> '[3,2,1]'::vector)::numeric, 4)")
      #expect(distance.contains("2.8284"))  // sqrt(8)
      #expect(try await cluster.psql("SELECT current_user").contains("postgres"))
      if getuid() == 0 {
        #expect(try await cluster.serverUser() == "nobody")
      }
    } catch {
      await cluster.stop()
      throw error
    }
    await cluster.stop()
  }

  @Test(
    "all-MiniLM-L6-v2 loads in sentence-transformers offline and gives 384-dim vectors", .timeLimit(.minutes(3)),
    .enabled(if: TestBed.shouldRun(.python, .miniLM)))
  func miniLMEmbeddings() async throws {
    let python = try TestBed.require(.python)
    let model = try TestBed.require(.miniLM)
    let script = """
      import sys, json
      from sentence_transformers import SentenceTransformer
      m = SentenceTransformer(sys.argv[1], device="cpu")
      v = m.encode(["The cat sat on the mat.", "A cat was sitting on a mat.", "Quarterly revenue rose by 4%."], normalize_embeddings=True)
      print(json.dumps({"dims": int(v.shape[1]), "near": float(v[0] @ v[1]), "far": float(v[0] @ v[2])}))
      """
    var environment = ProcessInfo.processInfo.environment
    environment["HF_HUB_OFFLINE"] = "1"
    environment["TOKENIZERS_PARALLELISM"] = "false"
    let (status, output) = try await runCommand(python, ["-c", script, model], environment: environment)
    #expect(status == 0, "\(output.suffix(2000))")
    let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") })
    let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(result["dims"] as? Int == 384)
    // Real embeddings: the paraphrase is much closer than the unrelated sentence.
    let near = try #require(result["near"] as? Double)
    let far = try #require(result["far"] as? Double)
    #expect(near > 0.7 && far < 0.3)
  }
}
