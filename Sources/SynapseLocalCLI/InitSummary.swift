import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// What `init` prints: the plan's main choices, what was found in the Synapse checkout, why, and
/// what to run next.
enum InitSummary {
  static func app(_ app: ProjectConfiguration.App, _ c: ProjectConfiguration) -> String {
    guard app.enabled else { return "off" }
    return "\(app.start) in \(app.dir) (\(app.mode.rawValue)), port \(app.port)\(c.expose ? ", exposed" : "")"
  }

  /// `project` is the folder as given; the "Next:" commands name it absolute, the form the fetch
  /// advice uses, so each line can be pasted from any folder.
  static func print(_ result: ProjectInitializer.Result, project: String, to output: any OutputSink) {
    let plan = result.plan
    let path = result.path
    let folder = (path as NSString).deletingLastPathComponent
    let c = plan.configuration
    output.print("Wrote \(path)")
    var rows = [
      ("engine", c.engine.rawValue),
      ("llm", "\(c.llm.model) served as \(c.llm.servedName) on 127.0.0.1:\(c.llm.port), context \(c.llm.context)"),
      ("embedding", "\(c.embedding.model) (\(c.embedding.dimensions) dimensions) on 127.0.0.1:\(c.embedding.port)"),
      ("database", "PostgreSQL + pgvector on 127.0.0.1:\(c.db.port)"),

      ("backend", app(c.backend, c)),
      ("frontend", app(c.frontend, c)),
    ]
    if let build = plan.recommendation?.llamaCppBuild {
      rows.insert(("llama.cpp build", "\(build.variant) (`up` installs it unless one is pinned or installed): \(build.reason)"), at: 1)
    }
    output.table(rows)
    for line in result.apps.notes { output.print(line) }
    if let reasons = plan.recommendation?.reasons, !reasons.isEmpty {
      output.print("Why")
      for reason in reasons { output.print("  - \(reason)") }
    }
    let fetch = result.fetchAdvice
    let offline =
      fetch.contains { $0.contains("synapse-local pull") }
      ? " Without a network: `synapse-local models import FILE --as ORG/REPO/FILE` a file you have, or `synapse-local bundle import` a bundle from a connected machine (docs/bundles.md)."
      : ""
    output.print(
      "Next: \(fetch.map { $0 + ", then " }.joined())synapse-local generate --project \(folder); `up` installs the runtimes it lacks (synapse-local install).\(offline)"
    )
  }
}
