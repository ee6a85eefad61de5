import Foundation
import SynapseLocalSystem

/// `env.local-mode`: the `.env` the backend reads sets the guide's local mode: USE_LOCAL_MODELS,
/// a placeholder OPENAI_API_KEY (no real key leaves the machine), the planned model and vector size.
public struct LocalModeEnvCheck: DoctorCheck {
  public let id = "env.local-mode"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    guard let raw = subject.env else {
      return .failure(
        id, "\(subject.envPath) is missing: the backend has no local-mode settings", fix: "synapse-local generate\(subject.projectFlag)")
    }
    // dotenv readers drop one pair of surrounding quotes.
    let env = raw.mapValues { value in
      value.count >= 2 && ((value.hasPrefix("\"") && value.hasSuffix("\"")) || (value.hasPrefix("'") && value.hasSuffix("'")))
        ? String(value.dropFirst().dropLast()) : value
    }
    let fix = "synapse-local generate\(subject.projectFlag) (a hand-edited .env is kept: --diff shows the change)"
    if env["USE_LOCAL_MODELS"]?.lowercased() != "true" {
      return .failure(id, "USE_LOCAL_MODELS is \(env["USE_LOCAL_MODELS"] ?? "not set"), so the backend calls the cloud", fix: fix)
    }
    if env["USE_AZURE_OPENAI"]?.lowercased() == "true" {
      return .failure(id, "USE_AZURE_OPENAI is true, which sends requests to Azure", fix: "set USE_AZURE_OPENAI=false in .env")
    }
    guard let key = env["OPENAI_API_KEY"], !key.isEmpty else {
      return .warning(
        id, "OPENAI_API_KEY is empty or missing: the guide's OpenAI client needs a placeholder value even in local mode",
        fix: "set OPENAI_API_KEY=not-required-for-local-mode")
    }
    if key.hasPrefix("sk-") {
      return .warning(
        id, "OPENAI_API_KEY holds a real key; local mode needs none, and a key in .env can leak",
        fix: "set OPENAI_API_KEY=not-required-for-local-mode")
    }
    let c = subject.configuration
    if env["LOCAL_LLM_MODEL"] != c.llm.servedName {
      return .failure(id, "LOCAL_LLM_MODEL is \(env["LOCAL_LLM_MODEL"] ?? "not set"), the engine serves \(c.llm.servedName)", fix: fix)
    }
    return .ok(id, "USE_LOCAL_MODELS=true, LOCAL_LLM_MODEL=\(c.llm.servedName), no OpenAI key")
  }
}

/// `embedding.dimensions`: `.env`, the project file and the embedding model agree on the vector
/// size.
public struct EmbeddingDimensionsCheck: DoctorCheck {
  public let id = "embedding.dimensions"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let model: Int? =
      c.embedding.model.catalogID.flatMap { try? subject.catalog.model(id: $0, role: .embedding) }?.dimensions
      ?? subject.embeddingPath.flatMap { EmbeddingDimensions.read(folder: $0, files: subject.context.files) }
    let declared = subject.env.flatMap { Int($0["LOCAL_EMBEDDING_DIMENSIONS"] ?? "") }
    if let model, model != c.embedding.dimensions {
      return .failure(
        id, "\(c.embedding.model) makes \(model)-dimension vectors, embedding.dimensions says \(c.embedding.dimensions)",
        fix:
          "set embedding.dimensions: \(model) in synapse-local.yaml, run synapse-local generate\(subject.projectFlag), and re-embed stored vectors"
      )
    }
    if let declared, declared != c.embedding.dimensions {
      return .failure(
        id,
        "LOCAL_EMBEDDING_DIMENSIONS in .env is \(declared), the project's embedding model makes \(c.embedding.dimensions)-dimension vectors",
        fix:
          "synapse-local generate\(subject.projectFlag) (or set LOCAL_EMBEDDING_DIMENSIONS=\(c.embedding.dimensions) in .env), then restart the backend"
      )
    }
    return .ok(
      id, "\(c.embedding.dimensions) dimensions in the project\(declared != nil ? ", .env" : "")\(model != nil ? " and the model" : "")")
  }
}

/// `endpoints.compose`: inside compose the backend reaches the models by service name; localhost
/// there is the backend's own container.
public struct ComposeEndpointsCheck: DoctorCheck {
  public let id = "endpoints.compose"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let path = subject.project + "/docker-compose.local.yml"
    guard let text = subject.context.files.readText(path) else { return .skipped(id, "no docker-compose.local.yml") }
    for line in text.split(separator: "\n") {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard trimmed.hasPrefix("LOCAL_LLM_ENDPOINT:") || trimmed.hasPrefix("LOCAL_EMBEDDING_ENDPOINT:") else { continue }
      if trimmed.contains("localhost") || trimmed.contains("127.0.0.1") {
        let key = String(trimmed.prefix { $0 != ":" })
        return .failure(
          id, "\(key) in docker-compose.local.yml points at localhost, which inside the backend's container is the backend itself",
          fix:
            "use the service name (http://\(key.contains("EMBEDDING") ? "embedding" : "llm"):PORT): synapse-local generate\(subject.projectFlag)"
        )
      }
    }
    // The backend reads .env (127.0.0.1 endpoints) unless its own environment overrides them.
    if let backend = Self.serviceBlock("backend", in: text) {
      for key in ["LOCAL_LLM_ENDPOINT", "LOCAL_EMBEDDING_ENDPOINT"] where !backend.contains(key + ":") {
        return .failure(
          id, "the compose file's backend does not set \(key), so it takes .env's 127.0.0.1 address, which inside its container is itself",
          fix:
            "synapse-local generate\(subject.projectFlag) (or add \(key): http://\(key.contains("EMBEDDING") ? "embedding" : "llm"):PORT under backend.environment)"
        )
      }
    }
    return .ok(id, "the compose file's backend reaches the models by service name")
  }

  /// A service's lines in the compose file: from `  NAME:` to the next service at that indent.
  static func serviceBlock(_ name: String, in text: String) -> String? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0 == "  \(name):" }) else { return nil }
    let rest = lines[(start + 1)...].prefix { $0.isEmpty || $0.hasPrefix("    ") }
    return rest.joined(separator: "\n")
  }
}

/// `app.local-mode`: the backend's sources read the guide's local-mode keys (its TypeScript steps).
public struct BackendLocalModeCheck: DoctorCheck {
  public let id = "app.local-mode"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    guard c.backend.enabled else { return .skipped(id, "no backend in this project (backend.enabled: false)") }
    let environment = subject.context.environment
    let checkout = AbsolutePath.resolve(c.paths.synapse, relativeTo: subject.project, environment: environment)
    let folder = AbsolutePath.resolve(c.backend.dir, relativeTo: checkout, environment: environment)
    guard subject.context.files.isDirectory(folder) else {
      return .failure(
        id, "the backend folder \(folder) does not exist", fix: "set backend.dir, or paths.synapse (synapse-local init --synapse DIR)")
    }
    if let warning = LocalModeCheck.warning(backend: folder, shown: c.backend.dir, files: subject.context.files) {
      return .warning(id, warning, fix: "add the guide's Step 3 changes to the backend (docs/synapse-app.md)")
    }
    return .ok(id, "the backend reads USE_LOCAL_MODELS and LOCAL_LLM_ENDPOINT")
  }
}
