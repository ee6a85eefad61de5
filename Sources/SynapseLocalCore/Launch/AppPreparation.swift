import Foundation
import SynapseLocalSystem

/// What `up` does for the Synapse apps before the supervisor runs them: checks what they need
/// (Node at the version asked, the package manager, the lockfile, their folders and ports), then
/// installs (only when the lockfile or a package.json changed) and builds (production mode).
/// Migrations run later, in the supervisor, once the database is ready (`migrations`).
public struct AppPreparation: Sendable {
  /// The Node the apps run with.
  public struct Node: Sendable, Equatable {
    public var path: String
    public var version: NodeRequirement.Version
    public var folder: String { Self.folder(of: path) }

    /// The folder of a program's path: what goes first on the apps' PATH.
    public static func folder(of path: String) -> String {
      path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    }
  }

  public var context: Context
  public var configuration: ProjectConfiguration
  public var project: String

  public init(context: Context, configuration: ProjectConfiguration, project: String) {
    self.context = context
    self.configuration = configuration
    self.project = project
  }

  /// The enabled apps, backend first.
  public var workspaces: [AppWorkspace] {
    [(ServiceName.backend, configuration.backend), (.frontend, configuration.frontend)].filter { $0.1.enabled }.map {
      AppWorkspace(service: $0.0, configuration: configuration, project: project, environment: context.environment, files: context.files)
    }
  }

  /// The Node program `binaries.node` (or SYNAPSE_LOCAL_NODE) names, found on PATH.
  public static func nodePath(
    _ configuration: ProjectConfiguration, environment: [String: String], files: any FileSystem
  ) -> String? {
    BinaryLocator(environment: environment, files: files).resolve(configuration.binaries.node)
  }

  /// Everything the apps need before anything starts; the first problem is thrown as one line
  /// with its fix. Returns the Node that will run them (nil when no app is enabled).
  public func check() async throws -> Node? {
    let apps = workspaces
    guard !apps.isEmpty else { return nil }
    let node = try await checkNode(apps)
    var environment = context.environment
    environment["PATH"] = node.folder + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    for workspace in apps {
      let app = workspace.app
      let key = workspace.service.rawValue
      guard context.files.exists(workspace.folder) else {
        throw AppError.notReady(
          service: workspace.service,
          problem:
            "the \(key)'s folder \(workspace.folder) does not exist: set \(key).dir in synapse-local.yaml (or init --\(key)-dir) to the app's folder in the Synapse checkout (paths.synapse), or \(key).enabled: false"
        )
      }
      guard context.files.exists(workspace.folder + "/package.json") else {
        throw AppError.notReady(
          service: workspace.service,
          problem:
            "\(workspace.folder) has no package.json: set \(key).dir in synapse-local.yaml (or init --\(key)-dir) to the app's folder in the Synapse checkout (paths.synapse)"
        )
      }
      if !app.install.isEmpty, workspace.lockfile == nil {
        throw AppError.notReady(
          service: workspace.service,
          problem:
            "no \(app.packageManager.lockfile) in \(workspace.folder) or above it: `\(app.install)` installs only what a lockfile pins; run `\(app.packageManager.rawValue) install` there once and commit the lockfile"
        )
      }
      let program = app.packageManager.rawValue
      let found = BinaryLocator(environment: environment, files: context.files).resolve(program)
      let shim = found.flatMap(context.files.linkTarget)?.contains("corepack") == true
      if found == nil || (shim && !corepackHas(app.packageManager)) {
        throw AppError.notReady(service: workspace.service, problem: missingPackageManager(app.packageManager, shim: shim))
      }
      if let program = Self.startProgram(app.start), BinaryLocator(environment: environment, files: context.files).resolve(program) == nil {
        throw AppError.notReady(
          service: workspace.service,
          problem:
            "\(key).start runs `\(program)`, which is not on PATH (Node's folder first): install it, or change \(key).start in synapse-local.yaml"
        )
      }
      if let owner = context.ports.owner(of: app.port) {
        throw AppError.notReady(
          service: workspace.service,
          problem:
            "port \(app.port) is already in use\(owner.isEmpty ? "" : " by \(owner)"); stop that, or choose another \(key).port in synapse-local.yaml"
        )
      }
    }
    return node
  }

