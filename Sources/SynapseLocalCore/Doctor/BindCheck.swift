import Foundation
import SynapseLocalSystem

/// `security.bind`: services listen on loopback unless the project asks otherwise, and exposed
/// model endpoints have a key.
public struct BindCheck: DoctorCheck {
  public let id = "security.bind"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    if c.exposeModels {
      let key = subject.state + "/secrets/models-key"
      guard subject.context.files.exists(key) else {
        return .failure(
          id, "expose_models is true but \(key) is missing: other hosts would reach the models without a key",
          fix: "synapse-local restart\(subject.projectFlag) writes the key, or set expose_models: false")
      }
    }
    var exposed: [String] = []
    if c.expose { exposed.append("the backend and the frontend (expose: true)") }
    if c.exposeModels { exposed.append("the model endpoints, with a key (expose_models: true)") }
    if exposed.isEmpty { return .ok(id, "every service listens on 127.0.0.1 only") }
    return .warning(
      id, "reachable from other hosts: \(exposed.joined(separator: "; ")); put a firewall or a TLS proxy in front",
      fix: "set expose: false / expose_models: false if this was not meant")
  }
}
