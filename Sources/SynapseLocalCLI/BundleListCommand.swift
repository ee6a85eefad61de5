import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct BundleListCommand: ContextCommand {
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

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let manifest = try BundleImporter(context: ctx).list(ctx.absolute(file))
      if json { return try ctx.output.json(manifest) }
      ctx.output.print(
        "bundle format \(manifest.format) for \(manifest.platform.rawValue)\(manifest.python.map { ", Python \($0)" } ?? ""), made by synapse-local \(manifest.toolVersion) on \(manifest.created)"
      )
      for member in manifest.members {
        ctx.output.print("  \(ByteCount.format(member.size).padding(toLength: 10, withPad: " ", startingAt: 0)) \(member.path)")
      }
    }
  }
}
