import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct CatalogCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "catalog",
    abstract: "List the models synapse-local knows: ids to use as REFs, sizes, ratings and licences.",
    discussion: """
      The catalog is profiles/catalog.yaml (or $SYNAPSE_LOCAL_PROFILES/catalog.yaml). Ratings and \
      sizes marked with a source come from elsewhere than the deployment guide; `--json` shows each \
      entry whole, sources included. Demo models are the test bed's tiny models, never recommended. \
      SPEED (⚡) and QUALITY (★) are the guide's ratings: more is better.

      Examples:
        synapse-local catalog
        synapse-local catalog --role embedding
        synapse-local catalog --json
      """)

  @Option(name: .long, help: ArgumentHelp("Only models of this role: llm or embedding.", valueName: "ROLE"))
  var role: ModelRole?

  @Flag(name: .long, help: "Print the entries as JSON.")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let catalog = try ctx.catalog()
      let models = catalog.models.filter { role == nil || $0.role == role }
      if json {
        try ctx.output.json(models)
        return
      }
      for line in CatalogTable.lines(models) { ctx.output.print(line) }
    }
  }
}
