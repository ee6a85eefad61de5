import SynapseLocalCore
import SynapseLocalSystem

extension InitCommand {
  /// The flags as project keys, in the order they are applied.
  var overrides: [ProjectOverride] {
    let all: [(String, String, String?)] = [
      ("--engine", "engine", engine?.rawValue), ("--prefer", "prefer", prefer?.rawValue), ("--hardware", "hardware", hardware),
      ("--llm", "llm.model", llm), ("--embedding", "embedding.model", embedding), ("--context", "llm.context", context),
      ("--llm-port", "llm.port", llmPort), ("--embedding-port", "embedding.port", embeddingPort), ("--db-port", "db.port", dbPort),
      ("--mode", "backend.mode", mode?.rawValue), ("--mode", "frontend.mode", mode?.rawValue),
      ("--backend-start", "backend.start", backendStart), ("--backend-dir", "backend.dir", backendDir),
      ("--backend-port", "backend.port", backendPort), ("--backend-health", "backend.health", backendHealth),
      ("--frontend-start", "frontend.start", frontendStart), ("--frontend-dir", "frontend.dir", frontendDir),
      ("--frontend-port", "frontend.port", frontendPort), ("--frontend-health", "frontend.health", frontendHealth),
      ("--expose", "expose", expose ? "true" : nil), ("--no-frontend", "frontend.enabled", noFrontend ? "false" : nil),
      ("--expose-models", "expose_models", exposeModels ? "true" : nil),
    ]
    return all.compactMap { flag, key, value in value.map { ProjectOverride(flag: flag, key: key, value: $0) } }
      + set.map(ProjectOverride.init(setting:))
  }
}
