import COpenSSL
import Foundation
import SynapseLocalSystem

/// An Ed25519 key that signs or checks a bundle's manifest, through OpenSSL's EVP_PKEY interface
/// (EVP_DigestSign and EVP_DigestVerify with no digest: Ed25519 hashes the message itself). The
/// only file besides `Digest` that sees OpenSSL. Keys are PEM: PKCS#8 for the private key,
/// SubjectPublicKeyInfo for the public one, as `openssl genpkey -algorithm ed25519` writes them.
public final class BundleSigningKey: @unchecked Sendable {
  // Immutable once made: OpenSSL allows concurrent signing and verifying with one EVP_PKEY.
  private let key: OpaquePointer
  public let isPrivate: Bool

  private init(_ key: OpaquePointer, isPrivate: Bool) {
    self.key = key
    self.isPrivate = isPrivate
  }

  deinit { EVP_PKEY_free(key) }

  /// A new key pair.
  public static func generate() throws(BundleError) -> BundleSigningKey {
    guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
      throw .badKey(path: "(new key)", reason: "OpenSSL has no Ed25519")
    }
    defer { EVP_PKEY_CTX_free(context) }
    var key: OpaquePointer?
    guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1, let key else {
      throw .badKey(path: "(new key)", reason: "OpenSSL could not generate an Ed25519 key")
    }
    return BundleSigningKey(key, isPrivate: true)
  }

  /// A private key from its PEM file (for `bundle export --sign`).
  public static func load(privateKeyFile path: String, files: any FileSystem) throws(BundleError) -> BundleSigningKey {
    try load(path, files: files, isPrivate: true)
  }

  /// A public key from its PEM file (for `--trust`).
  public static func load(publicKeyFile path: String, files: any FileSystem) throws(BundleError) -> BundleSigningKey {
    try load(path, files: files, isPrivate: false)
  }

  private static func load(_ path: String, files: any FileSystem, isPrivate: Bool) throws(BundleError) -> BundleSigningKey {
    guard let pem = files.contents(path) else { throw .badKey(path: path, reason: "it cannot be read") }
    let key: OpaquePointer? = pem.withUnsafeBytes { bytes in
      guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
      defer { BIO_free(bio) }
      // No passphrase prompt on the terminal: an encrypted key is refused instead.
      return isPrivate ? PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
    }
    guard let key else {
      let wanted = isPrivate ? "an unencrypted Ed25519 private key (PEM), e.g. from bundle keygen" : "an Ed25519 public key (PEM)"
      let hint = !isPrivate && String(decoding: pem, as: UTF8.self).contains("PRIVATE KEY") ? " (it is a private key: pass the .pub)" : ""
      throw .badKey(path: path, reason: "it is not \(wanted)\(hint)")
    }
    guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
      EVP_PKEY_free(key)
      throw .badKey(path: path, reason: "it is not an Ed25519 key")
    }
    return BundleSigningKey(key, isPrivate: isPrivate)
  }

  /// The private key as PEM (PKCS#8).
  public func privatePEM() throws(BundleError) -> Data {
    guard isPrivate else { throw .badKey(path: "(public key)", reason: "it has no private part") }
    return try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
  }

  /// The public key as PEM (SubjectPublicKeyInfo).
  public func publicPEM() throws(BundleError) -> Data {
    try pem { PEM_write_bio_PUBKEY($0, key) }
  }

  private func pem(_ write: (OpaquePointer) -> Int32) throws(BundleError) -> Data {
    guard let bio = BIO_new(BIO_s_mem()) else { throw .badKey(path: "(memory)", reason: "OpenSSL could not start") }
    defer { BIO_free(bio) }
    guard write(bio) == 1 else { throw .badKey(path: "(memory)", reason: "OpenSSL could not write the key") }
    var data = Data(count: Int(BIO_ctrl_pending(bio)))
    let count = data.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
    return data.prefix(Int(max(count, 0)))
  }

  /// The SHA-256 of the raw 32-byte public key, in hex: how a signature names its key.
  public var fingerprint: String {
    var raw = [UInt8](repeating: 0, count: 32)
    var length = raw.count
    guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1 else { return "unknown" }
    return Digest.hex(.sha256, Array(raw.prefix(length)))
  }

  /// The 64-byte Ed25519 signature of `message`.
  public func sign(_ message: Data) throws(BundleError) -> Data {
    guard isPrivate else { throw .badKey(path: "(public key)", reason: "a public key cannot sign") }
    guard let context = EVP_MD_CTX_new() else { throw .badKey(path: "(memory)", reason: "OpenSSL could not start") }
    defer { EVP_MD_CTX_free(context) }
    var signature = [UInt8](repeating: 0, count: 64)
    var length = signature.count
    let signed = message.withUnsafeBytes { bytes in
      EVP_DigestSignInit(context, nil, nil, nil, key) == 1
        && EVP_DigestSign(context, &signature, &length, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count) == 1
    }
    guard signed else { throw .badKey(path: "(private key)", reason: "OpenSSL could not sign with it") }
    return Data(signature.prefix(length))
  }

  /// Whether `signature` is this key's signature of `message`.
  public func verify(_ signature: Data, of message: Data) -> Bool {
    guard let context = EVP_MD_CTX_new() else { return false }
    defer { EVP_MD_CTX_free(context) }
    return signature.withUnsafeBytes { sig in
      message.withUnsafeBytes { bytes in
        EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1
          && EVP_DigestVerify(
            context, sig.bindMemory(to: UInt8.self).baseAddress, sig.count, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count) == 1
      }
    }
  }
}
