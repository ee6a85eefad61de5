/// A planned project's main choices, as `init --json` prints them.
public struct ProjectSummary: Encodable, Sendable, Equatable {
  public var path: String
  public var profile: String
  public var engine: String
  public var llm: [String: String]
  public var embedding: [String: String]
  public var reasons: [String]

  public init(_ plan: ProjectPlanner.Plan, path: String) {
    let c = plan.configuration
    self.path = path
    profile = c.profile
    engine = c.engine.rawValue
    llm = ["model": c.llm.model, "name": c.llm.name, "port": String(c.llm.port), "context": String(c.llm.context)]
    embedding = [
      "model": c.embedding.model, "name": c.embedding.name, "dimensions": String(c.embedding.dimensions), "port": String(c.embedding.port),
    ]
    reasons = plan.recommendation?.reasons ?? []
  }
}
