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
      entry whole, sources included. Demo models are the test bed's tiny models, never recommended.
      """)

  @Option(name: .long, help: "Only models of this role: llm or embedding.")
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
      for model in models {
        let size = model.size.map { "\($0) (\(ByteCount.format(model.sizeBytes)))" } ?? ByteCount.format(model.sizeBytes)
        let kind = model.role == .embedding ? "embedding, \(model.dimensions ?? 0) dims" : "llm\(model.isDemo ? ", demo" : "")"
        Output.line(
          "\(model.id.padding(toLength: 20, withPad: " ", startingAt: 0)) \(model.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(kind.padding(toLength: 20, withPad: " ", startingAt: 0)) \(size.padding(toLength: 22, withPad: " ", startingAt: 0)) \(model.speed) \(model.quality)  \(model.license)"
        )
      }
    }
  }
}
