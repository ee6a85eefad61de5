import Foundation
import SynapseLocalSystem

/// The database's first run and every start's checks: `initdb` (role and password from the plan),
/// then, once the server answers, the database and the `vector` extension.
public struct PostgresBootstrap: Sendable {
  public var layout: PostgresLayout
  public var bin: String
  public var user: String
  public var database: String
  public var port: Int
  public var password: String
  /// psql and initdb, the password in their environment.
  public var processes: any ProcessRunner
  public var files: any FileSystem

  public init(
    layout: PostgresLayout, bin: String, user: String, database: String, port: Int, password: String, processes: any ProcessRunner,
    files: any FileSystem
  ) {
    self.layout = layout
    self.bin = bin
    self.user = user
    self.database = database
    self.port = port
    self.password = password
    self.processes = processes.adding(environment: ["PGPASSWORD": password])
    self.files = files
  }

  /// Before the first start: a new cluster whose superuser is the plan's role. Every connection,
  /// socket or TCP, needs the password: under root the socket folder belongs to `nobody`, which
  /// other daemons may share.
  public func initializeIfNeeded() async throws {
    try layout.prepare(files: files)
    if files.exists(layout.dataDirectory + "/PG_VERSION") { return }
    guard files.isExecutable(bin + "/initdb") else {
      throw StackError.cannotStart(
        service: .db, reason: "\(bin)/initdb not found; install PostgreSQL 16 with pgvector, or set binaries.pg_bin (SYNAPSE_LOCAL_PG_BIN)")
    }
    let passwordFile = layout.ownFolder + "/.initdb-password"
    try files.write(Data(password.utf8), to: passwordFile, permissions: 0o600)
    if layout.user != nil { try? files.setOwner(layout.owner, of: passwordFile) }
    defer { try? files.remove(passwordFile) }
    let (executable, arguments) = layout.command(
      bin + "/initdb",
      [
        "-D", layout.dataDirectory, "-U", user, "--pwfile=\(passwordFile)", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E",
        "UTF8", "--no-instructions",
      ])
    let result = try await processes.run(executable, arguments, timeout: .seconds(120))
    guard result.status == 0 else {
      try? files.remove(layout.dataDirectory)
      throw StackError.cannotStart(
        service: .db,
        reason: "initdb failed: \((result.stderr + result.stdout).trimmingCharacters(in: .whitespacesAndNewlines).suffix(500))")
    }
  }

  /// Once the server answers: the database, and pgvector in it.
  public func prepareDatabase() async throws {
    let exists = try await sql("SELECT 1 FROM pg_database WHERE datname = '\(database)'", in: "postgres")
    if exists != "1" { _ = try await sql("CREATE DATABASE \"\(database)\"", in: "postgres") }
    let available = try await sql("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'", in: database)
    guard available == "1" else {
      throw StackError.cannotStart(
        service: .db,
        reason:
          "the pgvector extension is not installed for the PostgreSQL in \(bin): install it (Debian: apt install postgresql-16-pgvector; from source: github.com/pgvector/pgvector) or point binaries.pg_bin at a PostgreSQL that has it"
      )
    }
    _ = try await sql("CREATE EXTENSION IF NOT EXISTS vector", in: database)
  }

  /// A pgvector column and how many rows hold a vector in it.
  public struct VectorColumn: Codable, Sendable, Equatable {
    /// schema.table.column
    public var column: String
    /// As declared, e.g. vector(384).
    public var type: String
    public var rows: Int
  }

  /// Every pgvector column in the database: what must be re-embedded when the vector size changes.
  public func vectorColumns() async throws -> [VectorColumn] {
    let listing = try await sql(
      """
      SELECT format('%I.%I', n.nspname, c.relname), quote_ident(a.attname), format_type(a.atttypid, a.atttypmod) \
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
      JOIN pg_type t ON t.oid = a.atttypid \
      WHERE t.typname = 'vector' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2
      """, in: database)
    var columns: [VectorColumn] = []
    for line in listing.split(separator: "\n") {
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 3 else { continue }
      let rows = try await sql("SELECT count(\(fields[1])) FROM \(fields[0])", in: database)
      columns.append(VectorColumn(column: fields[0] + "." + fields[1], type: fields[2], rows: Int(rows) ?? 0))
    }
    return columns
  }

  func sql(_ statement: String, in database: String) async throws -> String {
    let result = try await processes.run(
      bin + "/psql",
      ["-h", layout.socketDirectory, "-p", String(port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", statement],
      timeout: .seconds(30))
    guard result.status == 0 else {
      throw StackError.cannotStart(service: .db, reason: "\(statement): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
