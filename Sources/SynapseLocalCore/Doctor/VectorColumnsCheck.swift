import Foundation
import SynapseLocalSystem

/// `db.vector`: in the running database, the `vector` extension exists and every pgvector column
/// has the embedding model's dimension; a mismatch after a model change needs a re-embed.
public struct VectorColumnsCheck: DoctorCheck {
  public let id = "db.vector"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    guard let db = subject.service(.db), db.state == .healthy else {
      return .skipped(id, "the database is not running (synapse-local up)")
    }
    let c = subject.configuration
    guard let url = subject.env?["DATABASE_URL"], let password = Self.password(in: url) else {
      return .skipped(id, ".env has no DATABASE_URL with a password")
    }
    guard let layout = try? PostgresLayout.plan(state: subject.state, project: subject.project, files: subject.context.files) else {
      return .skipped(id, "the database folder cannot be planned")
    }
    // The PostgreSQL `up` runs (an installed runtime the lock pins, say), not the default path.
    guard let programs = await subject.programs(), !programs.missing.contains(.postgresql) else {
      return .skipped(id, "no PostgreSQL is found the way `up` finds one")
    }
    let bootstrap = PostgresBootstrap(
      layout: layout, bin: programs.binaries.pgBin, user: c.db.user, database: c.db.name, port: c.db.port, password: password,
      processes: subject.context.processes, files: subject.context.files)
    do {
      let installed = try await bootstrap.sql("SELECT count(*) FROM pg_extension WHERE extname = 'vector'", in: c.db.name)
      guard installed.trimmingCharacters(in: .whitespacesAndNewlines) == "1" else {
        return .failure(
          id, "the vector extension is missing from \(c.db.name)", fix: "synapse-local restart db\(subject.projectFlag) creates it")
      }
      let columns = try await bootstrap.vectorColumns()
      let expected = "vector(\(c.embedding.dimensions))"
      let wrong = columns.filter { $0.type != expected && $0.type != "vector" }
      if let first = wrong.first {
        return .failure(
          id,
          "\(first.column) is \(first.type) with \(first.rows) row(s), the embedding model makes \(c.embedding.dimensions)-dimension vectors\(wrong.count > 1 ? " (and \(wrong.count - 1) more column(s))" : "")",
          fix:
            "re-embed: ALTER TABLE … TYPE \(expected) and embed the rows again with \(c.embedding.servedName), or swap back to the model they were made with"
        )
      }
      return .ok(id, "the vector extension exists; \(columns.count) vector column(s), all \(expected)")
    } catch {
      return .failure(id, "the database cannot be asked: \(error)", fix: "synapse-local logs db\(subject.projectFlag)")
    }
  }

  /// The password in `postgresql://user:password@host:port/db`.
  static func password(in url: String) -> String? {
    guard let scheme = url.range(of: "://"), let at = url.range(of: "@", options: .backwards) else { return nil }
    let credentials = url[scheme.upperBound..<at.lowerBound]
    guard let colon = credentials.firstIndex(of: ":") else { return nil }
    let value = String(credentials[credentials.index(after: colon)...])
    return value.removingPercentEncoding ?? value
  }
}
