import COpenSSL
import Foundation
import SynapseLocalSystem

/// Streaming SHA-256, SHA-1 and SHA-512 through OpenSSL's EVP interface (the only file that sees
/// OpenSSL). The Hub names LFS blobs by SHA-256 and small files by their git blob SHA-1; npm's cache
/// names a package's tarball by the SHA-512 its lockfile pins.
public final class Digest {
  public enum Algorithm: Sendable {
    case sha256
    case sha1
    case sha512
  }

  private let context: OpaquePointer

  public init(_ algorithm: Algorithm) {
    guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context (out of memory)") }
    self.context = context
    let method =
      switch algorithm {
      case .sha256: EVP_sha256()
      case .sha1: EVP_sha1()
      case .sha512: EVP_sha512()
      }
    EVP_DigestInit_ex(context, method, nil)
  }

  deinit { EVP_MD_CTX_free(context) }

  public func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    EVP_DigestUpdate(context, base, bytes.count)
  }

  public func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The lowercase hex digest; call once.
  public func finish() -> String {
    var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    EVP_DigestFinal_ex(context, &output, &length)
    return output.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
  }

  public static func hex(_ algorithm: Algorithm, _ bytes: [UInt8]) -> String {
    let digest = Digest(algorithm)
    digest.update(bytes)
    return digest.finish()
  }

  /// SHA-256 of a file, read in blocks; `progress` gets the bytes hashed so far.
  public static func sha256(ofFile path: String, files: any FileSystem, progress: ((UInt64) -> Void)? = nil) throws -> String {
    try hashFile(path, files: files, prefix: nil, algorithm: .sha256, progress: progress)
  }

  /// The git blob id of a file: SHA-1 of "blob <size>\0" followed by the contents.
  public static func gitBlobSHA1(ofFile path: String, files: any FileSystem) throws -> String {
    let size = files.size(path) ?? 0
    return try hashFile(path, files: files, prefix: Array("blob \(size)\0".utf8), algorithm: .sha1, progress: nil)
  }

  static func hashFile(
    _ path: String, files: any FileSystem, prefix: [UInt8]?, algorithm: Algorithm, progress: ((UInt64) -> Void)?
  ) throws -> String {
    let file = try StoreError.reading(path) { try files.open(path, .read) }
    defer { file.close() }
    let digest = Digest(algorithm)
    if let prefix { digest.update(prefix) }
    var total: UInt64 = 0
    try FileBlocks.forEachBlock(file) { block in
      digest.update(block)
      total += UInt64(block.count)
      progress?(total)
    }
    return digest.finish()
  }
}
