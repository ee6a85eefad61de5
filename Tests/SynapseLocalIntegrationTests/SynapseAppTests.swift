import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The Synapse-shaped Node app (Tests/Fixtures/synapse-app) with real Node and npm, offline: what
/// `up` checks before it starts the apps, its install step, and (from the shared stack of
/// StackTests) the apps running: the frontend's page in headless Chromium answered from pgvector
/// and the local llm.
@Suite("the Synapse app, with real Node", .tags(.integration), .serialized)
struct SynapseAppTests {
  /// A copy of the fixture checkout with a project file from `init --synapse`.
  struct Checkout {
    let root = NSTemporaryDirectory() + "synapse-app-\(UUID().uuidString.prefix(8))"
    var app: String { root + "/app" }
    var project: String { root + "/project" }

    init() throws {
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: Fixtures.root + "/synapse-app", toPath: app)
      try? FileManager.default.removeItem(atPath: app + "/node_modules")
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLIResult {
      try await CLIRunner.run(
        arguments + ["--project", project],
        environment: ["HF_HUB_CACHE": root + "/store", "HF_HUB_OFFLINE": "1", "SYNAPSE_LOCAL_HOME": root + "/home"].merging(environment) {
          $1
        })
    }

    func initialize(_ extra: [String] = []) async throws -> CLIResult {
      try await run(
        [
          "init", "--profile", "demo", "--synapse", app, "--backend-port", String(try Loopback.freePort()), "--frontend-port",
          String(try Loopback.freePort()), "--set", "status.port=\(try Loopback.freePort())",
        ] + extra)
    }

    func write(_ text: String, _ path: String) throws { try text.write(toFile: app + "/" + path, atomically: true, encoding: .utf8) }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
  }

