import Foundation

/// A throwaway PostgreSQL cluster from the test bed's binaries. PostgreSQL refuses to run as root,
/// so under root the server runs as `nobody`, with data and socket folders it owns under /tmp.
public final class PostgresCluster: @unchecked Sendable {
  public let bin: String
  public let data: String
  public let socketDirectory: String
  public let port: Int

  public init(bin: String) async throws {
    self.bin = bin
    let base = "/tmp/synapse-local-test-pg-\(UUID().uuidString.prefix(8))"
    data = base + "/data"
    socketDirectory = base + "/socket"
    port = try Loopback.freePort()
    for folder in [base, data, socketDirectory] {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
    if getuid() == 0 { try await runCommand("/bin/chown", ["-R", "nobody:nogroup", base]) }
  }

  /// The command line that runs a PostgreSQL binary as the unprivileged user when we are root.
  func command(_ tool: String, _ arguments: [String]) -> (String, [String]) {
    getuid() == 0 ? ("/usr/sbin/runuser", ["-u", "nobody", "--", "\(bin)/\(tool)"] + arguments) : ("\(bin)/\(tool)", arguments)
  }

  func run(_ tool: String, _ arguments: [String]) async throws -> String {
    let (executable, args) = command(tool, arguments)
    let (status, output) = try await runCommand(executable, args)
    guard status == 0 else { throw TestFailure("\(tool) \(arguments.joined(separator: " ")) failed (\(status)):\n\(output)") }
    return output
  }

  public func start() async throws {
    _ = try await run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"])
    _ = try await run(
      "pg_ctl",
      ["-D", data, "-w", "-l", data + "/server.log", "-o", "-p \(port) -k \(socketDirectory) -c listen_addresses=127.0.0.1", "start"])
  }

  public func psql(_ sql: String, database: String = "postgres") async throws -> String {
    try await run("psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql])
  }

  /// The OS user the postmaster runs as.
  public func serverUser() async throws -> String {
    let pid = try String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8).split(separator: "\n").first.map(String.init) ?? ""
    let (_, output) = try await runCommand("/bin/ps", ["-o", "user=", "-p", pid])
    return output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  public func stop() async {
    _ = try? await run("pg_ctl", ["-D", data, "-m", "immediate", "stop"])
    try? FileManager.default.removeItem(atPath: (data as NSString).deletingLastPathComponent)
  }
}
