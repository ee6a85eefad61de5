import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct GenerateCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Render .env, docker-compose.local.yml and services/embedding/ from synapse-local.yaml.",
    discussion: """
      Files are rendered from templates/ and written atomically into the project folder:
        .env                      the backend's settings (mode 0600: it holds the database password)
        docker-compose.local.yml  db, llm, embedding, backend and frontend for Docker Compose
        services/embedding/       the embedding server, its requirements.txt and Dockerfile

      The database password is generated once (in the state folder) and kept across runs. A file \
      edited by hand since it was generated is kept, not overwritten, unless --force; --diff shows \
      what would change and writes nothing. The compose file names the models' snapshot files, so \
      the models must be in the store first (synapse-local pull, or models import).

      Examples:
        synapse-local generate
        synapse-local generate --project ~/synapse-demo --diff
        synapse-local generate --json
      """)

  @OptionGroup var project: ProjectOption

  @Flag(name: .long, help: "Show what would change as a unified diff; write nothing.")
  var diff = false

  @Flag(name: .long, help: "Also overwrite files edited by hand.")
  var force = false

  @Flag(name: .long, help: "Print each file with its status (written, unchanged, kept) as JSON.")
  var json = false

  @Flag(name: .long, help: "Print nothing but warnings and errors.")
  var quiet = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let result = try await ProjectGeneration(context: ctx, catalog: try ctx.catalog())
        .generate(project: project.folder(ctx), force: force, dryRun: diff)
      for warning in result.warnings { ctx.output.warning(warning) }
      if quiet { return }
      if json {
        return try ctx.output.json(
          result.outcomes.map { JSONOutcome(path: $0.path, status: diff && $0.status == .written ? "would_write" : $0.status.rawValue) })
      }
      report(result.outcomes, to: ctx.output)
    }
  }

  struct JSONOutcome: Encodable {
    var path: String
    var status: String
  }

  func report(_ outcomes: [GeneratedFileWriter.Outcome], to output: any OutputSink) {
    for outcome in outcomes {
      if diff {
        if let text = outcome.diff, !text.isEmpty { output.stdout(text) }
        continue
      }
      switch outcome.status {
      case .written: output.print("wrote      \(outcome.path)")
      case .unchanged: output.print("unchanged  \(outcome.path)")
      case .kept: output.print("kept       \(outcome.path)")
      }
    }
    if diff && outcomes.allSatisfy({ $0.diff?.isEmpty ?? true }) { output.print("no changes") }
  }
}
