import Foundation
import SynapseLocalSystem

/// Proves a PostgreSQL works with pgvector: `initdb` in a temporary folder, a start on a private
/// socket, `CREATE EXTENSION vector` and one distance, then a stop. Under root it runs as the
/// unprivileged user, as `up` would.
struct PostgresRuntimeCheck: Sendable {
  var bin: String
  /// Where the check's private server gets its port.
  var ports: any Ports
  var files: any FileSystem
  var processes: any ProcessRunner

  func run() async throws {
    let folder: String
    do {
      folder = try files.createUniqueFolder(in: "/tmp", prefix: "synapse-local-pgcheck-")
      try? files.setPermissions(0o711, of: folder)
    } catch {
      throw ArchiveError.unwritable(path: "/tmp", reason: ArchiveSource.reason(error))
    }
    defer { try? files.remove(folder) }
    let layout = try PostgresLayout.plan(state: folder, project: folder, files: files)
    let port = try ports.freePort()
    let bootstrap = PostgresBootstrap(
      layout: layout, bin: bin, user: "postgres", database: "check", port: port, password: DatabaseSecret.randomText(count: 32),
      processes: processes, files: files)
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
      let log = files.readText(layout.ownFolder + "/check.log") ?? started.stderr
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