  /// A `node` that reports the given version, as an old install would.
  static func stubNode(_ folder: String, version: String) throws -> String {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/node"
    try "#!/bin/sh\necho \(version)\n".write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
  }

  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.node)))
  func upRefusesInOneLineWhatTheAppsLack() async throws {
    let checkout = try Checkout()
    defer { checkout.remove() }
    let initialized = try await checkout.initialize()
    try #require(initialized.status == 0, "\(initialized.stderr)")
    #expect(!initialized.stderr.contains("would call the cloud"), "\(initialized.stderr)")

    // Each is refused before anything starts or downloads: one line, what is wrong and the fix.
    let old = try Self.stubNode(checkout.root + "/old", version: "v18.19.0")
    let cases: [([String: String], String)] = [
      (["SYNAPSE_LOCAL_NODE": checkout.root + "/nowhere/node"], "Node is not found (binaries.node is '\(checkout.root)/nowhere/node'"),
      (["SYNAPSE_LOCAL_NODE": old], "backend: Node v18.19.0 (\(old)) does not meet backend.node '>=20'"),
    ]
    for (environment, message) in cases {
      let up = try await checkout.run(["up", "-d"], environment: environment)
      #expect(up.status == 1 && up.stderr.contains(message), "\(up.stderr)")
      #expect(up.stderr.split(separator: "\n").filter { $0.hasPrefix("synapse-local: error:") }.count == 1, "\(up.stderr)")
      #expect(!FileManager.default.fileExists(atPath: checkout.root + "/home/runtimes"), "up installed runtimes before refusing")
    }

    // A project whose lockfile is gone, then one on pnpm, which cannot be had here.
    try FileManager.default.moveItem(atPath: checkout.app + "/package-lock.json", toPath: checkout.root + "/lock")
    var up = try await checkout.run(["up", "-d"])
    #expect(up.status == 1 && up.stderr.contains("no package-lock.json in \(checkout.app)/apps/backend or above it"), "\(up.stderr)")
    try FileManager.default.moveItem(atPath: checkout.root + "/lock", toPath: checkout.app + "/package-lock.json")
    let yaml = try String(contentsOfFile: checkout.project + "/synapse-local.yaml", encoding: .utf8)
    try yaml.replacingOccurrences(of: "package_manager: npm", with: "package_manager: pnpm")
      .replacingOccurrences(of: "install: \"npm ci\"", with: "install: \"pnpm install --frozen-lockfile\"")
      .write(toFile: checkout.project + "/synapse-local.yaml", atomically: true, encoding: .utf8)
    try "lockfileVersion: '9.0'\n".write(toFile: checkout.app + "/pnpm-lock.yaml", atomically: true, encoding: .utf8)
    up = try await checkout.run(["up", "-d"], environment: ["HOME": checkout.root, "COREPACK_HOME": checkout.root + "/corepack"])
    #expect(up.status == 1 && up.stderr.contains("pnpm is not on PATH, and corepack has no copy of it"), "\(up.stderr)")
  }

  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.node)))
  func initSaysWhatItFoundAndWhatIsWrong() async throws {
    let checkout = try Checkout()
    defer { checkout.remove() }
    // A backend without the guide's TypeScript changes: a warning, not a failure.
    let sources = checkout.app + "/apps/backend/src"
    for file in FileManager.default.enumerator(atPath: sources)?.compactMap({ $0 as? String }) ?? [] where file.hasSuffix(".js") {
      let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
      try text.replacingOccurrences(of: "USE_LOCAL_MODELS", with: "USE_OPENAI").replacingOccurrences(
        of: "LOCAL_LLM_ENDPOINT", with: "OPENAI_BASE_URL"
      ).write(toFile: sources + "/" + file, atomically: true, encoding: .utf8)
    }
    var initialized = try await checkout.initialize()
    #expect(initialized.status == 0, "\(initialized.stderr)")
    #expect(initialized.stdout.contains("backend: apps/backend (reads DATABASE_URL)"), "\(initialized.stdout)")
    #expect(
      initialized.stderr.contains("never reads USE_LOCAL_MODELS or LOCAL_LLM_ENDPOINT: it would call the cloud")
        && initialized.stderr.contains("src/services/aiService.ts"), "\(initialized.stderr)")

    // A malformed package.json: one line naming it, nothing written.
    try FileManager.default.removeItem(atPath: checkout.project)
    try checkout.write("{\"name\": \"@synapse/frontend\",\n", "apps/frontend/package.json")
    initialized = try await checkout.initialize()
    #expect(initialized.status == 1, "\(initialized.stdout)")
    #expect(
      initialized.stderr.hasPrefix("synapse-local: error: \(checkout.app)/apps/frontend/package.json: not valid JSON"),
      "\(initialized.stderr)")
    #expect(initialized.stderr.split(separator: "\n").count == 1, "\(initialized.stderr)")
    #expect(!FileManager.default.fileExists(atPath: checkout.project + "/synapse-local.yaml"))
  }

  /// The install step with real npm: it runs when nothing was installed, is skipped when nothing
  /// changed, runs again when a package.json changed, and a failure names the step, its status
  /// and its last lines.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.node)))
  func installRunsOnlyWhenTheLockfileOrAPackageChanged() async throws {
    let checkout = try Checkout()
    defer { checkout.remove() }
    let initialized = try await checkout.initialize()
    try #require(initialized.status == 0, "\(initialized.stderr)")
    let context = Context.live()
    let configuration = try ProjectFile.load(project: checkout.project, environment: context.environment, files: RootedFileSystem())
    let apps = AppPreparation(context: context, configuration: configuration, project: checkout.project)
    let node = try #require(try await apps.check())
    let state = checkout.project + "/.synapse-local"
    let environment: (ServiceName) -> [String: String] = { _ in ["PATH": node.folder + ":/usr/bin:/bin", "HOME": checkout.root] }
    let said = Said()
    try await apps.installAndBuild(node: node, environment: environment, state: state, announce: said.add)
    #expect(said.lines == ["backend: npm ci in \(checkout.app) (output in \(state)/logs/backend.log)"])
    #expect(FileManager.default.fileExists(atPath: checkout.app + "/node_modules/@synapse/backend"))

    said.lines = []
    let clock = ContinuousClock.now
    try await apps.installAndBuild(node: node, environment: environment, state: state, announce: said.add)
    let skipped = ContinuousClock.now - clock
    #expect(said.lines.count == 1 && said.lines[0].contains("dependencies up to date") && said.lines[0].contains("`npm ci` skipped"))
    print("install skipped in \(skipped)")

    // A changed package.json: installed again.
    let manifest = checkout.app + "/apps/frontend/package.json"
    try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(
      of: "\"private\": true,", with: "\"private\": true, \"description\": \"the page\",", options: [], range: nil
    ).write(toFile: manifest, atomically: true, encoding: .utf8)
    said.lines = []
    try await apps.installAndBuild(node: node, environment: environment, state: state, announce: said.add)
    #expect(said.lines == ["backend: npm ci in \(checkout.app) (output in \(state)/logs/backend.log)"])

    // A broken lockfile: npm ci fails; up would stop here, with the step, its status and last lines.
    try "{ \"lockfileVersion\": 3, ".write(toFile: checkout.app + "/package-lock.json", atomically: true, encoding: .utf8)
    do {
      try await apps.installAndBuild(node: node, environment: environment, state: state, announce: said.add)
      Issue.record("npm ci succeeded with a broken lockfile")
    } catch let error as AppError {
      guard case .stepFailed(let service, let step, let command, let status, _, let lastLines) = error else { throw error }
      #expect(service == .backend && step == "install" && command == "npm ci" && status != 0)
      #expect(lastLines.contains("npm error"), "\(lastLines)")
      #expect(
        "\(error)".hasPrefix("backend: install (`npm ci`) exited with status \(status); the whole output is in \(state)/logs/backend.log"))
    }
    // Not skipped next time: the failed install left no record of success.
    let stamps = try FileManager.default.contentsOfDirectory(atPath: state + "/apps")
    #expect(stamps.isEmpty, "\(stamps)")
    let log = try String(contentsOfFile: state + "/logs/backend.log", encoding: .utf8)
    #expect(log.components(separatedBy: "== synapse-local: backend install: npm ci").count == 4, "\(log)")
  }

  final class Said: @unchecked Sendable {
    var lines: [String] = []
    func add(_ line: String) { lines.append(line) }
  }

  /// With the shared stack up (StackTests): the apps as status shows them, the migration's output,
  /// the page the frontend serves, the backend's CORS answer to the frontend's origin, the page in
  /// headless Chromium showing the answer, and a kill -9 of the backend's node.
  static func checkApps(_ stack: StackTests.Stack, _ status: StackStatus) async throws {
    let backendPort = stack.ports[.backend] ?? 0
    let frontendPort = stack.ports[.frontend] ?? 0
    let backend = try #require(status.services.first { $0.name == .backend })
    let frontend = try #require(status.services.first { $0.name == .frontend })
    #expect(backend.state == .healthy && frontend.state == .healthy)
    // The pid is the app's own top process (npm), and its memory covers npm, sh and node.
    let pid = try #require(backend.pid)
    #expect(try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8).hasPrefix("npm run dev"))
    let node = try #require(
      StackTests.descendants(of: pid).first {
        ((try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8)) ?? "").contains("src/index.js")
      })
    let table = ProcessTable(system: RootedFileSystem())
    let now = try await stack.status().services.first { $0.name == .backend }
    let own = table.residentBytes(pid) ?? 0
    #expect((now?.rssBytes ?? 0) > own + (table.residentBytes(node) ?? 0) / 2, "npm alone has \(own) bytes: \(String(describing: now))")
    let log = try String(contentsOfFile: stack.project + "/.synapse-local/logs/backend.log", encoding: .utf8)
    #expect(log.contains("== synapse-local: backend install: npm ci") && log.contains("migrated: documents with vector(384)"), "\(log)")

    // `logs backend` shows the app's own output after its steps'.
    let logs = try await stack.run(["logs", "backend", "-n", "40"])
    #expect(logs.status == 0 && logs.stdout.contains("backend on http://127.0.0.1:\(backendPort)"), "\(logs.stdout)")

    // The page knows the backend's URL; the backend lets the page's origin call it.
    let (_, page) = try await runCommand("/usr/bin/curl", ["-s", "http://127.0.0.1:\(frontendPort)/"])
    #expect(page.contains("const api = \"http://127.0.0.1:\(backendPort)\";"), "\(page)")
    let origin = "http://127.0.0.1:\(frontendPort)"
    let (_, cors) = try await runCommand(
      "/usr/bin/curl",
      [
        "-si", "-X", "OPTIONS", "-H", "Origin: \(origin)", "-H", "Access-Control-Request-Method: POST",
        "http://127.0.0.1:\(backendPort)/ask",
      ])
    #expect(cors.lowercased().contains("access-control-allow-origin: \(origin)"), "\(cors)")

    // A browser loads the page; its script asks the backend, which answers from pgvector and the llm.
    let chromium = try TestBed.require(.chromium)
    let (exit, dom) = try await runCommand(
      chromium,
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(stack.root)/chromium", "--virtual-time-budget=120000",
        "--dump-dom", origin + "/",
      ])
    #expect(exit == 0 && dom.contains("data-state=\"answered\""), "\(dom.suffix(2000))")
    #expect(dom.contains("<li>The capital of France is Paris.</li>"), "\(dom.suffix(2000))")

    // kill -9 of the backend's node: npm exits, and the backend is started again.
    kill(node, SIGKILL)
    let restarted = try await stack.waitForRestart(.backend, from: pid, restarts: 1)
    #expect(restarted.state == .healthy)
  }
}
