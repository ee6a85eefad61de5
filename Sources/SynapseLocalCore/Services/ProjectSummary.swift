/// A planned project's main choices, as `init --json` prints them.
public struct ProjectSummary: Encodable, Sendable, Equatable {
  public var path: String
  public var profile: String
  public var engine: String
  public var llm: [String: String]
  public var embedding: [String: String]
  /// The apps as written (`enabled` "true"/"false", dir, package_manager, start, migrate, mode, port).
  public var backend: [String: String]
  public var frontend: [String: String]
  /// What was found in the Synapse checkout and what is wrong with it, one line each.
  public var apps: [String]
  /// What is wrong with the apps (a backend that would call the cloud).
  public var warnings: [String]
  public var reasons: [String]

  public init(_ plan: ProjectPlanner.Plan, path: String, apps: [String] = [], warnings: [String] = []) {
    let c = plan.configuration
    self.path = path
    profile = c.profile
    engine = c.engine.rawValue
    llm = [
      "model": c.llm.model.description, "name": c.llm.servedName, "served_name": c.llm.servedName, "port": String(c.llm.port),
      "context": String(c.llm.context),
    ]
    embedding = [
      "model": c.embedding.model.description, "name": c.embedding.servedName, "served_name": c.embedding.servedName,
      "dimensions": String(c.embedding.dimensions),
      "port": String(c.embedding.port),
    ]
    func describe(_ app: ProjectConfiguration.App) -> [String: String] {
      [
        "enabled": String(app.enabled), "dir": app.dir, "package_manager": app.packageManager.rawValue, "install": app.install,
        "start": app.start, "migrate": app.migrate, "mode": app.mode.rawValue, "port": String(app.port), "health": app.health,
        "node": app.node,
      ]
    }
    backend = describe(c.backend)
    frontend = describe(c.frontend)
    self.apps = apps
    self.warnings = warnings
    reasons = plan.recommendation?.reasons ?? []
  }
}
