import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// What a generated compose file must satisfy beyond the Compose schema (issue: generate).
enum ComposeRules {
  /// The command each image's health check may start with: what the image is documented to ship.
  /// pgvector/pgvector:pg16 extends postgres:16 (pg_isready); llama.cpp's server images install
  /// curl (.devops Dockerfiles); vLLM's image runs Python; ours is python:3.11-slim.
  static func allowedHealthCommand(_ service: [String: Any]) -> String? {
    let image = service["image"] as? String ?? ""
    if image.hasPrefix("pgvector/pgvector:") { return "pg_isready" }
    if image.hasPrefix("ghcr.io/ggml-org/llama.cpp:server") { return "curl" }
    if image.hasPrefix("vllm/vllm-openai:") { return "python3" }
    if (service["build"] as? [String: Any])?["context"] as? String == "./services/embedding" { return "python" }
    return nil
  }

  static func check(_ compose: [String: Any], configuration c: ProjectConfiguration, gpu: Bool, store: String) throws {
    let services = try #require(compose["services"] as? [String: [String: Any]])
    #expect(Set(services.keys) == ["db", "llm", "embedding", "backend", "frontend"])

    // Every service another waits on as healthy has a health check its image can run.
    for (name, service) in services {
      for (dependency, condition) in service["depends_on"] as? [String: [String: String]] ?? [:]
      where condition["condition"] == "service_healthy" {
        let target = try #require(services[dependency], "\(name) depends on missing \(dependency)")
        let test = (target["healthcheck"] as? [String: Any])?["test"] as? [String] ?? []
        #expect(test.first == "CMD" && test.count > 1, "\(dependency) has no exec-form health check")
        #expect(
          test.dropFirst().first == allowedHealthCommand(target), "\(dependency)'s health check uses \(test.dropFirst().first ?? "nothing")"
        )
      }
    }
    #expect(Set((services["backend"]?["depends_on"] as? [String: Any] ?? [:]).keys) == ["db", "llm", "embedding"])

    // Published ports: 127.0.0.1 for db and the model servers always; the user-facing ones unless exposed.
    let published = [
      "db": c.db.port, "llm": c.llm.port, "embedding": c.embedding.port, "backend": c.backend.port, "frontend": c.frontend.port,
    ]
    for (name, port) in published {
      let ports = services[name]?["ports"] as? [String] ?? []
      let local = ["db", "llm", "embedding"].contains(name) || !c.expose
      #expect(ports == [(local ? "127.0.0.1:" : "") + "\(port):\(name == "db" ? 5432 : port)"], "\(name) publishes \(ports)")
    }

    // Servers listen on all interfaces inside the network, under the name LOCAL_LLM_MODEL gives.
    let llm = try #require(services["llm"])
    let command = try #require(llm["command"] as? [String])
    let hostFlag = try #require(command.firstIndex(of: "--host"))
    #expect(command[hostFlag + 1] == "0.0.0.0")
    let nameFlag = c.engine == .vllm ? "--served-model-name" : "--alias"
    #expect(command.firstIndex(of: nameFlag).map { command[$0 + 1] } == c.llm.servedName)
    let embedding = try #require(services["embedding"])
    let embeddingEnvironment = try #require(embedding["environment"] as? [String: String])
    #expect(embeddingEnvironment["EMBEDDING_HOST"] == "0.0.0.0")
    #expect(embeddingEnvironment["HF_HUB_OFFLINE"] == "1")

    // The backend reaches the others by service name.
    let backend = try #require(services["backend"]?["environment"] as? [String: String])
    #expect(backend["LOCAL_LLM_ENDPOINT"] == "http://llm:\(c.llm.port)")
    #expect(backend["LOCAL_EMBEDDING_ENDPOINT"] == "http://embedding:\(c.embedding.port)")
    let database = try #require(backend["DATABASE_URL"])
    #expect(database.contains("@db:5432/") && !database.contains("localhost") && !database.contains("127.0.0.1"))
    // The apps are built from the folders found in the checkout; each knows where the other is.
    let frontend = try #require(services["frontend"]?["environment"] as? [String: String])
    #expect(frontend[c.frontend.variable] == "http://127.0.0.1:\(c.backend.port)")
    #expect(backend[c.backend.variable] == "http://127.0.0.1:\(c.frontend.port)")
    for (name, dir) in [("backend", c.backend.dir), ("frontend", c.frontend.dir)] {
      let context = (services[name]?["build"] as? [String: Any])?["context"] as? String
      #expect(context == "./" + dir, "\(name) is built from \(context ?? "nothing")")
    }

