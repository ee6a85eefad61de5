import Foundation
import SynapseLocalSystem

/// `security.files`: `.env` and the secrets are readable by their owner only, and the database
/// password is not a well-known default.
public struct SecretFilesCheck: DoctorCheck {
  public let id = "security.files"
  static let defaultPasswords: Set<String> = ["postgres", "password", "synapse", "changeme", "admin", "secret", "123456"]
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    var files = [subject.envPath]
    let secrets = subject.state + "/secrets"
    files += (subject.context.files.list(secrets) ?? []).map { secrets + "/" + $0 }
    for path in files where subject.context.files.exists(path) {
      guard let mode = subject.context.files.entry(path)?.permissions else { continue }
      if mode & 0o077 != 0 {
        return .failure(
          id, "\(path) is readable by others (mode \(String(mode, radix: 8))): it holds the database password",
          fix: "chmod 600 \(path) (synapse-local doctor --fix does it)")
      }
    }
    if let url = subject.env?["DATABASE_URL"], let password = VectorColumnsCheck.password(in: url),
      Self.defaultPasswords.contains(password.lowercased())
    {
      return .failure(
        id, "the database password is a well-known default",
        fix: "remove \(secrets)/db-password and the database folder's password, then synapse-local generate")
    }
    return .ok(id, ".env and the secrets are private (0600); the database password is generated")
  }
}

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

/// `security.licences`: models whose licence must be accepted before use (Meta's Llama licences,
/// Gemma's terms: the catalog's "with conditions") are named.
public struct LicenceCheck: DoctorCheck {
  public let id = "security.licences"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let models = [(c.llm.model, ModelRole.llm), (c.embedding.model, .embedding)].compactMap { ref, role in
      ref.catalogID.flatMap { try? subject.catalog.model(id: $0, role: role) }
    }
    let gated = models.filter { model in
      let terms = (model.license + " " + model.commercialUse).lowercased()
      return ["llama", "meta", "gemma", "condition", "accept"].contains { terms.contains($0) }
    }
    if gated.isEmpty { return .ok(id, "no model here needs its licence accepted") }
    return .warning(
      id, gated.map { "\($0.title): \($0.license) (\($0.commercialUse))" }.joined(separator: "; "),
      fix: "read and accept the licence on the model's Hub page before use; keep its attribution")
  }
}
