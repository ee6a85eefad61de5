import Foundation
import SynapseLocalSystem

/// One Synapse app as `up` finds it on disk: its folder, the lockfile and the folder the install
/// runs in, the package.json files whose change calls for a new install, and its dev server.
public struct AppWorkspace: Sendable {
  public var service: ServiceName
  public var app: ProjectConfiguration.App
  /// The checkout (`paths.synapse`), absolute.
  public var checkout: String
  /// The app's folder, absolute.
  public var folder: String
  /// The lockfile nearest the app, up to the checkout; nil when there is none.
  public var lockfile: String?
  /// Where `install` runs: the lockfile's folder, else the app's.
  public var installFolder: String
  public var manifest: PackageManifest?
  public var server: WebServer?

  public init(
    service: ServiceName, configuration: ProjectConfiguration, project: String, environment: [String: String], files: any FileSystem
  ) {
    self.service = service
    app = service == .frontend ? configuration.frontend : configuration.backend
    checkout = AbsolutePath.resolve(configuration.paths.synapse, relativeTo: project, environment: environment)
    folder = AbsolutePath.resolve(app.dir, relativeTo: checkout, environment: environment)
    var lockfile: String?
    var candidate = folder
    let preferred = app.packageManager.lockfile
    let names = [preferred] + PackageManager.lockfiles.map(\.0).filter { $0 != preferred }
    search: while true {
      for name in names where files.exists(candidate + "/" + name) {
        lockfile = candidate + "/" + name
        break search
      }
      guard candidate.hasPrefix(checkout + "/"), let slash = candidate.lastIndex(of: "/") else { break }
      candidate = String(candidate[..<slash])
    }
    self.lockfile = lockfile
    installFolder = lockfile.map { String($0[..<$0.lastIndex(of: "/")!]) } ?? folder
    manifest = files.contents(folder + "/package.json").flatMap { try? PackageManifest(data: $0) }
    server = manifest.flatMap { WebServer(dependencies: $0.dependencies) }
  }

  /// Every package.json the install depends on: the install folder's, its workspace packages' and
  /// the app's own.
  public func manifests(files: any FileSystem) -> [String] {
    let discovery = AppDiscovery(root: installFolder, files: files)
    var folders = ["."]
    if let root = try? discovery.manifest(at: ""), let patterns = try? discovery.workspacePatterns(root) {
      folders += patterns.filter { !$0.hasPrefix("!") }.flatMap { discovery.expand($0) }
    }
    var paths = folders.map { discovery.path($0) + "/package.json" }
    if !paths.contains(folder + "/package.json") { paths.append(folder + "/package.json") }
    return paths.filter { files.exists($0) }.sorted()
  }

  /// What the last successful install was made from: the command, the Node version, the lockfile
  /// and every package.json. A change to any means install again.
  public func fingerprint(nodeVersion: String, files: any FileSystem) -> String {
    let digest = Digest(.sha256)
    digest.update(Array((app.install + "\n" + nodeVersion + "\n").utf8))
    let settings = [".npmrc", ".yarnrc", ".yarnrc.yml", "pnpm-workspace.yaml"].map { installFolder + "/" + $0 }.filter(files.exists)
    for path in (lockfile.map { [$0] } ?? []) + manifests(files: files) + settings {
      digest.update(Array((path + "\n").utf8))
      digest.update(Array(files.contents(path) ?? Data()))
    }
    return digest.finish()
  }

  /// The command `up` supervises: `start`, and for a Vite dev server started by its package
  /// manager's `run dev`, the port and host on its command line (Vite ignores PORT), strictly:
  /// a Vite that moved to the next free port would never answer its health check.
  public func startCommand(host: String) -> String {
    guard app.mode == .dev, server?.takesPortAndHostArguments == true, app.start == app.packageManager.run("dev"),
      let script = manifest?.scripts["dev"], script.hasPrefix("vite"), !script.contains("--port")
    else { return app.start }
    return app.start + " " + app.packageManager.passing(["--port", String(app.port), "--host", host, "--strictPort"])
  }
}