    // The whole store, read-only, and model paths that are snapshot files in it.
    for service in [llm, embedding] {
      #expect((service["volumes"] as? [String] ?? []).contains("\(store):/models:ro"))
    }
    let modelFlag = c.engine == .vllm ? "--model" : "-m"
    let modelPath = try #require(command.firstIndex(of: modelFlag).map { command[$0 + 1] })
    for path in [modelPath, embeddingEnvironment["EMBEDDING_MODEL"] ?? ""] {
      #expect(path.hasPrefix("/models/models--") && path.contains("/snapshots/"), "\(path)")
      #expect(FileManager.default.fileExists(atPath: store + path.dropFirst("/models".count)), "\(path) is not in the store")
    }

    // Limits and threads from the hardware; GPUs reserved only on GPU machines.
    let resources = (llm["deploy"] as? [String: Any])?["resources"] as? [String: Any]
    let limits = try #require(resources?["limits"] as? [String: Any])
    #expect(limits["cpus"] != nil && (limits["memory"] as? String)?.hasSuffix("m") == true)
    #expect((llm["environment"] as? [String: String])?["OMP_NUM_THREADS"] == String(c.llm.threads))
    #expect(limits["cpus"] as? String == String(c.llm.threads))
    let embeddingLimits = ((embedding["deploy"] as? [String: Any])?["resources"] as? [String: Any])?["limits"] as? [String: Any]
    #expect(embeddingLimits?["cpus"] as? String == embeddingEnvironment["OMP_NUM_THREADS"], "embedding threads match its CPUs")
    let devices = (resources?["reservations"] as? [String: Any])?["devices"] as? [[String: Any]]
    if gpu {
      #expect(devices?.first?["driver"] as? String == "nvidia")
      #expect((devices?.first?["capabilities"] as? [String]) == ["gpu"])
      let count = c.engine == .vllm ? c.llm.tensorParallelSize as Any : "all" as Any
      #expect("\(devices?.first?["count"] ?? "none")" == "\(count)")
    } else {
      #expect(devices == nil)
    }
  }
}

/// `.env` as python-dotenv reads it: every key of the guide, consistent with the plan.
enum EnvRules {
  static func check(_ env: [String: String], configuration c: ProjectConfiguration, password: String) throws {
    for key in ProjectGenerationTests.guideKeys { #expect(env[key] != nil, "\(key) missing from .env") }
    #expect(env["USE_LOCAL_MODELS"] == "true")
    #expect(env["USE_AZURE_OPENAI"] == "false")
    #expect(env["LOCAL_LLM_ENDPOINT"] == "http://127.0.0.1:\(c.llm.port)")
    #expect(env["LOCAL_LLM_MODEL"] == c.llm.servedName)
    #expect(env["LOCAL_EMBEDDING_ENDPOINT"] == "http://127.0.0.1:\(c.embedding.port)")
    #expect(env["LOCAL_EMBEDDING_MODEL"] == c.embedding.servedName)
    #expect(env["LOCAL_EMBEDDING_DIMENSIONS"] == String(c.embedding.dimensions))
    #expect(env["LOCAL_LLM_CONTEXT_LENGTH"] == String(c.llm.context))
    #expect(env["LOCAL_LLM_TIMEOUT"] == String(c.llm.timeoutMs))
    #expect(env["EMBEDDING_BATCH_SIZE"] == String(c.embedding.batchSize))
    #expect(env["DATABASE_URL"] == "postgresql://\(c.db.user):\(password)@127.0.0.1:\(c.db.port)/\(c.db.name)")
    #expect(env["SYNAPSE_LOCAL_DB_PASSWORD"] == password)
  }
}
