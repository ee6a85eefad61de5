import ArgumentParser
import Foundation
import SynapseLocalCore

struct BundleVerifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify", abstract: "Check every member of a bundle against its manifest; install nothing.",
    discussion: """
      Without --sha256 or --trust this checks integrity only (the members match the manifest, \
      which whoever rewrites the members can rewrite too); with them, also that it is the bundle \
      that was exported, as bundle import does.

      Examples:
        synapse-local bundle verify synapse.tar.zst --sha256 HEX
        synapse-local bundle verify synapse.tar.zst --trust bundle-signing.pub
      """)

  @Argument(help: ArgumentHelp("The bundle.", valueName: "FILE"))
  var file: String

  @OptionGroup var trust: BundleTrustOptions

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let verification = try await BundleImporter(context: context).verify(context.absolute(file), trust: trust.trust(context))
      let manifest = verification.manifest
      // The manifest lists every member but itself and its signature.
      let members = manifest.members.count + (manifest.format >= BundleManifest.signedFormat ? 2 : 1)
      let how =
        verification.authenticatedBy.map { "authenticated by \($0)" }
        ?? "integrity only: pass --sha256 HEX or --trust PUBKEY to check it is the bundle that was exported"
      Output.line(
        "\(file): \(members) members verified, \(ByteCount.format(manifest.totalBytes)) (\(manifest.platform.rawValue)); \(how)"
      )
    }
  }
}
