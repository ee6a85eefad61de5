import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// A bundle carries the Synapse checkout and the npm packages its lockfile pins: a git checkout of
/// the fixture app whose backend depends on `tiny-lib` (which depends on `tiny-dep`), installed
/// from a stand-in registry into an npm cache of its own, with local changes; exported with
/// `--no-runtimes` and a tiny model; imported inside `unshare -n` (only loopback, and nothing
/// listening) into an empty folder, where `npm ci --offline` with the carried cache installs both
/// packages; then `up`'s install step on it runs offline from that cache by itself; a second
/// import writes nothing again, and one over a changed file is refused unless `--force`.
@Suite("bundles carry the app", .tags(.integration), .serialized)
struct BundleAppTests {
  /// The fixture app copied to `app`, a git work tree whose backend depends on tiny-lib, installed
  /// from `registry` into the npm cache `cache`, committed.
  static func checkout(_ app: String, registry: FakeNpmRegistry, cache: String) async throws {
    try FileManager.default.copyItem(atPath: Fixtures.root + "/synapse-app", toPath: app)
    try? FileManager.default.removeItem(atPath: app + "/node_modules")
    let manifest = app + "/apps/backend/package.json"
    let text = try String(contentsOfFile: manifest, encoding: .utf8)
    try text.replacingOccurrences(of: "\"private\": true,", with: "\"private\": true,\n  \"dependencies\": { \"tiny-lib\": \"^2.1.0\" },")
      .write(toFile: manifest, atomically: true, encoding: .utf8)
    try "node_modules/\ndist/\n".write(toFile: app + "/.gitignore", atomically: true, encoding: .utf8)
    let script = """
      set -e
      cd \(app)
      npm install --registry \(registry.url) --cache \(cache) --no-audit --no-fund --loglevel=error
      git init -q
      git add -A
      git -c user.name=test -c user.email=test@example.invalid commit -q -m fixture
      """
    let (status, output) = try await runCommand("/bin/sh", ["-c", script])
    try #require(status == 0, "\(output)")
    let lock = try String(contentsOfFile: app + "/package-lock.json", encoding: .utf8)
    try #require(lock.contains(registry.url + "tiny-dep/-/tiny-dep-1.0.0.tgz") && lock.contains("\"integrity\": \"sha512-"), "\(lock)")
  }

