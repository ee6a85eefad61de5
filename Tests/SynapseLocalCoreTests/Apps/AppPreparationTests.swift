import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// What `up` checks before the apps start, on an in-memory checkout with a scripted Node.
@Suite("checks before the apps start")
struct AppPreparationTests {
  static let files: [String: String] = [
    "/c/package.json": #"{"workspaces": ["apps/*"]}"#, "/c/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    "/c/apps/backend/package.json": #"{"scripts": {"dev": "node ."}, "dependencies": {"openai": "4"}}"#,
  ]

  func preparation(node version: String, files: MemoryFileSystem, configure: (inout ProjectConfiguration) -> Void = { _ in })
    -> AppPreparation
  {
    var c = ProjectConfiguration()
    c.paths.synapse = "/c"
    c.backend.dir = "apps/backend"
    c.backend.port = 1
    c.frontend.enabled = false
    configure(&c)
    let context = Context.testing(
      system: files, environment: ["PATH": "/opt/node/bin", "HOME": "/home/u"],
      processes: StubProcessRunner(["/opt/node/bin/node --version": ProcessResult(status: 0, stdout: version + "\n", stderr: "")]),
      files: files, ports: ScriptedPorts(free: [1]))
    return AppPreparation(context: context, configuration: c, project: "/p")
  }

  static func fileSystem() -> MemoryFileSystem {
    let files = MemoryFileSystem(roots: ["/c", "/opt", "/home/u", "/p"], files: Self.files)
    try? files.write(Data("#!/bin/sh\n".utf8), to: "/opt/node/bin/node", permissions: 0o755)
    return files
  }

  @Test func nodeTooOldIsNamedWithItsFix() async {
    await #expect(
      throws: AppError.notReady(
        service: .backend,
        problem:
          "Node v18.19.0 (/opt/node/bin/node) does not meet backend.node '>=20' (from the app's engines or .nvmrc): install a Node that does, or point SYNAPSE_LOCAL_NODE at one"
      )
    ) {
      try await preparation(node: "v18.19.0", files: Self.fileSystem()).check()
    }
  }

  /// A pnpm that is corepack's shim works offline only from corepack's cache.
  @Test func corepacksShimCountsOnlyWithItsCache() async throws {
    let files = Self.fileSystem()
    try files.write(Data("#!/bin/sh\n".utf8), to: "/opt/node/bin/pnpm", permissions: 0o755)
    files.link("/opt/node/bin/pnpm", to: "../lib/node_modules/corepack/dist/pnpm.js")
    let pnpm: (inout ProjectConfiguration) -> Void = { $0.backend.packageManager = .pnpm }
    do {
      _ = try await preparation(node: "v20.20.2", files: files, configure: pnpm).check()
      Issue.record("corepack's pnpm with nothing cached was accepted")
    } catch {
      #expect("\(error)".contains("pnpm on PATH is corepack's, and corepack has no copy of it cached"), "\(error)")
    }
    try files.write(Data("{}".utf8), to: "/home/u/.cache/node/corepack/v1/pnpm/9.1.0/package.json", permissions: 0o644)
    let node = try await preparation(node: "v20.20.2", files: files, configure: pnpm).check()
    #expect(node?.version == NodeRequirement.Version(20, 20, 2) && node?.folder == "/opt/node/bin")
  }

  @Test func productionModeStartingTheDevServerIsWarnedAbout() {
    let files = Self.fileSystem()
    let warned = preparation(node: "v20.20.2", files: files) { $0.backend.mode = .production }.modeWarnings()
    #expect(
      warned == [
        "backend.mode is production but backend.start is `pnpm run dev`, the dev server: set backend.start to `pnpm run start` (or run init again with --mode production)"
      ])
    #expect(preparation(node: "v20.20.2", files: files).modeWarnings().isEmpty)
  }

  /// A missing folder, or a start command whose program is missing, is named before anything starts.
  @Test func aMissingFolderOrStartProgramIsNamed() async throws {
    let files = Self.fileSystem()
    try files.write(Data("#!/bin/sh\n".utf8), to: "/opt/node/bin/pnpm", permissions: 0o755)
    await #expect(
      throws: AppError.notReady(
        service: .backend,
        problem:
          "the backend's folder /c/apps/nowhere does not exist: set backend.dir in synapse-local.yaml (or init --backend-dir) to the app's folder in the Synapse checkout (paths.synapse), or backend.enabled: false"
      )
    ) {
      try await preparation(node: "v20.20.2", files: files) { $0.backend.dir = "apps/nowhere" }.check()
    }
    await #expect(
      throws: AppError.notReady(
        service: .backend,
        problem:
          "backend.start runs `bun`, which is not on PATH (Node's folder first): install it, or change backend.start in synapse-local.yaml"
      )
    ) {
      try await preparation(node: "v20.20.2", files: files) { $0.backend.start = "PORT=3000 bun run dev" }.check()
    }
    // node_modules/.bin tools arrive with the install: not checked before it.
    let node = try await preparation(node: "v20.20.2", files: files) { $0.backend.start = "vite --port 3000" }.check()
    #expect(node?.folder == "/opt/node/bin")
  }
}
