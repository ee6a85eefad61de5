import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct BundleVerifyCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify", abstract: "Check every member of a bundle against its manifest; install nothing.",
    discussion: """
      Without --sha256 or --trust this checks integrity only (the members match the manifest, \
      which whoever rewrites the members can rewrite too); with them, also that it is the bundle \
      that was exported, as bundle import does.

      Examples:
        synapse-local bundle verify synapse.tar.zst --sha256 HEX
        synapse-local bundle verify synapse.tar.zst --trust bundle-signing.pub
        synapse-local bundle verify synapse.tar.zst --sha256 HEX --json
      """)

  @Argument(help: ArgumentHelp("The bundle.", valueName: "FILE"))
  var file: String

  @OptionGroup var trust: BundleTrustOptions

  @Flag(name: .long, help: "Print the result as JSON: bundle, members, total_bytes, platform, format, signed, authenticated_by.")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      let path = ctx.absolute(file)
      let verification = try await BundleImporter(context: ctx).verify(path, trust: trust.trust(ctx))
      let report = BundleVerifyReport(bundle: path, verification: verification)
      if json { return try ctx.output.json(report) }
      let how =
        report.authenticatedBy.map { "authenticated by \($0)" }
        ?? "integrity only: pass --sha256 HEX or --trust PUBKEY to check it is the bundle that was exported"
      ctx.output.print(
        "\(file): \(report.members) members verified, \(ByteCount.format(report.totalBytes)) (\(report.platform.rawValue)); \(how)")
    }
  }
}
