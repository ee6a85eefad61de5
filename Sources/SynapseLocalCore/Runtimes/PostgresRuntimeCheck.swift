import Foundation

/// Proves a PostgreSQL works with pgvector: `initdb` in a temporary folder, a start on a private
/// socket, `CREATE EXTENSION vector` and one distance, then a stop. Under root it runs as the
/// unprivileged user, as `up` would.
struct PostgresRuntimeCheck: Sendable {
  var bin: String
  /// Where the check's private server gets its port.
  var ports: any Ports

  func run() async throws {
    var template = Array("/tmp/synapse-local-pgcheck-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw ArchiveError.unwritable(path: "/tmp", reason: String(cString: strerror(errno))) }
    let folder = String(cString: made)
    chmod(folder, 0o711)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let layout = try PostgresLayout.plan(state: folder, project: folder)
    let port = try ports.freePort()
    let bootstrap = PostgresBootstrap(
      layout: layout, bin: bin, user: "postgres", database: "check", port: port, password: DatabaseSecret.randomText(count: 32))
    do {
      try await bootstrap.initializeIfNeeded()
    } catch {
      throw RuntimeError.verificationFailed(id: "postgresql", command: "initdb", output: "\(error)")
    }
    let runner = bootstrap.processes
    let (pgctl, start) = layout.command(
      bin + "/pg_ctl",
      [
        "-D", layout.dataDirectory, "-w", "-t", "60", "-l", layout.ownFolder + "/check.log", "-o",
        "-k \(layout.socketDirectory) -p \(port) -c listen_addresses=''", "start",
      ])
    let started = try await runner.run(pgctl, start, timeout: .seconds(90))
    guard started.status == 0 else {
      let log = (try? String(contentsOfFile: layout.ownFolder + "/check.log", encoding: .utf8)) ?? started.stderr
      throw RuntimeError.verificationFailed(
        id: "postgresql", command: "pg_ctl start", output: String(log.trimmingCharacters(in: .whitespacesAndNewlines).suffix(300)))
    }
    // Stopped whatever the check found.
    let outcome: Result<Void, RuntimeError>
    do {
      try await bootstrap.prepareDatabase()
      let distance = try await bootstrap.sql("SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector", in: "check")
      outcome =
        distance == "1"
        ? .success(())
        : .failure(.verificationFailed(id: "postgresql", command: "SELECT vector distance", output: "got \(distance), expected 1"))
    } catch {
      outcome = .failure(.verificationFailed(id: "postgresql", command: "CREATE EXTENSION vector", output: "\(error)"))
    }
    let (stopper, stop) = layout.command(bin + "/pg_ctl", ["-D", layout.dataDirectory, "-m", "immediate", "-w", "stop"])
    _ = try? await runner.run(stopper, stop, timeout: .seconds(30))
    try outcome.get()
  }
}
