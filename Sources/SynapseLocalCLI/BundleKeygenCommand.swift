import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct BundleKeygenCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "keygen",
    abstract: "Write an Ed25519 key pair for signing bundles (bundle export --sign, bundle import --trust).",
    discussion: """
      Writes DIR/bundle-signing.key (the private key, mode 0600: keep it on the exporting \
      machine) and DIR/bundle-signing.pub (give it to every host that imports). An existing key is \
      not replaced without --force.

      Examples:
        synapse-local bundle keygen ~/.config/synapse-local/keys
        synapse-local bundle export s.tar.zst --sign ~/keys/bundle-signing.key
      """)

  @Argument(help: ArgumentHelp("The folder to write the key pair into (made if missing).", valueName: "DIR"))
  var folder: String

  @Flag(name: .long, help: "Replace an existing key pair there.")
  var force = false

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      let result = try BundleKeyGenerator(context: ctx).generate(in: ctx.absolute(folder), force: force)
      if json { return try ctx.output.json(result) }
      ctx.output.print("wrote \(result.privateKey) (private: keep it secret) and \(result.publicKey)")
      ctx.output.print("key fingerprint \(result.fingerprint)")
      ctx.output.print("Sign: synapse-local bundle export FILE --sign \(result.privateKey)")
      ctx.output.print("Import: synapse-local bundle import FILE --trust \(result.publicKey)")
    }
  }
}
