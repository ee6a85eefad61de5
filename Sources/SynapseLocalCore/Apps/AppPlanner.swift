import Foundation
import SynapseLocalSystem

/// Writes what `AppDiscovery` found into the project's `backend:` and `frontend:` keys, leaving
/// every key a flag or a profile set as it was, and says what it did.
public enum AppPlanner {
  /// What `init` says about the apps: what it found, and what is wrong with it.
  public struct Outcome: Sendable, Equatable {
    public var notes: [String] = []
    public var warnings: [String] = []
  }

  /// `fixed`: the keys set explicitly.
  public static func apply(_ found: AppDiscovery.Result, to c: inout ProjectConfiguration, fixed: Set<String>) -> Outcome {
    var notes: [String] = []
    var warnings: [String] = []
    for role in [ServiceName.backend, .frontend] {
      let key = role.rawValue
      var app = role == .backend ? c.backend : c.frontend
      let explicit = fixed.contains { $0.hasPrefix(key + ".") && $0 != key + ".port" }
      if let found = role == .backend ? found.backend : found.frontend {
        func set<T>(_ name: String, _ path: WritableKeyPath<ProjectConfiguration.App, T>, _ value: T?) {
          if let value, !fixed.contains(key + "." + name) { app[keyPath: path] = value }
        }
        set("dir", \.dir, found.dir)
        set("package_manager", \.packageManager, found.packageManager)
        set("install", \.install, found.install)
        set("build", \.build, found.manifest.scripts["build"] != nil ? found.packageManager.run("build") : "")
        if let script = found.startScript(app.mode) {
          set("start", \.start, found.packageManager.run(script))
        } else if !fixed.contains(key + ".start") {
          notes.append(
            "\(key) in \(found.dir): no \(app.mode == .dev ? "dev or start" : "start") script in its package.json; set \(key).start in synapse-local.yaml"
          )
        }
        set("migrate", \.migrate, found.migrateScript.map(found.packageManager.run) ?? "")
        set("node", \.node, found.nodeRequirement.flatMap { (try? NodeRequirement($0)) != nil ? $0 : nil })
        set("variable", \.variable, found.variable ?? (role == .frontend ? found.server?.apiURLVariable : nil))
        if !fixed.contains(key + ".health") {
          app.health = "http://127.0.0.1:\(app.port)" + (role == .backend ? found.healthPath ?? "/health" : "/")
        }
        notes.append("\(key): \(found.summary(mode: app.mode))")
        if role == .backend, !found.missingLocalModeKeys.isEmpty {
          warnings.append(LocalModeCheck.message(missing: found.missingLocalModeKeys, shown: found.dir))
        }
      } else if !explicit && app.enabled {
        if !fixed.contains(key + ".enabled") { app.enabled = false }
        notes.append(
          "no Synapse \(key) found in \(found.looked) (\(role == .backend ? "a package that depends on openai or reads LOCAL_LLM_ENDPOINT or DATABASE_URL" : "a package with Vite, Next or another web dev server, or in a folder named frontend, web or client")): \(key) is off (\(key).enabled: false); run init in the Synapse checkout, or pass --synapse DIR or --\(key)-dir DIR"
        )
      } else if !fixed.contains(key + ".health") {
        app.health = "http://127.0.0.1:\(app.port)" + (URLComponents(string: app.health).map { $0.path.isEmpty ? "/" : $0.path } ?? "/")
      }
      if role == .backend { c.backend = app } else { c.frontend = app }
    }
    return Outcome(notes: notes, warnings: warnings)
  }
}
