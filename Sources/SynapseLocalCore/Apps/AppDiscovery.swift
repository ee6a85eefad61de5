import Foundation
import SynapseLocalSystem
import Yams

/// Finds the Synapse backend and frontend in a checkout: the packages its workspace names
/// (`pnpm-workspace.yaml`, or `workspaces` in package.json) and those in `apps/*` and `src/*`.
/// The backend depends on `openai` or reads LOCAL_LLM_ENDPOINT or DATABASE_URL; the frontend uses a
/// web dev server (Vite, Next...), else sits in a folder named frontend, web or client.
public struct AppDiscovery: Sendable {
  public struct Result: Sendable, Equatable {
    public var backend: FoundApp?
    public var frontend: FoundApp?
    /// Where it looked, for the line that says nothing was found.
    public var looked: String
  }

  /// Always looked in, whatever the workspace says: the guide's compose file has apps/backend and
  /// apps/frontend, its TypeScript steps src/api.
  public static let layouts = ["apps/*", "src/*"]
  static let backendFolders: Set<String> = ["backend", "api", "server"]
  static let frontendFolders: Set<String> = ["frontend", "web", "client"]
  static let backendVariables = ["LOCAL_LLM_ENDPOINT", "DATABASE_URL"]
  static let corsVariables = ["CORS_ORIGIN", "CORS_ORIGINS", "ALLOWED_ORIGINS", "FRONTEND_URL", "FRONTEND_ORIGIN", "CLIENT_URL", "WEB_URL"]
  static let migrateScripts = ["migrate", "db:migrate", "migrate:deploy", "migration:run", "migrations:run", "db:migrate:deploy"]

  public var root: String
  public var files: any FileSystem

  public init(root: String, files: any FileSystem) {
    self.root = root
    self.files = files
  }

  /// `chosen`: folders given for a role (relative to the checkout, or absolute), taken as they are.
  public func discover(chosen: [ServiceName: String] = [:]) throws(AppError) -> Result {
    let rootManifest = try manifest(at: "")
    let patterns = try workspacePatterns(rootManifest)
    var folders: [String] = []
    for pattern in patterns + Self.layouts where !pattern.hasPrefix("!") {
      for folder in expand(pattern) where !folders.contains(folder) { folders.append(folder) }
    }
    let excluded = patterns.filter { $0.hasPrefix("!") }.flatMap { expand(String($0.dropFirst())) }
    folders.removeAll { excluded.contains($0) }
    // A checkout that is one app, not a monorepo.
    if folders.isEmpty, rootManifest != nil { folders = ["."] }
    var packages: [(dir: String, manifest: PackageManifest, scan: SourceScan)] = []
    let chosen = chosen.mapValues(Self.normalized)
    for folder in chosen.values where !folders.contains(folder) { folders.append(folder) }
    for folder in folders {
      guard let manifest = try manifest(at: folder) else { continue }
      packages.append((folder, manifest, SourceScan(path(folder), files: files)))
    }
    let looked =
      "\(root): \(patterns.isEmpty ? "no workspace file" : "the workspace (\(patterns.joined(separator: ", ")))"), \(Self.layouts.joined(separator: ", "))"

    let backends = packages.filter { Self.backendReason($0.manifest, $0.scan) != nil && $0.dir != chosen[.frontend] }
    var backend = chosen[.backend]
    if backend == nil { backend = try choose(backends.map(\.dir), role: .backend, folders: Self.backendFolders, flag: "--backend-dir") }
    let webs = packages.filter { $0.dir != backend && WebServer(dependencies: $0.manifest.dependencies) != nil }
    var frontend = chosen[.frontend]
    if frontend == nil { frontend = try choose(webs.map(\.dir), role: .frontend, folders: Self.frontendFolders, flag: "--frontend-dir") }
    if frontend == nil {
      let named = packages.filter { $0.dir != backend && Self.frontendFolders.contains(Self.lastComponent($0.dir)) }
      frontend = try choose(named.map(\.dir), role: .frontend, folders: [], flag: "--frontend-dir")
    }
    func found(_ dir: String?, _ role: ServiceName) throws(AppError) -> FoundApp? {
      guard let dir, let package = packages.first(where: { $0.dir == dir }) else { return nil }
      return try describe(package.dir, package.manifest, package.scan, role: role, rootManifest: rootManifest)
    }
    return Result(backend: try found(backend, .backend), frontend: try found(frontend, .frontend), looked: looked)
  }