  /// The program a start command runs, when it is one that must be on PATH before anything is
  /// installed: Node and the package managers (an app's own tools come with its install, in
  /// node_modules/.bin). Leading `NAME=value` assignments are skipped.
  static func startProgram(_ command: String) -> String? {
    guard let first = command.split(separator: " ").first(where: { !$0.contains("=") }).map(String.init) else { return nil }
    return ["node", "npm", "npx", "pnpm", "yarn", "corepack", "bun"].contains(first) ? first : nil
  }

  func checkNode(_ apps: [AppWorkspace]) async throws -> Node {
    let service = apps[0].service
    guard let path = Self.nodePath(configuration, environment: context.environment, files: context.files) else {
      throw AppError.notReady(
        service: service,
        problem:
          "Node is not found (binaries.node is '\(configuration.binaries.node)', looked in PATH): install Node 20 or newer, the guide's requirement, or point SYNAPSE_LOCAL_NODE at one"
      )
    }
    let answer = try? await context.processes.run(path, ["--version"], timeout: .seconds(15))
    guard let answer, answer.status == 0, let version = NodeRequirement.Version(answer.stdout) else {
      throw AppError.notReady(
        service: service,
        problem:
          "\(path) --version did not answer with a version (\(answer.map { "exit \($0.status): \(($0.stdout + $0.stderr).prefix(120))" } ?? "it did not run")); install Node 20 or newer, or point SYNAPSE_LOCAL_NODE at one"
      )
    }
    for workspace in apps {
      guard let requirement = try? NodeRequirement(workspace.app.node), !requirement.accepts(version) else { continue }
      throw AppError.notReady(
        service: workspace.service,
        problem:
          "Node \(version) (\(path)) does not meet \(workspace.service.rawValue).node '\(requirement)' (from the app's engines or .nvmrc): install a Node that does, or point SYNAPSE_LOCAL_NODE at one"
      )
    }
    return Node(path: path, version: version)
  }

  /// What to do when pnpm or yarn is missing. corepack can provide them only from its cache: with
  /// no network, a version it has never downloaded cannot be had.
  func missingPackageManager(_ manager: PackageManager, shim: Bool = false) -> String {
    let name = manager.rawValue
    if shim {
      return
        "\(name) on PATH is corepack's, and corepack has no copy of it cached (it would download one, which needs the network): install \(name) itself (`npm install -g \(name)`), or run `\(name) --version` once on a connected machine"
    }
    if corepackHas(manager) {
      return "\(name) is not on PATH, and corepack has a copy cached: run `corepack enable \(name)` (it works offline from that cache)"
    }
    if manager == .npm { return "npm is not beside Node or on PATH: install Node with its npm (the nodejs and npm packages)" }
    return
      "\(name) is not on PATH, and corepack has no copy of it (it would download one, which needs the network): install \(name) (`npm install -g \(name)`, or carry its standalone binary here), or `corepack enable \(name)` on a connected machine first"
  }

  /// Whether corepack has a copy of the package manager cached (it then works offline).
  func corepackHas(_ manager: PackageManager) -> Bool {
    let home = context.environment["COREPACK_HOME"] ?? ((context.environment["HOME"] ?? "/root") + "/.cache/node/corepack")
    let name = manager.rawValue
    return (context.files.list(home + "/v1/" + name) ?? context.files.list(home + "/" + name) ?? []).contains { !$0.hasPrefix(".") }
  }

  /// Keys that contradict each other: production mode still starting the dev server.
  public func modeWarnings() -> [String] {
    workspaces.compactMap { workspace in
      let app = workspace.app
      guard app.mode == .production, app.start == app.packageManager.run("dev") else { return nil }
      let key = workspace.service.rawValue
      return
        "\(key).mode is production but \(key).start is `\(app.start)`, the dev server: set \(key).start to `\(app.packageManager.run("start"))` (or run init again with --mode production)"
    }
  }

