import Foundation
import SynapseLocalSystem

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