  /// Why a package is the backend, or nil.
  static func backendReason(_ manifest: PackageManifest, _ scan: SourceScan) -> String? {
    if manifest.dependencies.contains("openai") { return "depends on openai" }
    if let variable = backendVariables.first(where: { !scan.mentioning($0).isEmpty }) { return "reads \(variable)" }
    return nil
  }

  /// One of several candidates: the only one, else the only one in a folder with the role's name.
  func choose(_ candidates: [String], role: ServiceName, folders: Set<String>, flag: String) throws(AppError) -> String? {
    if candidates.count <= 1 { return candidates.first }
    let named = candidates.filter { folders.contains(Self.lastComponent($0)) }
    if named.count == 1 { return named[0] }
    throw .ambiguous(role: role, candidates: candidates.map { path($0) }, flag: flag)
  }

  func describe(_ dir: String, _ manifest: PackageManifest, _ scan: SourceScan, role: ServiceName, rootManifest: PackageManifest?)
    throws(AppError) -> FoundApp
  {
    let (manager, lockfile) = packageManager(for: dir, rootManifest: rootManifest)
    let lockText = lockfile.flatMap { files.readText(path($0)) }
    let server = WebServer(dependencies: manifest.dependencies)
    let reason: String
    if role == .backend {
      reason = Self.backendReason(manifest, scan) ?? "given"
    } else {
      reason =
        server.map { "uses \($0.rawValue)" }
        ?? (Self.frontendFolders.contains(Self.lastComponent(dir)) ? "folder named \(Self.lastComponent(dir))" : "given")
    }
    let (node, nodeSource) = nodeRequirement(dir, manifest, rootManifest)
    var app = FoundApp(
      role: role, dir: dir, manifest: manifest, packageManager: manager, lockfile: lockfile,
      install: manager.frozenInstall(lockfileText: lockText), nodeRequirement: node, nodeSource: nodeSource, server: server, reason: reason)
    if role == .backend {
      app.migrateScript = Self.migrateScript(manifest.scripts)
      app.healthPath = scan.matches(#"['"`](/(?:api/)?(?:health|healthz))['"`]"#).first
      app.variable = Self.corsVariables.first { !scan.mentioning($0).isEmpty }
      app.missingLocalModeKeys = LocalModeCheck.missingKeys(in: scan)
    } else {
      let named = scan.matches(#"\b((?:VITE|NEXT_PUBLIC|REACT_APP|NUXT_PUBLIC|GATSBY|PUBLIC)_[A-Z0-9_]*(?:API|BACKEND)[A-Z0-9_]*)\b"#)
      app.variable = named.count == 1 ? named[0] : nil
    }
    return app
  }

  static func migrateScript(_ scripts: [String: String]) -> String? {
    if let known = migrateScripts.first(where: { scripts[$0] != nil }) { return known }
    let unwanted = ["create", "generate", "make", "new", "revert", "rollback", "down", "status", "reset", "dev", "undo"]
    return scripts.keys.sorted().first { name in
      name.lowercased().contains("migrat") && !unwanted.contains { name.lowercased().contains($0) }
    }
  }

  /// From the nearest lockfile between the app and the checkout; else corepack's `packageManager`
  /// field, else pnpm for a pnpm workspace, else npm.
  func packageManager(for dir: String, rootManifest: PackageManifest?) -> (PackageManager, String?) {
    var folder = dir
    // A folder outside the checkout has only its own lockfile: the walk never leaves the checkout.
    let outside = dir.hasPrefix("/") || dir.hasPrefix("..")
    while true {
      for (name, manager) in PackageManager.lockfiles {
        let candidate = folder == "." ? name : folder + "/" + name
        if files.exists(path(candidate)) { return (manager, candidate) }
      }
      if folder == "." || outside { break }
      folder = folder.contains("/") ? String(folder[..<folder.lastIndex(of: "/")!]) : "."
    }
    if let field = rootManifest?.packageManager, let manager = PackageManager(packageManagerField: field) { return (manager, nil) }
    return (files.exists(path("pnpm-workspace.yaml")) ? .pnpm : .npm, nil)
  }

  /// The app's `engines.node`, else the workspace's, else `.nvmrc` or `.node-version`.
  func nodeRequirement(_ dir: String, _ manifest: PackageManifest, _ rootManifest: PackageManifest?) -> (String?, String?) {
    if let own = manifest.nodeRequirement { return (own, "\(dir)/package.json engines") }
    if let shared = rootManifest?.nodeRequirement { return (shared, "package.json engines") }
    for file in [dir + "/.nvmrc", ".nvmrc", ".node-version"] {
      let line = files.readText(path(file))?.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }
      guard let line, !line.isEmpty else { continue }
      // A full version there is the one its developers use: the same major, at least that version.
      if line.split(separator: ".").count == 3, let version = NodeRequirement.Version(line) {
        return ("^\(version.major).\(version.minor).\(version.patch)", file)
      }
      return (line, file)
    }
    return (nil, nil)
  }

  func workspacePatterns(_ rootManifest: PackageManifest?) throws(AppError) -> [String] {
    let file = path("pnpm-workspace.yaml")
    if let text = files.readText(file) {
      let parsed: Any?
      do {
        parsed = try Yams.load(yaml: text)
      } catch {
        throw .malformedFile(path: file, reason: "not valid YAML")
      }
      guard parsed == nil || parsed is [String: Any] else { throw .malformedFile(path: file, reason: "expected a mapping with packages:") }
      let packages = (parsed as? [String: Any])?["packages"]
      guard packages == nil || packages is [Any] else { throw .malformedFile(path: file, reason: "packages: is not a list") }
      return (packages as? [Any] ?? []).compactMap { $0 as? String }
    }
    return rootManifest?.workspaces ?? []
  }

  /// The folder's package.json, nil when it has none.
  func manifest(at folder: String) throws(AppError) -> PackageManifest? {
    let file = path(folder == "" || folder == "." ? "package.json" : folder + "/package.json")
    guard let data = files.contents(file) else { return nil }
    do {
      return try PackageManifest(data: data)
    } catch {
      guard case .malformed(let reason) = error else { return nil }
      throw .malformedFile(path: file, reason: reason)
    }
  }

  /// A workspace pattern's folders: `apps/*`, `packages/**`, `tools/cli`.
  func expand(_ pattern: String) -> [String] {
    var current = [""]
    let segments = pattern.split(separator: "/").map(String.init).filter { $0 != "." && !$0.isEmpty }
    for segment in segments {
      var next: [String] = []
      for base in current {
        if segment == "**" {
          next += [base] + descendants(base, depth: 3)
        } else {
          for name in (files.list(base.isEmpty ? root : path(base)) ?? []).sorted()
          where name != "node_modules" && !name.hasPrefix(".") && fnmatch(segment, name, 0) == 0 {
            let child = base.isEmpty ? name : base + "/" + name
            if files.isDirectory(path(child)) { next.append(child) }
          }
        }
      }
      current = next
    }
    return current.filter { !$0.isEmpty }
  }

  func descendants(_ base: String, depth: Int) -> [String] {
    guard depth > 0 else { return [] }
    var found: [String] = []
    for name in (files.list(base.isEmpty ? root : path(base)) ?? []).sorted() where name != "node_modules" && !name.hasPrefix(".") {
      let child = base.isEmpty ? name : base + "/" + name
      guard files.isDirectory(path(child)) else { continue }
      found.append(child)
      found += descendants(child, depth: depth - 1)
    }
    return found
  }

  func path(_ relative: String) -> String {
    if relative.hasPrefix("/") { return relative }
    return relative == "." || relative.isEmpty ? root : root + "/" + relative
  }

  /// `./apps/web/` as `apps/web`.
  static func normalized(_ dir: String) -> String {
    var dir = dir
    while dir.hasPrefix("./") { dir.removeFirst(2) }
    while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
    return dir.isEmpty ? "." : dir
  }

  static func lastComponent(_ dir: String) -> String { dir.split(separator: "/").last.map(String.init) ?? dir }
}