  /// The install and build steps for `up`, in order: each install folder once (the backend and
  /// the frontend usually share one workspace), installs skipped when nothing changed since the
  /// last successful one.
  public func installAndBuild(
    node: Node, environment: (ServiceName) -> [String: String], state: String, announce: (String) -> Void
  ) async throws {
    let logs = state + "/logs"
    try context.files.createDirectory(logs, permissions: 0o700)
    let stamps = state + "/apps"
    try context.files.createDirectory(stamps, permissions: 0o700)
    var installed: Set<String> = []
    for workspace in workspaces {
      let app = workspace.app
      let log = logs + "/\(workspace.service.rawValue).log"
      if !app.install.isEmpty && !installed.contains(workspace.installFolder + "\n" + app.install) {
        installed.insert(workspace.installFolder + "\n" + app.install)
        let fingerprint = workspace.fingerprint(nodeVersion: node.version.description, files: context.files)
        let stamp = stamps + "/install-" + Self.name(workspace.installFolder)
        // Yarn's Plug'n'Play installs into .pnp.cjs, not node_modules.
        let present = ["/node_modules", "/.pnp.cjs"].contains { context.files.exists(workspace.installFolder + $0) }
        if context.files.readText(stamp) == fingerprint && present {
          announce("\(workspace.service.rawValue): dependencies up to date in \(workspace.installFolder) (`\(app.install)` skipped)")
        } else {
          // NODE_ENV=production would make npm, pnpm and yarn leave out the devDependencies a
          // build needs (tsc, vite).
          var installEnvironment = environment(workspace.service)
          installEnvironment["NODE_ENV"] = nil
          let offline = offlineCache(workspace, state: state).map { carried in
            for key in installEnvironment.keys where ["npm_config_cache", "npm_config_offline"].contains(key.lowercased()) {
              installEnvironment[key] = nil
            }
            installEnvironment["npm_config_cache"] = carried
            installEnvironment["npm_config_offline"] = "true"
            return ", offline from the npm cache a bundle carried, \(carried)"
          }
          announce("\(workspace.service.rawValue): \(app.install) in \(workspace.installFolder) (output in \(log)\(offline ?? ""))")
          try? context.files.remove(stamp)
          try await AppStep(
            service: workspace.service, name: "install", command: app.install, folder: workspace.installFolder,
            environment: installEnvironment, log: log
          ).run(context)
          try context.files.write(fingerprint, to: stamp, permissions: 0o600)
        }
      }
      if app.mode == .production && !app.build.isEmpty {
        announce("\(workspace.service.rawValue): \(app.build) in \(workspace.folder) (output in \(log))")
        try await AppStep(
          service: workspace.service, name: "build", command: app.build, folder: workspace.folder,
          environment: environment(workspace.service),
          log: log
        ).run(context)
      }
    }
  }

  /// The npm cache a bundle import placed in the state folder, when it holds every package the
  /// app's npm lockfile pins for this machine: its install then reads only that (`npm ci` with
  /// npm_config_cache and npm_config_offline), with no network. Nil otherwise: the install runs as
  /// it would have.
  func offlineCache(_ workspace: AppWorkspace, state: String) -> String? {
    let carried = state + "/" + NpmCache.stateFolder
    guard workspace.app.packageManager == .npm, let lockfile = workspace.lockfile, let platform = try? Platform.current(),
      NpmCache.holdsAll(lockfile: lockfile, cache: carried, platform: platform, files: context.files)
    else { return nil }
    return carried
  }

  /// The backend's migration, run by the supervisor once the database is ready.
  public func migrations(environment: (ServiceName) -> [String: String], state: String) -> [AppStep] {
    workspaces.filter { !$0.app.migrate.isEmpty }.map { workspace in
      AppStep(
        service: workspace.service, name: "migrate", command: workspace.app.migrate, folder: workspace.folder,
        environment: environment(workspace.service), log: state + "/logs/\(workspace.service.rawValue).log")
    }
  }

  /// The local-mode warning for the backend, when its code never reads the guide's keys.
  public func localModeWarning() -> String? {
    guard let backend = workspaces.first(where: { $0.service == .backend }) else { return nil }
    return LocalModeCheck.warning(backend: backend.folder, shown: backend.folder, files: context.files)
  }

  /// A file name for a folder: its path's digest, short.
  static func name(_ folder: String) -> String {
    let digest = Digest(.sha256)
    digest.update(Array(folder.utf8))
    return String(digest.finish().prefix(16))
  }
}
