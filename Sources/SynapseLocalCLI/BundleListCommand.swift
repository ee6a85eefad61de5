import ArgumentParser
import Foundation
import SynapseLocalCore

struct BundleListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "Show a bundle's manifest: its platform, Python and members; verify nothing.",
    discussion: """
      Examples:
        synapse-local bundle list synapse.tar.zst
      """)

  @Argument(help: ArgumentHelp("The bundle.", valueName: "FILE"))
  var file: String

  @Flag(name: .long, help: "Print the manifest as JSON.")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let manifest = try BundleImporter(context: context).list(context.absolute(file))
      if json { return try Output.json(manifest) }
      Output.line(
        "bundle format \(manifest.format) for \(manifest.platform.rawValue)\(manifest.python.map { ", Python \($0)" } ?? ""), made by synapse-local \(manifest.toolVersion) on \(manifest.created)"
      )
      for member in manifest.members {
        Output.line("  \(ByteCount.format(member.size).padding(toLength: 10, withPad: " ", startingAt: 0)) \(member.path)")
      }
    }
  }
}
