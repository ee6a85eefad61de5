/// `bundle verify`'s answer: what was checked, and how far it can be trusted.
public struct BundleVerifyReport: Codable, Sendable, Equatable {
  public var bundle: String
  /// Every member, the manifest and its signature included.
  public var members: Int
  public var totalBytes: UInt64
  public var platform: Platform
  public var format: Int
  public var signed: Bool
  /// `sha256`, `signature by <fingerprint>`, both; nil when only integrity was checked.
  public var authenticatedBy: String?

  enum CodingKeys: String, CodingKey {
    case bundle, members, platform, format, signed
    case totalBytes = "total_bytes"
    case authenticatedBy = "authenticated_by"
  }

  public init(bundle: String, verification: BundleImporter.Verification) {
    let manifest = verification.manifest
    self.bundle = bundle
    signed = manifest.isSigned
    // The manifest lists every member but itself and its signature.
    members = manifest.members.count + (signed ? 2 : 1)
    totalBytes = manifest.totalBytes
    platform = manifest.platform
    format = manifest.format
    authenticatedBy = verification.authenticatedBy
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(bundle, forKey: .bundle)
    try c.encode(members, forKey: .members)
    try c.encode(totalBytes, forKey: .totalBytes)
    try c.encode(platform, forKey: .platform)
    try c.encode(format, forKey: .format)
    try c.encode(signed, forKey: .signed)
    // Always present: null says integrity only.
    try c.encode(authenticatedBy, forKey: .authenticatedBy)
  }
}
