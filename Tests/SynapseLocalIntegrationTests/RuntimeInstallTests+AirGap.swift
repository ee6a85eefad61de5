import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

extension RuntimeInstallTests {
  /// The same project carried to a host with no network: its backend first given a registry
  /// dependency (`tiny-lib`, which needs `tiny-dep`) from the stand-in registry, into an npm cache
  /// of the test's own, and a `require` of it; `bundle export --sign` here, then, inside a network
  /// namespace with only loopback, `bundle import` into a fresh HOME and HF_HOME and an empty
  /// project folder, and `up -d`: the checkout from the bundle, its packages installed offline from
  /// the carried cache, every service healthy, the backend answering from pgvector and the llm.
  /// An import with no proof is refused; the first import is proved by the sha256 export printed,
  /// the second by the signature and the team's public key, and writes no model file again.
  static func carryToAnAirGappedHost(_ stack: StackTests.Stack, home: Home, environment: [String: String]) async throws {
    let down = try await home.run(["down", "--project", stack.project], extra: environment)
    try #require(down.status == 0, "\(down.stderr)")
    let npmCache = stack.root + "/npm-cache"
    try await Self.addRegistryDependency(to: stack.app, cache: npmCache)
    let bundle = stack.root + "/synapse.tar.zst"
    let keys = stack.root + "/keys"
    let keygen = try await home.run(["bundle", "keygen", keys], extra: environment)
    try #require(keygen.status == 0, "\(keygen.stderr)")
    let exported = try await home.run(
      [
        "bundle", "export", bundle, "--project", stack.project, "--tool", Fixtures.executable, "--sign", keys + "/bundle-signing.key",
        "--json",
      ],
      extra: environment.merging(["npm_config_cache": npmCache]) { $1 })
    try #require(exported.status == 0, "\(exported.stderr)")
    let export = try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any]
    let sha256 = try #require(export?["sha256"] as? String)
    #expect(sha256 == (try Digest.sha256(ofFile: bundle, files: RootedFileSystem())) && export?["signedBy"] is String)
    let listed = try await home.run(["bundle", "list", bundle, "--json"], extra: environment)
    let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(listed.stdout.utf8))
    #expect(manifest.members.first?.path == "bin/synapse-local" && manifest.engineArchive != nil && manifest.python != nil)
    // llama.cpp serves the embeddings (embedding.engine): PostgreSQL's wheels travel, torch's do not.
    #expect(manifest.members.contains { $0.path.hasPrefix("wheelhouse/pgserver-") })
    #expect(!manifest.members.contains { $0.path.hasPrefix("wheelhouse/torch-") || $0.path.hasPrefix("wheelhouse/nvidia_") })
    #expect(manifest.members.contains { $0.path == "app/apps/backend/src/index.js" })
    #expect(manifest.members.filter { $0.path.hasPrefix("npm-cache/") }.count == 2)

    // The target: nothing of this machine's homes, caches or test-bed programs; PATH keeps the
    // system's tools (and psql, which the test app's backend calls).
    let target = stack.root + "/airgap"
    try FileManager.default.createDirectory(atPath: target + "/project", withIntermediateDirectories: true)
    var targetEnvironment = ProcessInfo.processInfo.environment.filter {
      !$0.key.hasPrefix("SYNAPSE_LOCAL_") && !$0.key.hasPrefix("HF_") && !$0.key.lowercased().hasPrefix("npm_config_")
    }
    targetEnvironment["HOME"] = target + "/home"
    targetEnvironment["HF_HOME"] = target + "/hf"
    targetEnvironment["SYNAPSE_LOCAL_PROFILES"] = home.material.profiles
    targetEnvironment["PATH"] = [TestBed.path(.postgresBin), targetEnvironment["PATH"], "/usr/sbin:/sbin"].compactMap { $0 }.joined(
      separator: ":")
    let tool = Fixtures.executable
    let script = """
      set -e
      ip link set lo up
      if \(tool) bundle import \(bundle) --project \(target)/project 2> \(target)/refused.txt; then exit 1; fi
      \(tool) bundle import \(bundle) --sha256 \(sha256) --project \(target)/project --json > \(target)/import.json
      \(tool) bundle import \(bundle) --trust \(keys)/bundle-signing.pub --project \(target)/project --json > \(target)/again.json
      \(tool) up -d --project \(target)/project > \(target)/up.txt 2>&1
      curl -s -X POST --data '{"question": "What is the capital of France?"}' http://127.0.0.1:\(stack.ports[.backend] ?? 0)/ask > \(target)/answer.json
      \(tool) down --project \(target)/project
      """
    let (status, output) = try await runCommand("/usr/bin/unshare", ["-n", "/bin/sh", "-c", script], environment: targetEnvironment)
    let up = (try? String(contentsOfFile: target + "/up.txt", encoding: .utf8)) ?? ""
    #expect(status == 0, "\(output.suffix(3000))\n\(up.suffix(3000))")
    // The checkout came with the bundle, and its packages from the carried npm cache.
    #expect(up.contains("npm ci in \(target)/project/app") && up.contains("offline from the npm cache a bundle carried"), "\(up)")
    #expect(FileManager.default.fileExists(atPath: target + "/project/app/node_modules/tiny-lib/index.js"))
    let refused = (try? String(contentsOfFile: target + "/refused.txt", encoding: .utf8)) ?? ""
    #expect(refused.contains("pass --sha256 HEX (printed by bundle export) or --trust PUBKEY"), "\(refused)")
    let first = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: target + "/import.json"))) as? [String: Any]
    #expect(first?["runtimes"] as? [String] == ["llama.cpp", "postgresql"], "\(String(describing: first))")
    let again = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: target + "/again.json"))) as? [String: Any]
    #expect(again?["model_files_present"] as? Int == again?["model_files"] as? Int && (again?["model_files"] as? Int ?? 0) > 0)
    #expect(
      first?["authenticated_by"] as? String == "sha256" && (again?["authenticated_by"] as? String)?.hasPrefix("signature by ") == true)
    let answer = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: target + "/answer.json"))) as? [String: Any]
    #expect((answer?["sources"] as? [String])?.first == "The capital of France is Paris.", "\(String(describing: answer))")
    // Nothing of the target's was read from this machine's store or runtime home.
    #expect(
      FileManager.default.fileExists(atPath: target + "/hf/hub")
        && FileManager.default.fileExists(atPath: target + "/home/.local/share/synapse-local/runtimes"))
  }

  /// The stack's checkout, its backend depending on tiny-lib (and requiring it at start), installed
  /// from the stand-in registry into `cache`, as a developer's connected machine would have it.
  static func addRegistryDependency(to app: String, cache: String) async throws {
    let registry = try await FakeNpmRegistry(python: try TestBed.require(.python))
    defer { Task { await registry.stop() } }
    let manifest = app + "/apps/backend/package.json"
    try String(contentsOfFile: manifest, encoding: .utf8)
      .replacingOccurrences(of: "\"private\": true,", with: "\"private\": true,\n  \"dependencies\": { \"tiny-lib\": \"^2.1.0\" },")
      .write(toFile: manifest, atomically: true, encoding: .utf8)
    let index = app + "/apps/backend/src/index.js"
    try ("require(\"tiny-lib\");\n" + String(contentsOfFile: index, encoding: .utf8)).write(
      toFile: index, atomically: true, encoding: .utf8)
    let (status, output) = try await runCommand(
      "/bin/sh", ["-c", "cd \(app) && npm install --registry \(registry.url) --cache \(cache) --no-audit --no-fund --loglevel=error"])
    try #require(status == 0, "\(output)")
  }
}
