import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Which program `up` runs: the environment variable, else a `binaries` key the user set, else
/// the runtime the lock pins, else the newest installed runtime that suits the plan, else PATH; what none gives is missing (installed by `up`), and a
/// user's choice that does not work is reported, never replaced.
@Suite("runtime resolver")
struct RuntimeResolverTests {
  static let embeddingProbe =
    "/tools/bin/python3 -c import importlib.util as u, sys; sys.exit(0 if u.find_spec('sentence_transformers') and u.find_spec('flask') else 1)"

  let files = MemoryFileSystem(roots: ["/tools", "/home", "/opt", "/nonexistent", "/usr/lib/postgresql", "/usr/share/postgresql", "/proc"])

  func context(_ environment: [String: String] = [:], answers: [String: ProcessResult] = [:]) -> Context {
    Context.testing(
      system: files, environment: ["PATH": "/tools/bin", "SYNAPSE_LOCAL_HOME": "/home"].merging(environment) { $1 },
      processes: StubProcessRunner(answers), files: files)
  }

  func executable(_ path: String) throws { try files.write("#!/bin/sh\n", to: path, permissions: 0o755) }

  /// An installed llama.cpp runtime under the home, as `install` leaves it.
  func installLlamaCpp(version: String, variant: String = "cpu", platform: Platform = .linuxX64) throws -> String {
    let folder = RuntimeHome(path: "/home").folder(.llamaCpp, version: version, variant: variant, platform: platform)
    try executable(folder + "/llama-\(version)/llama-server")
    let manifest = RuntimeManifest(
      id: .llamaCpp, version: version, variant: variant, platform: platform, path: folder,
      executable: folder + "/llama-\(version)/llama-server",
      sha256: String(repeating: "a", count: 64), source: "test", installed: .testing, asset: "llama-\(version)-bin-ubuntu-x64.tar.gz")
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
    loaded.binaries = BinaryLocator(environment: context.environment, files: context.files).applyingOverrides(to: loaded.binaries)
    return await RuntimeResolver(context: context, platform: .linuxX64).resolve(loaded, userSet: userSet, lock: lock)
  }

  @Test func nothingAnywhereIsMissingAndInstalledByUp() async {
    let resolution = await resolve(context(answers: [:]))
    #expect(resolution.missing == [.postgresql, .llamaCpp, .embedding])
    #expect(resolution.problems.isEmpty)
  }

  @Test func thePrecedenceIsEnvironmentThenFileThenLockThenInstalledThenPath() async throws {
    try executable("/tools/bin/llama-server")
    try executable("/opt/mine/llama-server")
    try executable("/opt/env/llama-server")
    let path = await resolve(context())
    #expect(path.binaries.llamaServer == "/tools/bin/llama-server" && path.sources[.llamaCpp] == "PATH")
    let pinned = try installLlamaCpp(version: "b8200")
    var lock = ProjectLock()
    lock.record(.init(id: "llama.cpp", platform: "linux-x86_64", version: "b8200", variant: "cpu", asset: "x", sha256: "a"))
    var configuration = ProjectConfiguration()
    configuration.binaries.llamaServer = "/opt/mine/llama-server"

    let installed = await resolve(context())
    #expect(installed.binaries.llamaServer == pinned && installed.sources[.llamaCpp] == "installed")
    let locked = await resolve(context(), lock: lock)
    #expect(locked.binaries.llamaServer == pinned && locked.sources[.llamaCpp] == "lock")
    let file = await resolve(context(), userSet: ["binaries.llama_server"], configuration: configuration, lock: lock)
    #expect(file.binaries.llamaServer == "/opt/mine/llama-server" && file.sources[.llamaCpp] == "project file")
    let environment = await resolve(
      context(["SYNAPSE_LOCAL_LLAMA_SERVER": "/opt/env/llama-server"]), userSet: ["binaries.llama_server"], configuration: configuration,
      lock: lock)
    #expect(environment.binaries.llamaServer == "/opt/env/llama-server" && environment.sources[.llamaCpp] == "environment")
  }

  /// With no variable, key or pin, the newest llama.cpp installed under the home (one installed
  /// with `install --from` before the project existed) beats PATH, and `status` says where it came from.
  @Test func theNewestInstalledRuntimeBeatsPath() async throws {
    try executable("/tools/bin/llama-server")
    _ = try installLlamaCpp(version: "b8200")
    let newest = try installLlamaCpp(version: "b11541")
    _ = try installLlamaCpp(version: "b9000")
    let resolution = await resolve(context())
    #expect(resolution.binaries.llamaServer == newest && resolution.sources[.llamaCpp] == "installed")
    #expect(resolution.installed[.llamaCpp]?.version == "b11541" && !resolution.missing.contains(.llamaCpp))
    let origin = RuntimeResolver.origin(.llamaCpp, in: resolution, lock: nil, platform: .linuxX64)
    #expect(origin == "runtime llama.cpp b11541 (cpu), the newest installed that suits the plan")
  }

  /// The lock's pin outranks a newer installed runtime: the project keeps what it pinned.
  @Test func theLocksPinBeatsANewerInstalledRuntime() async throws {
    let pinned = try installLlamaCpp(version: "b8200")
    _ = try installLlamaCpp(version: "b11541")
    var lock = ProjectLock()
    lock.record(.init(id: "llama.cpp", platform: "linux-x86_64", version: "b8200", variant: "cpu", asset: "x", sha256: "a"))
    let resolution = await resolve(context(), lock: lock)
    #expect(resolution.binaries.llamaServer == pinned && resolution.sources[.llamaCpp] == "lock" && resolution.installed.isEmpty)
  }

