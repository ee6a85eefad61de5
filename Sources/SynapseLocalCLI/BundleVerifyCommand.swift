import ArgumentParser
import Foundation
import SynapseLocalCore

struct BundleVerifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify", abstract: "Check every member of a bundle against its manifest; install nothing.",
    discussion: """
      Examples:
        synapse-local bundle verify synapse.tar.zst
      """)

  @Argument(help: ArgumentHelp("The bundle.", valueName: "FILE"))
  var file: String

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let manifest = try await BundleImporter(context: context).verify(context.absolute(file))
      Output.line(
        "\(file): \(manifest.members.count + 1) members verified, \(ByteCount.format(manifest.totalBytes)) (\(manifest.platform.rawValue))")
    }
  }
}
