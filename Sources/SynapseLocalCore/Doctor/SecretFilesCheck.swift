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