  /// A runtime for another platform, or a GPU build on a CPU plan or on a machine without that GPU,
  /// does not suit: the older CPU build is used, and with none, PATH.
  @Test func anInstalledRuntimeThatDoesNotSuitThePlanIsSkipped() async throws {
    try executable("/tools/bin/llama-server")
    _ = try installLlamaCpp(version: "b11541", variant: "cuda-13.4")
    _ = try installLlamaCpp(version: "b11600", platform: .linuxArm64)
    let onlyGPU = await resolve(context())
    #expect(onlyGPU.sources[.llamaCpp] == "PATH" && onlyGPU.binaries.llamaServer == "/tools/bin/llama-server")
    let cpu = try installLlamaCpp(version: "b9000")
    var gpuPlan = ProjectConfiguration()
    gpuPlan.llm.gpuLayers = 99
    // This machine (an empty /proc, no nvidia-smi) has no GPU: the CUDA build does not suit even a GPU plan.
    for configuration in [ProjectConfiguration(), gpuPlan] {
      let resolution = await resolve(context(), configuration: configuration)
      #expect(resolution.binaries.llamaServer == cpu && resolution.sources[.llamaCpp] == "installed")
    }
  }

  /// A manifest in a folder other than the one it names is not taken: the pin `up` would write
  /// could not lead back to it.
  @Test func anInstalledRuntimeOutsideItsOwnFolderIsNotTaken() async throws {
    let cpu = try installLlamaCpp(version: "b9000")
    let elsewhere = "/home/runtimes/llama.cpp/copied"
    try executable(elsewhere + "/llama-server")
    let manifest = RuntimeManifest(
      id: .llamaCpp, version: "b12000", variant: "cpu", platform: .linuxX64, path: elsewhere, executable: elsewhere + "/llama-server",
      sha256: String(repeating: "a", count: 64), source: "test", installed: .testing, asset: "x.tar.gz")
    try files.write(try JSONEncoder().encode(manifest), to: elsewhere + "/runtime.json", permissions: 0o644)
    let resolution = await resolve(context())
    #expect(resolution.binaries.llamaServer == cpu && resolution.installed[.llamaCpp]?.version == "b9000")
  }

  /// On a machine with the GPU, a GPU plan takes the GPU build of the newest build, and a newer CPU
  /// build beats an older GPU one; a CPU plan never takes a GPU build.
  @Test func theNewestBuildWinsThenAGPUBuildForAGPUPlan() async {
    func manifest(_ version: String, _ variant: String) -> RuntimeManifest {
      RuntimeManifest(
        id: .llamaCpp, version: version, variant: variant, platform: .linuxX64, path: "/h/\(version)-\(variant)",
        executable: "/h/\(version)-\(variant)/llama-server", sha256: nil, source: "test", installed: .testing)
    }
    let choice = InstalledRuntimeChoice(
      installed: [manifest("b9000", "cuda-12.8"), manifest("b9000", "cpu"), manifest("b11541", "vulkan"), manifest("b8200", "cpu")],
      platform: .linuxX64
    ) { _ in nil }
    let gpu = await choice.choose(.llamaCpp, gpuLayers: 99) { ["cuda", "vulkan"] }
    #expect(gpu.map { "\($0.version)-\($0.variant)" } == "b11541-vulkan")
    let cudaOnly = await choice.choose(.llamaCpp, gpuLayers: 99) { ["cuda"] }
    #expect(cudaOnly.map { "\($0.version)-\($0.variant)" } == "b9000-cuda-12.8")
    let cpuPlan = await choice.choose(.llamaCpp, gpuLayers: 0) {
      Issue.record("a CPU plan asks for no GPU")
      return ["cuda"]
    }
    #expect(cpuPlan.map { "\($0.version)-\($0.variant)" } == "b9000-cpu")
    // A GPU plan on an AMD machine with only CUDA and CPU builds here: none suits, `up` installs ROCm.
    let none = InstalledRuntimeChoice(installed: [manifest("b9000", "cuda-12.8"), manifest("b11541", "cpu")], platform: .linuxX64) {
      _ in nil
    }
    #expect(await none.choose(.llamaCpp, gpuLayers: 99) { ["rocm", "vulkan"] } == nil)
  }

  /// A Python runtime suits only when built from the requirement set the profiles pin now.
  @Test func anEmbeddingRuntimeFromAnOlderRequirementSetDoesNotSuit() async {
    func manifest(_ version: String) -> RuntimeManifest {
      RuntimeManifest(
        id: .embedding, version: version, variant: "pypi", platform: .linuxX64, path: "/h/\(version)",
        executable: "/h/\(version)/bin/python", sha256: nil, source: "PyPI", installed: .testing)
    }
    let installed = [manifest("0123456789ab"), manifest("ba9876543210")]
    let current = InstalledRuntimeChoice(installed: installed, platform: .linuxX64) { _ in "ba9876543210" }
    #expect(await current.choose(.embedding, gpuLayers: 0) { [] }?.version == "ba9876543210")
    let newer = InstalledRuntimeChoice(installed: installed, platform: .linuxX64) { _ in "fedcba987654" }
    #expect(await newer.choose(.embedding, gpuLayers: 0) { [] } == nil)
    let unreadable = InstalledRuntimeChoice(installed: installed, platform: .linuxX64) { _ in nil }
    #expect(await unreadable.choose(.embedding, gpuLayers: 0) { [] } == nil)
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
