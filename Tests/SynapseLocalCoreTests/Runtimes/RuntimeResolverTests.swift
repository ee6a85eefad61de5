import Foundation
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Which program `up` runs: the environment variable, else a `binaries` key the user set, else
/// the runtime the lock pins, else PATH; what none gives is missing (installed by `up`), and a
/// user's choice that does not work is reported, never replaced.
@Suite("runtime resolver")
struct RuntimeResolverTests {
  static let embeddingProbe =
    "/tools/bin/python3 -c import importlib.util as u, sys; sys.exit(0 if u.find_spec('sentence_transformers') and u.find_spec('flask') else 1)"

  let files = MemoryFileSystem(roots: ["/tools", "/home", "/opt", "/nonexistent", "/usr/lib/postgresql", "/usr/share/postgresql"])

  func context(_ environment: [String: String] = [:], answers: [String: ProcessResult] = [:]) -> Context {
    Context(
      system: files, environment: ["PATH": "/tools/bin", "SYNAPSE_LOCAL_HOME": "/home"].merging(environment) { $1 },
      processes: StubProcessRunner(answers), files: files)
  }

  func executable(_ path: String) throws { try files.write("#!/bin/sh\n", to: path, permissions: 0o755) }

  /// An installed llama.cpp runtime under the home, as `install` leaves it.
  func installLlamaCpp(version: String) throws -> String {
    let folder = RuntimeHome(path: "/home").folder(.llamaCpp, version: version, variant: "cpu", platform: .linuxX64)
    try executable(folder + "/llama-\(version)/llama-server")
    let manifest = RuntimeManifest(
      id: .llamaCpp, version: version, variant: "cpu", platform: .linuxX64, path: folder,
      executable: folder + "/llama-\(version)/llama-server",
      sha256: String(repeating: "a", count: 64), source: "test", asset: "llama-\(version)-bin-ubuntu-x64.tar.gz")
    let encoder = JSONEncoder()
    try files.write(try encoder.encode(manifest), to: folder + "/runtime.json", permissions: 0o644)
    return manifest.executable
  }

  func resolve(
    _ context: Context, userSet: Set<String> = [], configuration: ProjectConfiguration = ProjectConfiguration(), lock: ProjectLock? = nil
  )
    async -> RuntimeResolver.Resolution
  {
    var loaded = configuration
    loaded.binaries = BinaryLocator(environment: context.environment).applyingOverrides(to: loaded.binaries)
    return await RuntimeResolver(context: context, platform: .linuxX64).resolve(loaded, userSet: userSet, lock: lock)
  }

  @Test func nothingAnywhereIsMissingAndInstalledByUp() async {
    let resolution = await resolve(context(answers: [:]))
    #expect(resolution.missing == [.postgresql, .llamaCpp, .embedding])
    #expect(resolution.problems.isEmpty)
  }

  @Test func thePrecedenceIsEnvironmentThenFileThenLockThenPath() async throws {
    try executable("/tools/bin/llama-server")
    try executable("/opt/mine/llama-server")
    try executable("/opt/env/llama-server")
    let pinned = try installLlamaCpp(version: "b8200")
    var lock = ProjectLock()
    lock.record(.init(id: "llama.cpp", platform: "linux-x86_64", version: "b8200", variant: "cpu", asset: "x", sha256: "a"))
    var configuration = ProjectConfiguration()
    configuration.binaries.llamaServer = "/opt/mine/llama-server"

    let path = await resolve(context())
    #expect(path.binaries.llamaServer == "/tools/bin/llama-server" && path.sources[.llamaCpp] == "PATH")
    let locked = await resolve(context(), lock: lock)
    #expect(locked.binaries.llamaServer == pinned && locked.sources[.llamaCpp] == "lock")
    let file = await resolve(context(), userSet: ["binaries.llama_server"], configuration: configuration, lock: lock)
    #expect(file.binaries.llamaServer == "/opt/mine/llama-server" && file.sources[.llamaCpp] == "project file")
    let environment = await resolve(
      context(["SYNAPSE_LOCAL_LLAMA_SERVER": "/opt/env/llama-server"]), userSet: ["binaries.llama_server"], configuration: configuration,
      lock: lock)
    #expect(environment.binaries.llamaServer == "/opt/env/llama-server" && environment.sources[.llamaCpp] == "environment")
  }

  /// A pinned runtime that is not installed here is missing (up installs that version), even with
  /// one on PATH: the lock decides.
  @Test func aPinnedRuntimeNotInstalledIsMissingEvenWithOneOnPath() async throws {
    try executable("/tools/bin/llama-server")
    var lock = ProjectLock()
    lock.record(.init(id: "llama.cpp", platform: "linux-x86_64", version: "b8100", variant: "cpu", asset: "x", sha256: "a"))
    let resolution = await resolve(context(), lock: lock)
    #expect(resolution.missing.contains(.llamaCpp))
  }

  @Test func aUsersChoiceThatDoesNotWorkIsReportedNotReplaced() async throws {
    try executable("/tools/bin/llama-server")
    let resolution = await resolve(context(["SYNAPSE_LOCAL_LLAMA_SERVER": "/nonexistent/llama-server"]))
    #expect(!resolution.missing.contains(.llamaCpp))
    let problem = try #require(resolution.problems.first)
    #expect(problem.key == "binaries.llama_server" && problem.message.contains("SYNAPSE_LOCAL_LLAMA_SERVER=/nonexistent/llama-server"))
  }

  /// On PATH, the embedding runtime is a python3 that has sentence-transformers and flask, and
  /// PostgreSQL a system one of 14 or newer with pgvector.
  @Test func onPathTheEmbeddingPythonAndPostgresMustHaveWhatTheStackNeeds() async throws {
    try executable("/tools/bin/python3")
    try executable("/usr/lib/postgresql/15/bin/postgres")
    let without = await resolve(
      context(answers: [
        Self.embeddingProbe: ProcessResult(status: 1, stdout: "", stderr: ""),
        "/usr/lib/postgresql/15/bin/postgres --version": ProcessResult(status: 0, stdout: "postgres (PostgreSQL) 15.4\n", stderr: ""),
      ]))
    #expect(without.missing.contains(.embedding) && without.missing.contains(.postgresql))
    try files.write("comment = 'vector'\n", to: "/usr/share/postgresql/15/extension/vector.control", permissions: 0o644)
    let with = await resolve(
      context(answers: [
        Self.embeddingProbe: ProcessResult(status: 0, stdout: "", stderr: ""),
        "/usr/lib/postgresql/15/bin/postgres --version": ProcessResult(status: 0, stdout: "postgres (PostgreSQL) 15.4\n", stderr: ""),
      ]))
    #expect(with.binaries.python == "/tools/bin/python3" && with.binaries.pgBin == "/usr/lib/postgresql/15/bin")
    #expect(!with.missing.contains(.embedding) && !with.missing.contains(.postgresql))
  }

  @Test func anOldSystemPostgresIsNotUsedAndTheReasonSaysWhy() async throws {
    try executable("/usr/lib/postgresql/13/bin/postgres")
    try files.write("x", to: "/usr/share/postgresql/13/extension/vector.control", permissions: 0o644)
    let finding = await SystemPostgres(
      context: context(answers: [
        "/usr/lib/postgresql/13/bin/postgres --version": ProcessResult(status: 0, stdout: "postgres (PostgreSQL) 13.9\n", stderr: "")
      ])
    ).find()
    #expect(finding == .unusable("PostgreSQL 13 in /usr/lib/postgresql/13/bin is older than 14"))
  }
}
