import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// `--sha256 HEX` and `--trust PUBKEY`, the same on `bundle import` and `bundle verify`: what proves
/// a bundle is the one that was exported.
struct BundleTrustOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("The whole bundle's SHA-256, as bundle export printed it.", valueName: "HEX"))
  var sha256: String?

  @Option(
    name: .long,
    help: ArgumentHelp("A public key (from bundle keygen): the bundle must be signed with its private key.", valueName: "PUBKEY"))
  var trust: String?

  func validate() throws {
    if let sha256, !(sha256.count == 64 && sha256.allSatisfy(\.isHexDigit)) {
      throw ValidationError("--sha256 must be 64 hexadecimal digits (bundle export prints them)")
    }
  }

  func trust(_ context: Context, insecureSkipVerify: Bool = false) -> BundleTrust {
    BundleTrust(sha256: sha256, trustedKey: trust.map(context.absolute), insecureSkipVerify: insecureSkipVerify)
  }
}
