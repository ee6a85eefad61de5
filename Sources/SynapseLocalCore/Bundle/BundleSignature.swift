import Foundation
import SynapseLocalSystem

/// `manifest.json.sig`, the member right after the manifest in a signed bundle (format 2): an
/// Ed25519 signature of the manifest's bytes exactly as stored. The manifest names every member's
/// size and sha256, so the signature covers the whole bundle.
public struct BundleSignature: Codable, Sendable, Equatable {
  public static let memberName = "manifest.json.sig"
  public static let algorithmName = "ed25519"
  /// Larger than any signature this tool writes; a bigger member is refused unread.
  static let maximumSize: UInt64 = 4096

  public var algorithm: String
  /// The signing key's fingerprint (SHA-256 of its raw public key): names the key in a refusal.
  public var key: String
  /// The signature, base64.
  public var signature: String

  /// Signs `manifest` (its bytes as they are written into the bundle).
  public init(signing manifest: Data, with key: BundleSigningKey) throws(BundleError) {
    algorithm = Self.algorithmName
    self.key = key.fingerprint
    signature = try key.sign(manifest).base64EncodedString()
  }

  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(self)
  }

  /// Checks that `trusted` signed `manifest`; the reason it did not, else nil.
  func refusal(of manifest: Data, trusted: BundleSigningKey) -> String? {
    guard algorithm == Self.algorithmName else { return "uses \(algorithm), not ed25519" }
    guard key == trusted.fingerprint else {
      return "is by the key \(key.prefix(16)), not the trusted key \(trusted.fingerprint.prefix(16))"
    }
    guard let bytes = Data(base64Encoded: signature), trusted.verify(bytes, of: manifest) else {
      return "does not match the manifest"
    }
    return nil
  }
}
