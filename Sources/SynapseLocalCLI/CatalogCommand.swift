import ArgumentParser
import Foundation
import SynapseLocalCore

struct CatalogCommand: AsyncParsableCommand {
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

  func run() async throws {
    try await reportingErrors {
      let catalog = try Context.command().catalog()
      let models = catalog.models.filter { role == nil || $0.role == role }
      if json {
        try Output.json(models)
        return
      }
      for line in CatalogTable.lines(models) { Output.line(line) }
    }
  }
}
