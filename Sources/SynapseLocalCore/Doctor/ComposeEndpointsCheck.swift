import Foundation
import SynapseLocalSystem

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
