import Foundation
import SynapseLocalSystem

/// What proves a bundle is the one that was exported, not just intact: the whole file's sha256
/// (printed by `bundle export`), a signature by a trusted key, or neither on purpose
/// (`--insecure-skip-verify`). The manifest alone proves nothing: whoever rewrites the members
/// can rewrite it too.
public struct BundleTrust: Sendable {
  /// The whole file's sha256, lowercase hex.
  public var sha256: String?
  /// A public key file (PEM): the manifest must be signed by its private key.
  public var trustedKey: String?
  public var insecureSkipVerify: Bool

  public init(sha256: String? = nil, trustedKey: String? = nil, insecureSkipVerify: Bool = false) {
    self.sha256 = sha256?.lowercased()
    self.trustedKey = trustedKey
    self.insecureSkipVerify = insecureSkipVerify
  }

  /// Neither a digest nor a key: integrity can be checked, authenticity cannot.
  public var checksAuthenticity: Bool { sha256 != nil || trustedKey != nil }
}
