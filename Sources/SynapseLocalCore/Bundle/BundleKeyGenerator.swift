import Foundation
import SynapseLocalSystem

/// `bundle keygen DIR`: a new Ed25519 key pair for signing bundles. The private key is written with
/// mode 0600 from its first byte, each file atomically; an existing key is never overwritten
/// without `force` (bundles signed with it would no longer verify with the new public key).
public struct BundleKeyGenerator: Sendable {
  public static let privateKeyName = "bundle-signing.key"
  public static let publicKeyName = "bundle-signing.pub"

  public struct Result: Encodable, Sendable {
    public var privateKey: String
    public var publicKey: String
    public var fingerprint: String
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  public func generate(in folder: String, force: Bool) throws -> Result {
    let privateKey = folder + "/" + Self.privateKeyName
    let publicKey = folder + "/" + Self.publicKeyName
    if !force, let existing = [privateKey, publicKey].first(where: { context.files.exists($0) }) {
      throw BundleError.keyExists(path: existing)
    }
    try context.files.createDirectory(folder, permissions: 0o700)
    let key = try BundleSigningKey.generate()
    try write(try key.privatePEM(), to: privateKey, permissions: 0o600, force: force)
    try write(try key.publicPEM(), to: publicKey, permissions: 0o644, force: force)
    return Result(privateKey: privateKey, publicKey: publicKey, fingerprint: key.fingerprint)
  }

  /// Atomic; without `force`, put in place by link(2), which fails rather than replace a key that
  /// appeared since the check.
  func write(_ data: Data, to path: String, permissions: Int, force: Bool) throws {
    let files = context.files
    if force { return try files.write(data, to: path, permissions: permissions) }
    let temporary = path + ".new-\(UUID().uuidString.prefix(8))"
    try files.write(data, to: temporary, permissions: permissions)
    defer { try? files.remove(temporary) }
    do {
      try files.placeWithoutReplacing(temporary, at: path)
    } catch {
      // Something is there now: a key written since the check, never replaced.
      if files.entry(path) != nil { throw BundleError.keyExists(path: path) }
      throw BundleError.unwritable(path: path, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
  }
}