  /// A lock pinning one small file, and its blob in `store`: what export needs of a project's models.
  static func pinTinyModel(project: String, store: String) throws {
    let model = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) })
    let sha = Digest.hex(.sha256, Array(model))
    let blobs = store + "/models--acme--tiny/blobs"
    try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
    try model.write(to: URL(fileURLWithPath: blobs + "/" + sha))
    try """
    version: 1
    files:
    - repository: acme/tiny
      revision: main
      commit: \(String(repeating: "c", count: 40))
      path: tiny.gguf
      size: \(model.count)
      sha256: \(sha)
      etag: \(sha)
    """.write(toFile: project + "/synapse-local.lock", atomically: true, encoding: .utf8)
  }

  static func json(_ path: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
  }

  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.node, .python)))
  func theCheckoutAndItsPackagesInstallOnAHostWithNoNetwork() async throws {
    let root = NSTemporaryDirectory() + "bundle-app-\(UUID().uuidString.prefix(8))"
    let (app, project, store, cache) = (root + "/app", root + "/project", root + "/store", root + "/npm-cache")
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let registry = try await FakeNpmRegistry(python: try TestBed.require(.python))
    do {
      try await Self.checkout(app, registry: registry, cache: cache)
    } catch {
      await registry.stop()
      throw error
    }
    await registry.stop()
    // Local changes: one tracked file edited (carried as it is), one untracked (not carried).
    let index = app + "/apps/backend/src/index.js"
    let edited = try String(contentsOfFile: index, encoding: .utf8) + "\n// edited after the last commit\n"
    try edited.write(toFile: index, atomically: true, encoding: .utf8)
    try "scratch".write(toFile: app + "/notes.txt", atomically: true, encoding: .utf8)

    let environment = ["HF_HUB_CACHE": store, "HF_HUB_OFFLINE": "1", "SYNAPSE_LOCAL_HOME": root + "/home", "npm_config_cache": cache]
    let initialized = try await CLIRunner.run(
      [
        "init", "--profile", "demo", "--synapse", app, "--backend-port", String(try Loopback.freePort()), "--frontend-port",
        String(try Loopback.freePort()), "--project", project,
      ], environment: environment)
    try #require(initialized.status == 0, "\(initialized.stderr)")
    try Self.pinTinyModel(project: project, store: store)
    let bundle = root + "/synapse.tar.zst"
    let exported = try await CLIRunner.run(
      ["bundle", "export", bundle, "--project", project, "--no-runtimes", "--tool", Fixtures.executable, "--json"], environment: environment
    )
    try #require(exported.status == 0, "\(exported.stderr)")
    #expect(exported.stderr.contains("the checkout \(app) has local changes: 1 modified"), "\(exported.stderr)")
    let export = try #require(try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any])
    let carried = try #require(export["app"] as? [String: Any])
    #expect(carried["localChanges"] as? Bool == true && carried["source"] as? String == "git" && carried["folder"] as? String == "app")
    #expect(carried["modified"] as? [String] == ["apps/backend/src/index.js"] && carried["untracked"] as? [String] == ["notes.txt"])
    #expect(carried["packages"] as? Int == 2, "\(carried)")
    let sha256 = try #require(export["sha256"] as? String)
    let listed = try await CLIRunner.run(["bundle", "list", bundle, "--json"])
    let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(listed.stdout.utf8))
    #expect(manifest.format == BundleManifest.appFormat)
    #expect(
      manifest.members.contains { $0.path == "app/apps/backend/src/index.js" && $0.sha256 == Digest.hex(.sha256, Array(edited.utf8)) })
    #expect(!manifest.members.contains { $0.path.hasPrefix("app/node_modules") || $0.path == "app/notes.txt" })
    #expect(manifest.members.filter { $0.path.hasPrefix("npm-cache/_cacache/content-v2/sha512/") }.count == 2)

    // The air-gapped host: no network at all, an empty folder, nothing of this machine's caches.
    let target = root + "/airgap"
    try FileManager.default.createDirectory(atPath: target + "/home", withIntermediateDirectories: true)
    var targetEnvironment = ProcessInfo.processInfo.environment.filter {
      !$0.key.hasPrefix("SYNAPSE_LOCAL_") && !$0.key.hasPrefix("HF_") && !$0.key.lowercased().hasPrefix("npm_config_")
    }
    targetEnvironment["HOME"] = target + "/home"
    targetEnvironment["HF_HOME"] = target + "/hf"
    let tool = Fixtures.executable
    let checkout = target + "/project/app"
    let carriedCache = target + "/project/.synapse-local/npm-cache"
    let script = """
      set -e
      ip link set lo up
      \(tool) bundle import \(bundle) --sha256 \(sha256) --project \(target)/project --json > \(target)/import.json
      cd \(checkout)
      npm ci --offline --cache \(carriedCache) --no-audit --no-fund --loglevel=error
      cd apps/backend
      node -e 'process.stdout.write(require("tiny-lib")())' > \(target)/required.txt
      """
    let (status, output) = try await runCommand("/usr/bin/unshare", ["-n", "/bin/sh", "-c", script], environment: targetEnvironment)
    #expect(status == 0, "\(output.suffix(3000))")
    let imported = try Self.json(target + "/import.json")
    #expect(imported["checkout"] as? String == checkout && imported["npm_packages"] as? Int == 2, "\(imported)")
    #expect((imported["app_files"] as? Int ?? 0) > 5 && imported["app_files_present"] as? Int == 0)
    #expect((try? String(contentsOfFile: target + "/required.txt", encoding: .utf8)) == "lib+dep")
    #expect((try? String(contentsOfFile: checkout + "/apps/backend/src/index.js", encoding: .utf8)) == edited)
    #expect(!FileManager.default.fileExists(atPath: checkout + "/notes.txt"))
    #expect(try String(contentsOfFile: target + "/project/synapse-local.yaml", encoding: .utf8).contains("  synapse: app\n"))

    // `up`'s install step on the imported project: offline from the carried cache, by itself.
    try FileManager.default.removeItem(atPath: checkout + "/node_modules")
    let context = Context.live(environment: targetEnvironment)
    let configuration = try ProjectFile.load(project: target + "/project", environment: targetEnvironment, files: RootedFileSystem())
    let apps = AppPreparation(context: context, configuration: configuration, project: target + "/project")
    let node = try #require(try await apps.check())
    let said = SynapseAppTests.Said()
    try await apps.installAndBuild(
      node: node, environment: { _ in ["PATH": node.folder + ":/usr/bin:/bin", "HOME": target + "/home"] },
      state: target + "/project/.synapse-local", announce: said.add)
    #expect(said.lines.first?.contains("offline from the npm cache a bundle carried, \(carriedCache)") == true, "\(said.lines)")
    #expect(FileManager.default.fileExists(atPath: checkout + "/node_modules/tiny-lib/index.js"))

    // Again into the same checkout: nothing written again. Over a changed file: refused, then --force.
    let importAgain = ["bundle", "import", bundle, "--sha256", sha256, "--project", target + "/project", "--json"]
    let again = try await CLIRunner.run(importAgain, environment: targetEnvironment)
    try #require(again.status == 0, "\(again.stderr)")
    let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
    #expect(second["app_files_present"] as? Int == imported["app_files"] as? Int, "\(second)")
    try "changed here".write(toFile: checkout + "/apps/backend/package.json", atomically: true, encoding: .utf8)
    let refused = try await CLIRunner.run(Array(importAgain.dropLast()), environment: targetEnvironment)
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("\(checkout)/apps/backend/package.json exists and differs from the bundle's checkout; pass --force"),
      "\(refused.stderr)")
    #expect(
      refused.stderr.split(separator: "\n").count == 1
        && (try? String(contentsOfFile: checkout + "/apps/backend/package.json", encoding: .utf8)) == "changed here")
    let forced = try await CLIRunner.run(Array(importAgain.dropLast()) + ["--force"], environment: targetEnvironment)
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect((try? String(contentsOfFile: checkout + "/apps/backend/package.json", encoding: .utf8))?.contains("tiny-lib") == true)
  }
}
