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
      // ⚡ is two columns wide on a terminal: columns are padded by what the eye sees.
      func width(_ text: String) -> Int { text.count + text.filter { $0 == "⚡" }.count }
      var rows = [["ID", "NAME", "ROLE", "SIZE", "SPEED ⚡", "QUALITY ★", "LICENCE"]]
      for model in models {
        let size = model.size.map { "\($0) (\(ByteCount.format(model.sizeBytes)))" } ?? ByteCount.format(model.sizeBytes)
        let kind = model.role == .embedding ? "embedding, \(model.dimensions ?? 0) dims" : "llm\(model.isDemo ? ", demo" : "")"
        rows.append([model.id, model.name, kind, size, model.speed, model.quality, model.license])
      }
      let widths = rows[0].indices.map { column in rows.map { width($0[column]) }.max() ?? 0 }
      for row in rows {
        let cells = row.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - width($1)) }
        Output.line(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
      }
      Output.line("\n⚡ speed and ★ quality: the deployment guide's ratings, more is better (☆ marks a missing point)")
    }
  }
}
